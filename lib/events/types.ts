// The domain: leads, commissions, adjustments and the three events that flow back to trackers.

import type { DecimalString } from '../money.js';

/** The three events a tracker can be told about. */
export const EVENT_NAMES = ['lead_created', 'commission_earned', 'commission_adjusted'] as const;
/** One of {@link EVENT_NAMES}. */
export type EventName = (typeof EVENT_NAMES)[number];

/** Where a lead came from: the server API (or an in-process call), or the browser pixel. */
export type LeadSource = 'api' | 'pixel';

/** A lead: a form fill carrying the affiliate tracker's click ID. Ids are the host platform's own. */
export interface Lead {
  /** The host's id for the lead, unique: a repeated event with it is recognised. */
  id: string;
  /** The tracker's click ID from the landing URL. */
  clickId: string;
  affiliateId: string;
  offerId: string | null;
  sub1: string | null;
  sub2: string | null;
  sub3: string | null;
  sub4: string | null;
  sub5: string | null;
  source: LeadSource;
  /** When the form was submitted (the host's time, or the time we recorded it). */
  occurredAt: Date;
  /** When the relay stored it. */
  recordedAt: Date;
}

/** A commission a lead earned: its own conversion at the tracker. */
export interface Commission {
  /** The host's id for the commission, unique. */
  id: string;
  /** The host's id of the lead it belongs to. */
  leadId: string;
  /** The payout as earned (adjustments are their own records, with the amount they leave). */
  amount: DecimalString;
  /** ISO 4217 code. */
  currency: string;
  occurredAt: Date;
  recordedAt: Date;
}

/** A change to a commission after the fact, up or down. */
export interface Adjustment {
  /** The host's id for the adjustment, unique. */
  id: string;
  /** The host's id of the adjusted commission. */
  commissionId: string;
  /** The change: `amountAfter - amountBefore`, negative for a clawback. */
  delta: DecimalString;
  amountBefore: DecimalString;
  /** The commission's payout once this adjustment applies. */
  amountAfter: DecimalString;
  currency: string;
  reason: string | null;
  occurredAt: Date;
  recordedAt: Date;
}

/** A lead to record. Optional fields may be left out or `null`. */
export interface LeadInput {
  id: string;
  clickId: string;
  affiliateId: string;
  offerId?: string | null;
  sub1?: string | null;
  sub2?: string | null;
  sub3?: string | null;
  sub4?: string | null;
  sub5?: string | null;
  /** ISO 8601 with a time zone; defaults to now. */
  occurredAt?: string | null;
}

/** A commission to record. `amount` is a decimal string such as `"12.50"` (or an exactly representable number). */
export interface CommissionInput {
  id: string;
  leadId: string;
  amount: string | number;
  /** ISO 4217; defaults to the relay's `defaultCurrency`. */
  currency?: string | null;
  occurredAt?: string | null;
}

/** An adjustment to record: give exactly one of `amount` (the new payout) or `delta` (the change). */
export interface AdjustmentInput {
  id: string;
  commissionId: string;
  amount?: string | number | null;
  delta?: string | number | null;
  reason?: string | null;
  occurredAt?: string | null;
}

/** What recording an event returns. */
export interface Recorded<T> {
  /** The stored entity (the first one, when the event was a repeat). */
  record: T;
  /** True when this event had been recorded before and nothing new happened. */
  replayed: boolean;
  /** How many postbacks were queued for it (0 on a replay). */
  deliveriesQueued: number;
}
