// Table names under the host's prefix, the row shapes as the drivers return them, and row-to-domain mappers.

import { normalizeDecimal } from '../money.js';
import type { DeliveryAttempt, DeliveryStatus } from '../deliveries/types.js';
import type { FailureKind } from '../dispatch/failure-kind.js';
import type { Adjustment, Commission, EventName, Lead, LeadSource } from '../events/types.js';

/** The names of every table the relay owns, all starting with the configured prefix. */
export interface TableNames {
  leads: string;
  commissions: string;
  adjustments: string;
  endpoints: string;
  deliveries: string;
  attempts: string;
  rateLimits: string;
  migrations: string;
  migrationsLock: string;
  /** The fleet's instances and their heartbeats. */
  instances: string;
  /** The slots of each tracker host's concurrency cap, leased by instances. */
  hostSlots: string;
  /** Each tracker host's shared circuit breaker, and whether an instance waits for its slots. */
  trackerHosts: string;
}

export function tableNames(prefix: string): TableNames {
  return {
    leads: `${prefix}leads`,
    commissions: `${prefix}commissions`,
    adjustments: `${prefix}commission_adjustments`,
    endpoints: `${prefix}endpoints`,
    deliveries: `${prefix}deliveries`,
    attempts: `${prefix}delivery_attempts`,
    rateLimits: `${prefix}rate_limits`,
    migrations: `${prefix}knex_migrations`,
    migrationsLock: `${prefix}knex_migrations_lock`,
    instances: `${prefix}instances`,
    hostSlots: `${prefix}host_slots`,
    trackerHosts: `${prefix}tracker_hosts`,
  };
}

// Honest driver types: MySQL returns BIGINT as number or string, DECIMAL as string, DATETIME as Date;
// SQLite returns our dates as epoch milliseconds and money as the text we stored.
type Id = number | string;
type Time = Date | string | number;
type Money = string | number;

export interface LeadRow {
  pk: Id;
  external_id: string;
  click_id: string;
  affiliate_id: string;
  offer_id: string | null;
  sub1: string | null;
  sub2: string | null;
  sub3: string | null;
  sub4: string | null;
  sub5: string | null;
  source: string;
  payload_hash: string;
  occurred_at: Time;
  recorded_at: Time;
}

export interface CommissionRow {
  pk: Id;
  external_id: string;
  lead_pk: Id;
  amount: Money;
  current_amount: Money;
  currency: string;
  payload_hash: string;
  occurred_at: Time;
  recorded_at: Time;
}

export interface AdjustmentRow {
  pk: Id;
  external_id: string;
  commission_pk: Id;
  delta: Money;
  amount_before: Money;
  amount_after: Money;
  reason: string | null;
  payload_hash: string;
  occurred_at: Time;
  recorded_at: Time;
}

export interface EndpointRow {
  pk: Id;
  affiliate_id: string;
  offer_id: string | null;
  name: string | null;
  plugin: string;
  settings: string;
  events: string;
  enabled: number | boolean;
  adjustment_mode: string | null;
  created_at: Time;
  updated_at: Time;
}

export interface DeliveryRow extends FirstAttemptColumns {
  pk: Id;
  endpoint_pk: Id;
  event: EventName;
  lead_pk: Id;
  /** The lead's click ID, copied when queued. */
  click_id: string;
  commission_pk: Id | null;
  adjustment_pk: Id | null;
  dedupe_key: string;
  status: DeliveryStatus;
  attempt_count: number;
  round_attempts: number;
  next_attempt_at: Time;
  locked_until: Time | null;
  lease_token: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Time;
  updated_at: Time;
  delivered_at: Time | null;
}

/** One attempt's columns as the attempts table names them. */
export interface AttemptColumns {
  attempted_at: Time;
  request_method: string;
  request_url: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  response_excerpt: string | null;
  failure_kind: FailureKind | null;
}

export interface AttemptRow extends AttemptColumns {
  pk: Id;
  delivery_pk: Id;
}

/** A delivery's first attempt, when it is recorded on the delivery's own row (the same columns under `first_`). */
export type FirstAttemptColumns = { [K in keyof AttemptColumns as `first_${K}`]: AttemptColumns[K] | null };

/** The outbox's columns for its first attempt. */
export const FIRST_ATTEMPT_COLUMNS = [
  'first_attempted_at',
  'first_request_method',
  'first_request_url',
  'first_status_code',
  'first_latency_ms',
  'first_error',
  'first_response_excerpt',
  'first_failure_kind',
] as const satisfies ReadonlyArray<keyof FirstAttemptColumns>;

/** The first attempt recorded on a delivery's row, or undefined when its attempts are all in the attempts table. */
export function firstAttemptOf(row: FirstAttemptColumns): AttemptColumns | undefined {
  if (row.first_attempted_at === null) return undefined;
  // The completion writes every column together; method and URL are never null beside a time.
  return {
    attempted_at: row.first_attempted_at,
    request_method: row.first_request_method ?? '',
    request_url: row.first_request_url ?? '',
    status_code: row.first_status_code,
    latency_ms: row.first_latency_ms ?? 0,
    error: row.first_error,
    response_excerpt: row.first_response_excerpt,
    failure_kind: row.first_failure_kind,
  };
}

export function toAttempt(row: AttemptColumns): DeliveryAttempt {
  return {
    attemptedAt: toDate(row.attempted_at),
    method: row.request_method,
    url: row.request_url,
    statusCode: row.status_code,
    latencyMs: row.latency_ms,
    error: row.error,
    responseExcerpt: row.response_excerpt,
    failureKind: row.failure_kind,
  };
}

/** Reads a time column whichever way the driver returned it. Strings without a zone are UTC, as we store them. */
export function toDate(value: Time): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  return new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}

/** Primary keys leave the store as strings, so a BIGINT never loses digits. */
export function toId(value: Id): string {
  return String(value);
}

export function toLead(row: LeadRow): Lead {
  return {
    id: row.external_id,
    clickId: row.click_id,
    affiliateId: row.affiliate_id,
    offerId: row.offer_id,
    sub1: row.sub1,
    sub2: row.sub2,
    sub3: row.sub3,
    sub4: row.sub4,
    sub5: row.sub5,
    source: row.source as LeadSource,
    occurredAt: toDate(row.occurred_at),
    recordedAt: toDate(row.recorded_at),
  };
}

export function toCommission(row: CommissionRow, leadExternalId: string): Commission {
  return {
    id: row.external_id,
    leadId: leadExternalId,
    amount: normalizeDecimal(row.amount),
    currency: row.currency,
    occurredAt: toDate(row.occurred_at),
    recordedAt: toDate(row.recorded_at),
  };
}

export function toAdjustment(row: AdjustmentRow, commission: { id: string; currency: string }): Adjustment {
  return {
    id: row.external_id,
    commissionId: commission.id,
    delta: normalizeDecimal(row.delta),
    amountBefore: normalizeDecimal(row.amount_before),
    amountAfter: normalizeDecimal(row.amount_after),
    currency: commission.currency,
    reason: row.reason,
    occurredAt: toDate(row.occurred_at),
    recordedAt: toDate(row.recorded_at),
  };
}
