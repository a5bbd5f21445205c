// What an operator should know when saving an endpoint: a tracker that cannot dedupe, an inferred adjustment mode.

import { adjustmentModeOf } from '../plugins/capabilities.js';
import type { AdjustmentMode, TrackerBooks } from '../plugins/capabilities.js';

/** A warning in an endpoint's API answer and form. `code` is stable; match on it, never on `message`. */
export interface EndpointWarning {
  code: 'no_dedupe' | 'inferred_correction';
  message: string;
}

/** The warnings for an endpoint whose plugin `name` keeps `books`, with the chosen adjustment mode. */
export function endpointWarnings(name: string, books: TrackerBooks, chosen: AdjustmentMode | null): EndpointWarning[] {
  const warnings: EndpointWarning[] = [];
  if (books.dedupe === 'none') {
    warnings.push({
      code: 'no_dedupe',
      message:
        `plugin "${name}" with these settings sends nothing the tracker could tell a repeat by: a postback whose answer is lost ` +
        '(a timeout or a 5xx after it was sent) is not sent again but waits as "unconfirmed" for your decision (send again, or mark delivered)',
    });
  }
  if (adjustmentModeOf(books, chosen) === 'correction') {
    warnings.push({
      code: 'inferred_correction',
      message:
        `adjustment mode correction: each change goes to plugin "${name}"'s tracker as a conversion of its own with the signed change as payout; ` +
        "the tracker documents such corrections for its manual upload, that its postback takes them is inferred: check the first ones in the tracker's reports",
    });
  }
  return warnings;
}
