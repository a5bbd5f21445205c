// One schema per inbound event: the only gate between untrusted input and the store.

import { isCurrencyCode } from '../currencies.js';
import { ValidationError } from '../errors.js';
import { decimal, object, optional, required, text, timestamp } from '../validation.js';
import type { Rule } from '../validation.js';

// A value that is a whole path segment of a postback URL would make the URL parser drop or climb a segment.
function notDotSegment(rule: Rule<string>): Rule<string> {
  return (value, field) => {
    const checked = rule(value, field);
    if (checked === '.' || checked === '..') throw new ValidationError(field, 'must not be "." or ".." (as a URL path segment it would change the path)');
    return checked;
  };
}

// 191 characters keeps a utf8mb4 unique index within MySQL's 767-byte limit on older row formats.
const id = notDotSegment(text({ max: 191 }));
const shortText = notDotSegment(text({ max: 255 }));

/**
 * Click IDs are printable ASCII up to 255 characters (trackers use hex, base64url, UUIDs and more): no
 * unicode look-alikes, zero-width or direction-override characters, which no tracker issues.
 */
const clickIdRule = notDotSegment(text({ max: 255, pattern: /^[\x20-\x7E]+$/, patternHint: 'printable ASCII (letters, digits and punctuation)' }));

export const leadSchema = object({
  id: required(id),
  clickId: required(clickIdRule),
  affiliateId: required(id),
  offerId: optional(id),
  sub1: optional(shortText),
  sub2: optional(shortText),
  sub3: optional(shortText),
  sub4: optional(shortText),
  sub5: optional(shortText),
  occurredAt: optional(timestamp),
});
export type ValidLead = ReturnType<typeof leadSchema>;

const currencyShape = text({ max: 3, pattern: /^[A-Z]{3}$/, patternHint: 'a three-letter ISO 4217 code such as "USD"' });
function currency(value: unknown, field: string): string {
  const code = currencyShape(value, field);
  if (!isCurrencyCode(code)) throw new ValidationError(field, `must be an ISO 4217 currency code such as "USD"; "${code}" is not one`);
  return code;
}

export const commissionSchema = object({
  id: required(id),
  leadId: required(id),
  amount: required(decimal({ allowNegative: false })),
  currency: optional(currency),
  occurredAt: optional(timestamp),
});
export type ValidCommission = ReturnType<typeof commissionSchema>;

const adjustmentShape = object({
  id: required(id),
  commissionId: required(id),
  amount: optional(decimal({ allowNegative: false })),
  delta: optional(decimal({ allowNegative: true })),
  reason: optional(text({ max: 255 })),
  occurredAt: optional(timestamp),
});
export type ValidAdjustment = ReturnType<typeof adjustmentShape>;

/** An adjustment carries exactly one of `amount` (the new payout) and `delta` (the change). */
export function adjustmentSchema(value: unknown, field: string): ValidAdjustment {
  const checked = adjustmentShape(value, field);
  if ((checked.amount === undefined) === (checked.delta === undefined)) {
    throw new ValidationError('amount', 'give exactly one of amount (the new payout) or delta (the change)');
  }
  return checked;
}
