// Formats one delivery with its plugin: fits an adjustment to the plugin's family, or skips what it cannot take.

import { signOf } from '../money.js';
import type { FormatterPlugin, PostbackRequest, PostbackSkip } from '../plugins/types.js';
import { postbackContext } from './context.js';
import type { DeliveryFacts } from './context.js';

/** The request to send for one delivery, or why none is sent. Pure: a retry formats the same. */
export function formatDelivery<S>(plugin: FormatterPlugin<S>, facts: DeliveryFacts, settings: S): PostbackRequest | PostbackSkip {
  const skip = adjustmentSkip(plugin, facts);
  if (skip !== null) return { skip };
  return plugin.format(postbackContext(facts, plugin.adjustments), settings);
}

function adjustmentSkip(plugin: FormatterPlugin, facts: DeliveryFacts): string | null {
  const { adjustment } = facts;
  if (facts.event !== 'commission_adjusted' || adjustment === null) return null;
  if (plugin.adjustments === 'unsupported') return `plugin "${plugin.name}" cannot send a payout change: its tracker takes none by postback`;
  if (plugin.adjustments === 'status' && signOf(adjustment.amountAfter) !== 0) {
    return `plugin "${plugin.name}" can only reject a conversion; a change to ${adjustment.amountAfter} is not sent`;
  }
  return null;
}
