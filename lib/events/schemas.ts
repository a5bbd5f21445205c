// One schema per inbound event: the only gate between untrusted input and the store (and the API's documentation).

import type { z } from 'zod';
import { isCurrencyCode } from '../currencies.js';
import { decimal, object, optional, text, timestamp } from '../validation.js';

// A value that is a whole path segment of a postback URL would make the URL parser drop or climb a segment.
function notDotSegment(schema: z.ZodType<string>): z.ZodType<string> {
  return schema.refine((value) => value !== '.' && value !== '..', 'must not be "." or ".." (as a URL path segment it would change the path)');
}

// 191 characters keeps a utf8mb4 unique index within MySQL's 767-byte limit on older row formats.
const id = notDotSegment(text({ max: 191 }));
const shortText = notDotSegment(text({ max: 255 }));

/**
 * Click IDs are printable ASCII up to 255 characters (trackers use hex, base64url, UUIDs and more): no
 * unicode look-alikes, zero-width or direction-override characters, which no tracker issues.
 */
const clickId = notDotSegment(
  text({ max: 255, pattern: /^[\x20-\x7E]+$/, patternHint: 'printable ASCII (letters, digits and punctuation)', description: "The tracker's click ID: 1 to 255 printable ASCII characters" }),
);

export const leadSchema = object({
  id,
  clickId,
  affiliateId: id,
  offerId: optional(id),
  sub1: optional(shortText),
  sub2: optional(shortText),
  sub3: optional(shortText),
  sub4: optional(shortText),
  sub5: optional(shortText),
  occurredAt: optional(timestamp),
});
export type ValidLead = z.output<typeof leadSchema>;

const currency = text({ max: 3, pattern: /^[A-Z]{3}$/, patternHint: 'a three-letter ISO 4217 code such as "USD"', description: 'An ISO 4217 currency code such as "USD"' }).refine(
  isCurrencyCode,
  { error: (issue) => `must be an ISO 4217 currency code such as "USD"; "${String(issue.input)}" is not one` },
);

export const commissionSchema = object({
  id,
  leadId: id,
  amount: decimal({ allowNegative: false }),
  currency: optional(currency),
  occurredAt: optional(timestamp),
});
export type ValidCommission = z.output<typeof commissionSchema>;

/** An adjustment carries exactly one of `amount` (the new payout) and `delta` (the change). */
export const adjustmentSchema = object({
  id,
  commissionId: id,
  amount: optional(decimal({ allowNegative: false })),
  delta: optional(decimal({ allowNegative: true })),
  reason: optional(text({ max: 255 })),
  occurredAt: optional(timestamp),
}).refine((adjustment) => (adjustment.amount === undefined) !== (adjustment.delta === undefined), {
  path: ['amount'],
  error: 'give exactly one of amount (the new payout) or delta (the change)',
});
export type ValidAdjustment = z.output<typeof adjustmentSchema>;
