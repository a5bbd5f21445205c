// When a failed postback must not be sent again blindly: the rule behind the `unconfirmed` state.

import type { FailureKind } from '../dispatch/failure-kind.js';
import type { TrackerDedupe } from '../plugins/capabilities.js';

/**
 * True when an attempt that failed as `failureKind` should wait for an operator instead of being retried: it may
 * have been recorded (`ambiguous`), and the tracker dedupes by nothing, so a retry could count it twice. A tracker
 * that dedupes by a key or keeps one conversion per click takes a retry safely; an attempt that never left or was
 * refused cannot have been counted. `dedupe` is undefined when the plugin's declaration could not be read.
 */
export function holdForConfirmation(dedupe: TrackerDedupe | undefined, failureKind: FailureKind | null): boolean {
  return dedupe === 'none' && failureKind === 'ambiguous';
}
