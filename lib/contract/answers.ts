// The schemas of the API's answers, for the OpenAPI document and the contract test (the code builds answers from its
// own types; these describe their JSON form).

import { FAILURE_KINDS } from '../dispatch/failure-kind.js';
import { z } from 'zod';
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
    createdAt: time,
    updatedAt: time,
  })
  .meta({ title: 'Endpoint' });

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
    status: z.enum(['pending', 'delivered', 'failed', 'skipped']),
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
  .object({ pending: z.int(), failed: z.int(), delivered: z.int(), disabledEndpoints: z.int(), oldestPendingAt: time.nullable() })
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
