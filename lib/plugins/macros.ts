// The macros a URL template can use, and their values for one postback.

import type { PostbackContext } from './types.js';

/** Every macro a template may contain, as `{name}`. */
export const MACRO_NAMES = [
  'click_id',
  'event',
  'lead_id',
  'commission_id',
  'adjustment_id',
  'transaction_id',
  'payout',
  'delta',
  'currency',
  'affiliate_id',
  'offer_id',
  'sub1',
  'sub2',
  'sub3',
  'sub4',
  'sub5',
  'timestamp',
  'datetime',
] as const;
/** One of {@link MACRO_NAMES}. */
export type MacroName = (typeof MACRO_NAMES)[number];

/** The raw (not yet encoded) value of every macro for one postback; absent values are empty strings. */
export function macroValues(context: PostbackContext): Record<MacroName, string> {
  const { lead } = context;
  return {
    click_id: lead.clickId,
    event: context.event,
    lead_id: lead.id,
    commission_id: context.commission?.id ?? '',
    adjustment_id: context.adjustment?.id ?? '',
    transaction_id: context.transactionId,
    payout: context.payout,
    delta: context.delta,
    currency: context.currency ?? '',
    affiliate_id: lead.affiliateId,
    offer_id: lead.offerId ?? '',
    sub1: lead.sub1 ?? '',
    sub2: lead.sub2 ?? '',
    sub3: lead.sub3 ?? '',
    sub4: lead.sub4 ?? '',
    sub5: lead.sub5 ?? '',
    timestamp: String(Math.floor(context.occurredAt.getTime() / 1000)),
    datetime: context.occurredAt.toISOString(),
  };
}
