// What a tracker should show for one click, given what was sent and how the tracker keeps its books.

import type { DeliveryStatus } from '../deliveries/types.js';
import type { EventName } from '../events/types.js';
import { addDecimal, signOf, subtractDecimal } from '../money.js';
import type { DecimalString } from '../money.js';
import type { AdjustmentMode, TrackerBooks } from '../plugins/capabilities.js';

/** One delivery of a click to an endpoint, as the drift report reads it from the store, in queue order. */
export interface DriftDelivery {
  id: string;
  event: EventName;
  status: DeliveryStatus;
  lastError: string | null;
  commissionId: string | null;
  adjustmentId: string | null;
  /** The commission's amount once this event applies: its amount for `commission_earned`, the new one after an adjustment, 0 for a lead. */
  amount: DecimalString;
  /** The change this event makes: the amount for `commission_earned`, the difference for an adjustment, 0 for a lead. */
  delta: DecimalString;
  /** The click's running total at this delivery: what a per-click tracker was sent. */
  clickNetPayout: DecimalString;
}

/** One click's books: the platform's truth, what the tracker should show, the difference, and why. */
export interface ClickDrift {
  clickId: string;
  /** The platform's net for the click: the current amounts of the commissions this endpoint was queued. */
  truth: DecimalString;
  /** What the tracker should show given what was sent and how it keeps its books. */
  expected: DecimalString;
  /** `truth - expected`: what the tracker is short (negative: over). */
  difference: DecimalString;
  /** Why they differ: each delivery that moved money and was not (or may not have been) recorded. */
  reasons: string[];
}

// An unconfirmed delivery may have been recorded: the report counts it as recorded (and says so), which is what
// the tracker holds when the answer was lost after it recorded the postback.
const RECORDED: readonly DeliveryStatus[] = ['delivered', 'unconfirmed'];

/**
 * The books of one click at one endpoint. `mode` is the endpoint's adjustment mode; `truth` the platform's net.
 * A per-click tracker that overwrites holds the running total of the last postback it recorded; one that adds
 * (no dedupe) the sum of what it recorded; a per-txid tracker one conversion per commission (replaced, rejected)
 * plus one per adjustment sent as its own conversion (delta, correction).
 */
export function clickDrift(clickId: string, books: TrackerBooks, mode: AdjustmentMode, deliveries: readonly DriftDelivery[], truth: DecimalString): ClickDrift {
  const recorded = deliveries.filter((delivery) => RECORDED.includes(delivery.status));
  const expected = expectedRevenue(books, mode, recorded);
  const difference = subtractDecimal(truth, expected);
  const reasons = deliveries.flatMap((delivery) => reasonFor(delivery, books));
  if (signOf(difference) !== 0 && !reasons.some((reason) => !reason.includes('counted as recorded'))) {
    reasons.push('changes that were never queued to this endpoint (recorded before it existed, or an event it does not take)');
  }
  return { clickId, truth, expected, difference, reasons };
}

function expectedRevenue(books: TrackerBooks, mode: AdjustmentMode, recorded: readonly DriftDelivery[]): DecimalString {
  if (books.family === 'per-click') {
    if (books.dedupe === 'none') return recorded.reduce((sum, delivery) => addDecimal(sum, delivery.delta), '0');
    return recorded.at(-1)?.clickNetPayout ?? '0';
  }
  const conversions = new Map<string, DecimalString>();
  for (const delivery of recorded) {
    if (delivery.event === 'commission_earned' && delivery.commissionId !== null) conversions.set(`com-${delivery.commissionId}`, delivery.amount);
    if (delivery.event !== 'commission_adjusted' || delivery.commissionId === null) continue;
    const key = `com-${delivery.commissionId}`;
    if (mode === 'replace') conversions.set(key, delivery.amount);
    else if (mode === 'status' && conversions.has(key)) conversions.set(key, '0');
    else if (mode === 'delta' || mode === 'correction') conversions.set(`adj-${delivery.adjustmentId ?? delivery.id}`, delivery.delta);
  }
  return [...conversions.values()].reduce(addDecimal, '0');
}

function reasonFor(delivery: DriftDelivery, books: TrackerBooks): string[] {
  // A lead moves no money, except that a per-click tracker's lead postback carries the click's total.
  const moves = delivery.event !== 'lead_created' || books.family === 'per-click';
  if (!moves || delivery.status === 'delivered') return [];
  const what = delivery.adjustmentId ? `adjustment ${delivery.adjustmentId}` : delivery.commissionId ? `commission ${delivery.commissionId}` : 'lead';
  if (delivery.status === 'unconfirmed') return [`${what} (delivery ${delivery.id}) is unconfirmed: counted as recorded, which it may not be; send it again or mark it delivered`];
  const detail = delivery.lastError === null ? '' : `: ${delivery.lastError}`;
  return [`${what} (delivery ${delivery.id}) is ${delivery.status}${detail}`];
}
