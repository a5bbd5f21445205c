// Table names under the host's prefix, the row shapes as the drivers return them, and row-to-domain mappers.

import { normalizeDecimal } from '../money.js';
import type { DeliveryStatus } from '../deliveries/types.js';
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

export interface DeliveryRow {
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

export interface AttemptRow {
  pk: Id;
  delivery_pk: Id;
  attempted_at: Time;
  request_method: string;
  request_url: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  response_excerpt: string | null;
  failure_kind: FailureKind | null;
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
