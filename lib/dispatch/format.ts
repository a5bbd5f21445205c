// Formats one delivery with its plugin: fits an adjustment to the plugin's family, or skips what it cannot take.

import { signOf } from '../money.js';
import { adjustmentModeOf, booksOf } from '../plugins/capabilities.js';
import type { AdjustmentMode } from '../plugins/capabilities.js';
import type { FormatterPlugin, PostbackRequest, PostbackSkip } from '../plugins/types.js';
import { postbackContext } from './context.js';
import type { DeliveryFacts } from './context.js';
import type { SendResult } from './http-client.js';
import { limitSkip } from './tracker-limits.js';

/**
 * The request to send for one delivery, or why none is sent. Pure: a retry formats the same. `mode` is the
 * endpoint's adjustment mode (absent: the plugin's default).
 */
export function formatDelivery<S>(plugin: FormatterPlugin<S>, facts: DeliveryFacts, settings: S, mode?: AdjustmentMode | null): PostbackRequest | PostbackSkip {
  const books = booksOf(plugin, settings);
  const chosen = adjustmentModeOf(books, mode);
  const skip = adjustmentSkip(plugin.name, books.adjustmentModes, chosen, facts);
  if (skip !== null) return { skip };
  const context = postbackContext(facts, chosen);
  const beyond = limitSkip(plugin.name, books, context);
  if (beyond !== null) return { skip: beyond };
  return plugin.format(context, settings);
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

function adjustmentSkip(name: string, supported: readonly AdjustmentMode[], mode: AdjustmentMode, facts: DeliveryFacts): string | null {
  const { adjustment } = facts;
  if (facts.event !== 'commission_adjusted' || adjustment === null) return null;
  // Settings changed since the mode was chosen (Binom's Upsell box): sending by a mode the tracker no longer
  // keeps its books by would count wrong.
  if (!supported.includes(mode)) return `adjustment mode "${mode}" is not one plugin "${name}" supports with these settings (${supported.join(', ')})`;
  if (mode === 'skip') {
    return supported.length === 1
      ? `plugin "${name}" cannot send a payout change: its tracker takes none by postback`
      : `the endpoint's adjustment mode is skip (plugin "${name}" also supports ${supported.filter((m) => m !== 'skip').join(', ')})`;
  }
  if (mode === 'status' && signOf(adjustment.amountAfter) !== 0) {
    return `plugin "${name}" can only reject a conversion; a change to ${adjustment.amountAfter} is not sent`;
  }
  return null;
}
