// Formats one delivery with its plugin: fits an adjustment to the plugin's family, or skips what it cannot take.

import { signOf } from '../money.js';
import type { FormatterPlugin, PostbackRequest, PostbackSkip } from '../plugins/types.js';
import { postbackContext } from './context.js';
import type { DeliveryFacts } from './context.js';
import type { SendResult } from './http-client.js';

/** The request to send for one delivery, or why none is sent. Pure: a retry formats the same. */
export function formatDelivery<S>(plugin: FormatterPlugin<S>, facts: DeliveryFacts, settings: S): PostbackRequest | PostbackSkip {
  const skip = adjustmentSkip(plugin, facts);
  if (skip !== null) return { skip };
  return plugin.format(postbackContext(facts, plugin.adjustments), settings);
}

/**
 * Whether a send counts as delivered, and the error to record when not: a 2xx, unless the plugin judges the
 * body a refusal (TUNE answers 200 with `success=false`).
 */
export function judgeSend(plugin: FormatterPlugin, result: SendResult): { delivered: boolean; error: string | null } {
  if (!result.ok) return { delivered: false, error: result.error };
  if (result.statusCode < 200 || result.statusCode >= 300) return { delivered: false, error: `tracker answered HTTP ${result.statusCode}` };
  const refusal = plugin.judgeResponse?.(result) ?? null;
  return { delivered: refusal === null, error: refusal };
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
