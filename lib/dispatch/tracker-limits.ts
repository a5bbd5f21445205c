// A tracker's storage limits: an amount it would clamp or round is skipped with the reason, never sent.

import { fromUnits, toUnits } from '../money.js';
import type { TrackerBooks } from '../plugins/capabilities.js';
import type { PostbackContext } from '../plugins/types.js';

/**
 * Why this postback cannot be stored exactly by the tracker, or null when it can. The amounts checked are those
 * the family sends: the click's running total for a per-click tracker, the payout otherwise, and the change (never
 * larger in size than either, since commissions are never negative, so it only matters for the decimals).
 * Exact: units, never a float.
 */
export function limitSkip(name: string, books: TrackerBooks, context: PostbackContext): string | null {
  const amounts = [books.family === 'per-click' ? context.clickNetPayout : context.payout, context.delta];
  for (const amount of amounts) {
    const units = toUnits(amount);
    if (books.maxAmount !== null && (units < 0n ? -units : units) > toUnits(books.maxAmount)) {
      return `${amount} is past the largest amount plugin "${name}"'s tracker stores (${books.maxAmount}); it would be clamped`;
    }
    const decimals = fromUnits(units).split('.')[1]?.length ?? 0;
    if (books.decimals !== null && decimals > books.decimals) {
      return `${amount} has ${decimals} decimal places; plugin "${name}"'s tracker keeps ${books.decimals}, so it would be rounded`;
    }
  }
  return null;
}
