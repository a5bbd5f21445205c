// Formats one delivery with its plugin: fits an adjustment to the plugin's family, or skips what it cannot take.

import { signOf } from '../money.js';
import { adjustmentModeOf, booksOf } from '../plugins/capabilities.js';
import type { AdjustmentMode } from '../plugins/capabilities.js';
import type { FormatterPlugin, PostbackRequest, PostbackSkip } from '../plugins/types.js';
import { postbackContext } from './context.js';
import type { DeliveryFacts } from './context.js';
import type { SendResult } from './http-client.js';
import { limitSkip } from './tracker-limits.js';
import type { FailureKind } from './failure-kind.js';
import { describeError } from '../log.js';

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

/** Whether a send counts as delivered; when not, the error to record and whether the tracker may have counted it. */
export interface Judged {
  delivered: boolean;
  error: string | null;
  failureKind: FailureKind | null;
}

/**
 * Judges a send: a 2xx is delivered, unless the plugin judges the body a refusal (TUNE answers 200 with
 * `success=false`). A plugin whose `judgeResponse` throws leaves the answer unjudged: not delivered, and
 * ambiguous, since the tracker answered 2xx and may well have counted it.
 */
export function judgeSend(plugin: FormatterPlugin, result: SendResult): Judged {
  if (!result.ok) return { delivered: false, error: result.error, failureKind: result.failureKind };
  const code = result.statusCode;
  if (code < 200 || code >= 300) {
    // A 4xx is a refusal; a 5xx or a redirect (never followed) may have been recorded on the way.
    return { delivered: false, error: `tracker answered HTTP ${code}`, failureKind: code >= 400 && code < 500 ? 'rejected' : 'ambiguous' };
  }
  let refusal: string | null;
  try {
    refusal = plugin.judgeResponse?.(result) ?? null;
  } catch (error) {
    return { delivered: false, error: `the plugin could not judge the answer: ${describeError(error)}`, failureKind: 'ambiguous' };
  }
  return refusal === null ? { delivered: true, error: null, failureKind: null } : { delivered: false, error: refusal, failureKind: 'rejected' };
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
