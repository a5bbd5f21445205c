// The schemas of the API's answers, for the OpenAPI document and the contract test (the code builds answers from its
// own types; these describe their JSON form).

import { FAILURE_KINDS } from '../dispatch/failure-kind.js';
import { z } from 'zod';
import { DELIVERY_STATUSES } from '../deliveries/types.js';
import { ADJUSTMENT_MODES } from '../plugins/capabilities.js';
import { ERROR_CODES } from '../errors.js';
import { EVENT_NAMES } from '../events/types.js';

const time = z.iso.datetime({ offset: true });
const nullableText = z.string().nullable();
const amount = z.string().regex(/^-?\d+(\.\d+)?$/).meta({ description: 'An exact decimal amount in canonical form: no exponent, no trailing zeros after the point' });
const event = z.enum(EVENT_NAMES);

/** `{data: ...}`: every successful JSON answer of the API. */
export function dataOf<T extends z.ZodType>(schema: T) {
  return z.object({ data: schema });
}

export const leadAnswer = z
  .object({
    id: z.string(),
    clickId: z.string(),
    affiliateId: z.string(),
    offerId: nullableText,
    sub1: nullableText,
    sub2: nullableText,
    sub3: nullableText,
    sub4: nullableText,
    sub5: nullableText,
    source: z.enum(['api', 'pixel']),
    occurredAt: time,
    recordedAt: time,
  })
  .meta({ title: 'Lead' });

export const commissionAnswer = z
  .object({ id: z.string(), leadId: z.string(), amount, currency: z.string(), occurredAt: time, recordedAt: time })
  .meta({ title: 'Commission' });

export const adjustmentAnswer = z
  .object({
    id: z.string(),
    commissionId: z.string(),
    delta: amount,
    amountBefore: amount,
    amountAfter: amount,
    currency: z.string(),
    reason: nullableText,
    occurredAt: time,
    recordedAt: time,
  })
  .meta({ title: 'Adjustment' });

export const endpointAnswer = z
  .object({
    id: z.string(),
    affiliateId: z.string(),
    offerId: nullableText,
    name: nullableText,
    plugin: z.string(),
    settings: z.record(z.string(), z.unknown()).meta({ description: "The plugin's settings, secrets masked" }),
    events: z.array(event),
    enabled: z.boolean(),
    adjustmentMode: z.enum(ADJUSTMENT_MODES).nullable().meta({ description: "The chosen adjustment mode; null: the plugin's default" }),
    createdAt: time,
    updatedAt: time,
  })
  .meta({ title: 'Endpoint' });

/** What saving an endpoint warns about (`EndpointWarning`), answered beside `data`. */
export const endpointWarningsAnswer = z
  .array(
    z.object({
      code: z.enum(['no_dedupe', 'inferred_correction']).meta({ description: 'Stable: match on it, never on the message' }),
      message: z.string(),
    }),
  )
  .meta({ title: 'EndpointWarnings' });

/** `{data, warnings}`: the answer of an endpoint create or update. */
export function endpointSavedAnswer() {
  return dataOf(endpointAnswer).extend({ warnings: endpointWarningsAnswer });
}

const trackerBooksAnswer = z
  .object({
    family: z.enum(['per-click', 'per-txid']),
    dedupe: z.enum(['txid', 'click', 'none']),
    maxAmount: amount.nullable(),
    decimals: z.int().nullable(),
    adjustmentModes: z.array(z.enum(ADJUSTMENT_MODES)),
  })
  .meta({ title: 'TrackerBooks' });

export const driftAnswer = z
  .object({
    endpointId: z.string(),
    plugin: z.string(),
    books: trackerBooksAnswer,
    adjustmentMode: z.enum(ADJUSTMENT_MODES),
    totals: z.object({ clicks: z.int(), clicksDiffering: z.int(), truth: amount, expected: amount, difference: amount }),
    differing: z.array(
      z
        .object({ clickId: z.string(), truth: amount, expected: amount, difference: amount, reasons: z.array(z.string()) })
        .meta({ title: 'ClickDrift' }),
    ),
    next: nullableText.meta({ description: 'The `after` of the next page of differing clicks; null on the last page' }),
  })
  .meta({ title: 'DriftReport' });

/** What one request to a tracker came to: a delivery attempt's and a test postback's. */
const requestOutcome = {
  method: z.string(),
  statusCode: z.int().nullable(),
  latencyMs: z.number(),
  error: nullableText,
  responseExcerpt: nullableText,
};

const attemptAnswer = z
  .object({
    attemptedAt: time,
    url: z.string(),
    ...requestOutcome,
    failureKind: z.enum(FAILURE_KINDS).nullable().meta({ description: 'Whether a failed attempt may have reached the tracker (null when delivered or skipped): `unreached` never left, `ambiguous` may have been recorded, `rejected` was refused' }),
  })
  .meta({ title: 'DeliveryAttempt' });

export const deliveryAnswer = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    event,
    leadId: z.string(),
    commissionId: nullableText,
    adjustmentId: nullableText,
    status: z.enum(DELIVERY_STATUSES),
    attemptCount: z.int(),
    nextAttemptAt: time,
    lastStatusCode: z.int().nullable(),
    lastError: nullableText,
    createdAt: time,
    deliveredAt: time.nullable(),
    attempts: z.array(attemptAnswer),
  })
  .meta({ title: 'Delivery' });

export const statsAnswer = z
  .object({ pending: z.int(), failed: z.int(), unconfirmed: z.int(), delivered: z.int(), disabledEndpoints: z.int(), oldestPendingAt: time.nullable() })
  .meta({ title: 'OutboxStats' });

export const testPostbackAnswer = z
  .object({ endpointId: z.string(), event, target: z.string(), delivered: z.boolean(), ...requestOutcome })
  .meta({ title: 'TestPostbackResult' });

export const errorAnswer = z
  .object({
    error: z.object({
      code: z.enum(Object.values(ERROR_CODES) as [string, ...string[]]),
      message: z.string(),
      field: z.string().nullable().meta({ description: 'The input at fault as a dotted path (`settings.url`), null when the error is not about one field' }),
    }),
  })
  .meta({ title: 'Error' });
