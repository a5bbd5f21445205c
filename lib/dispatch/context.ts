// Turns a claimed delivery into the context a formatter sees: which amount, which delta, which transaction key.

import type { Adjustment, Commission, EventName, Lead } from '../events/types.js';
import type { DecimalString } from '../money.js';
import type { AdjustmentMode } from '../plugins/capabilities.js';
import type { PostbackContext } from '../plugins/types.js';

/** The stored facts of one delivery. */
export interface DeliveryFacts {
  event: EventName;
  lead: Lead;
  commission: Commission | null;
  adjustment: Adjustment | null;
  /** See {@link PostbackContext.clickNetPayout}. */
  clickNetPayout: DecimalString;
}

/**
 * Builds the context from stored facts only, so a retry formats exactly the same request: a commission's
 * postback carries its original amount even after later adjustments, which carry their own. An adjustment's
 * transaction key and payout follow its mode (see `PostbackContext.transactionId`).
 */
export function postbackContext(facts: DeliveryFacts, mode: AdjustmentMode): PostbackContext {
  const { event, lead, commission, adjustment, clickNetPayout } = facts;
  const terms = termsOf(facts, mode);
  // One literal, no spread: on V8 11 (Node 20) a literal that spreads before named properties gets a hidden class
  // of its own on every call (docs/performance.md, "got's request options"), and this runs once per postback.
  return {
    event,
    lead,
    commission,
    adjustment,
    clickNetPayout,
    adjustmentMode: terms.adjustmentMode,
    transactionId: terms.transactionId,
    payout: terms.payout,
    delta: terms.delta,
    currency: terms.currency,
    occurredAt: terms.occurredAt,
  };
}

type Terms = Pick<PostbackContext, 'adjustmentMode' | 'transactionId' | 'payout' | 'delta' | 'currency' | 'occurredAt'>;

function termsOf(facts: DeliveryFacts, mode: AdjustmentMode): Terms {
  const { event, lead, commission, adjustment } = facts;
  switch (event) {
    case 'lead_created':
      return { adjustmentMode: null, transactionId: `lead-${lead.id}`, payout: '0', delta: '0', currency: null, occurredAt: lead.occurredAt };
    case 'commission_earned': {
      const earned = required(commission, event, 'commission');
      return { adjustmentMode: null, transactionId: `com-${earned.id}`, payout: earned.amount, delta: earned.amount, currency: earned.currency, occurredAt: earned.occurredAt };
    }
    case 'commission_adjusted': {
      const change = required(adjustment, event, 'adjustment');
      // A tracker that updates by key must see the commission's own key; one that adds, a key of the adjustment's.
      const byKey = mode === 'replace' || mode === 'status';
      return {
        adjustmentMode: mode,
        transactionId: byKey ? `com-${change.commissionId}` : `adj-${change.id}`,
        // A correction is a conversion of its own whose payout is the signed change.
        payout: mode === 'correction' ? change.delta : change.amountAfter,
        delta: change.delta,
        currency: change.currency,
        occurredAt: change.occurredAt,
      };
    }
  }
}

function required<T>(value: T | null, event: EventName, what: string): T {
  if (value === null) throw new Error(`a ${event} delivery has no ${what}`);
  return value;
}
