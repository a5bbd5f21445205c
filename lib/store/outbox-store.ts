// The transactional outbox: deliveries are queued with their event, claimed under a lease, and completed with an attempt.

import type { Knex } from 'knex';
import type { Endpoint } from '../endpoints/types.js';
import type { Adjustment, Commission, EventName, Lead } from '../events/types.js';
import type { Delivery, DeliveryAttempt, DeliveryStatus, UnconfirmedDecision } from '../deliveries/types.js';
import type { DecimalString } from '../money.js';
import { claimDue, dueQuery } from './claims.js';
import type { ClaimExclusions } from './claims.js';
import { recordCompletions } from './completions.js';
import type { Completion, CompletionResult } from './completions.js';
import { firstAttemptOf, toAttempt, toDate, toId } from './tables.js';
import type { AttemptColumns, AttemptRow, DeliveryRow, TableNames } from './tables.js';

/** A postback to queue, by primary keys. */
export interface NewDelivery {
  endpointPk: string;
  event: EventName;
  leadPk: string;
  /** The lead's click ID: postbacks to one endpoint go in order per click, and totals are per click. */
  clickId: string;
  commissionPk: string | null;
  adjustmentPk: string | null;
  /** Set when this instance's dispatcher takes the delivery at once: it is stored claimed, under this lease. */
  lease?: Lease;
}

/** A lease on a delivery: until when it holds, and the token of the claim that took it. */
export interface Lease {
  until: Date;
  token: string;
}

/** A delivery held under a lease, as the lease rules name it. */
export interface HeldDelivery {
  pk: string;
  leaseToken: string;
}

/** A claimed delivery with everything needed to format it. */
export interface ClaimedDelivery {
  pk: string;
  /** The token of the claim holding it: every write that changes its state must name it. */
  leaseToken: string;
  event: EventName;
  attemptCount: number;
  /** Attempts since the delivery was queued or last replayed: its step in the retry schedule. */
  roundAttempts: number;
  endpoint: Endpoint;
  /** Whether the endpoint's failure window was open when the delivery was claimed; undefined when not known. */
  endpointFailing?: boolean;
  lead: Lead;
  commission: Commission | null;
  adjustment: Adjustment | null;
  /** The click's running net payout at this delivery (see `PostbackContext.clickNetPayout`). */
  clickNetPayout: DecimalString;
}

const FAR_FUTURE = new Date('9999-01-01T00:00:00Z');
const MAX_LIST = 500;
const REPLAYED = (now: Date) => ({ status: 'pending' as const, round_attempts: 0, next_attempt_at: now, locked_until: null, lease_token: null, updated_at: now });

/** Which deliveries to list; every given field must match. Times bound `createdAt` (since inclusive, until exclusive). */
export interface DeliveryFilter {
  id?: string | undefined;
  leadId?: string | undefined;
  clickId?: string | undefined;
  /** The lead's affiliate (the affiliate whose endpoints the postbacks went to). */
  affiliateId?: string | undefined;
  endpointId?: string | undefined;
  status?: DeliveryStatus | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit?: number | undefined;
  /** Newest (highest id) first instead of oldest first. */
  newestFirst?: boolean | undefined;
  /** Only deliveries with a lower id: with `newestFirst`, the cursor of the page after one that ended at this id. */
  beforeId?: string | undefined;
}

/** The outbox's signals: what is waiting, what gave up, and how far behind sending is. */
export interface OutboxStats {
  pending: number;
  failed: number;
  /** Deliveries waiting for an operator's decision (see `DeliveryStatus`). */
  unconfirmed: number;
  delivered: number;
  /** Endpoints switched off (by hand or automatically). */
  disabledEndpoints: number;
  /** When the oldest still-pending delivery was queued; null when none is pending. */
  oldestPendingAt: Date | null;
}

export class OutboxStore {
  readonly #knex: Knex;
  readonly #t: TableNames;

  constructor(knex: Knex, tables: TableNames) {
    this.#knex = knex;
    this.#t = tables;
  }

  /**
   * Queues deliveries inside the transaction that stores their event, so both commit or neither does.
   * Returns the primary keys of those stored under a lease, in the order given.
   */
  async enqueue(trx: Knex.Transaction, deliveries: readonly NewDelivery[], now: Date): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const rows = deliveries.map((d) => ({
      endpoint_pk: d.endpointPk,
      event: d.event,
      lead_pk: d.leadPk,
      click_id: d.clickId,
      commission_pk: d.commissionPk,
      adjustment_pk: d.adjustmentPk,
      dedupe_key: `${d.endpointPk}:${d.event}:${d.adjustmentPk ?? d.commissionPk ?? d.leadPk}`,
      status: 'pending',
      attempt_count: 0,
      next_attempt_at: now,
      locked_until: d.lease?.until ?? null,
      lease_token: d.lease?.token ?? null,
      created_at: now,
      updated_at: now,
    }));
    await trx(this.#t.deliveries).insert(rows);
    const leased = rows.filter((row) => row.locked_until !== null).map((row) => row.dedupe_key);
    if (leased.length === 0) return [];
    // Read back by the unique dedupe key: a driver reports one insert id per statement, not one per row.
    const keys = await trx<DeliveryRow>(this.#t.deliveries).whereIn('dedupe_key', leased).select('pk', 'dedupe_key');
    const byKey = new Map(keys.map((key) => [key.dedupe_key, toId(key.pk)]));
    return leased.map((key) => byKey.get(key) as string);
  }

  /**
   * Claims up to `limit` due deliveries under a lease `lease` (its token names this claim), the earliest due
   * first (then the oldest), none of `exclude.deliveries` (what the claimer already holds, whatever its lease says)
   * nor of `exclude.endpoints` (endpoints whose host cannot take a request now). Two claimers never take the same
   * row: the lease is set by one UPDATE that takes only rows still unleased and as they were read.
   * Only deliveries of enabled endpoints with no earlier unfinished delivery for the same click and
   * endpoint are due: that keeps a click's postbacks to one tracker (all its leads') in the order they were
   * recorded, which a tracker keeping one conversion per click needs for its running total to end right.
   */
  async claim(limit: number, lease: Lease, now: Date, exclude: Partial<ClaimExclusions> = {}): Promise<ClaimedDelivery[]> {
    return claimDue(this.#knex, this.#t, limit, lease, now, { deliveries: exclude.deliveries ?? new Set(), endpoints: exclude.endpoints ?? new Set() });
  }

  /**
   * Records a batch of attempts with their outcomes, and releases their leases, in one transaction. Then each
   * endpoint's failure window moves once: a delivered postback closes it; a failed one opens it, and disables
   * the endpoint (its pending postbacks kept) once it has lasted long enough. Returns the endpoints disabled.
   */
  async completeMany(completions: readonly Completion[]): Promise<CompletionResult> {
    return recordCompletions(this.#knex, this.#t, completions);
  }

  /**
   * Puts held deliveries off until `until` without an attempt (their host is busy or failing), and releases their
   * leases: one statement per lease token and 500 deliveries. Returns the primary keys left as they were because
   * their lease had passed to another claim.
   */
  async postpone(held: readonly HeldDelivery[], until: Date): Promise<string[]> {
    const stale: string[] = [];
    await this.#byToken(held, async (query, token, pks) => {
      const changed = await query.andWhere('status', 'pending').update({ next_attempt_at: until, locked_until: null, lease_token: null });
      // Rare (a take-over): name the rows now under another claim or finished. One taken over and already given
      // back looks like a postponed one; only the stale-write report misses it.
      if (changed < pks.length) {
        const lost = await this.#knex(this.#t.deliveries)
          .whereIn('pk', pks)
          .andWhere((where) => void where.whereNot('status', 'pending').orWhere((other) => void other.whereNotNull('lease_token').andWhereNot('lease_token', token)))
          .pluck('pk');
        stale.push(...(lost as Array<string | number>).map(toId));
      }
      return changed;
    });
    return stale;
  }

  /** Gives back the leases of held deliveries not completed (a graceful stop); returns how many were still held. */
  async release(held: readonly HeldDelivery[]): Promise<number> {
    return this.#byToken(held, (query) => query.andWhere('status', 'pending').update({ locked_until: null, lease_token: null }));
  }

  /**
   * Extends the leases of held deliveries to `until`: the holder is alive and still working on them. Returns the
   * primary keys still held (the others passed to another claim, or were completed).
   */
  async renew(held: readonly HeldDelivery[], until: Date): Promise<string[]> {
    const renewed: string[] = [];
    await this.#knex.transaction(async (trx) => {
      await this.#byToken(held, async (query, token, pks) => {
        await query.andWhere('status', 'pending').update({ locked_until: until });
        const still = await trx(this.#t.deliveries).whereIn('pk', pks).andWhere({ lease_token: token, status: 'pending' }).pluck('pk');
        renewed.push(...(still as Array<string | number>).map(toId));
        return still.length;
      }, trx);
    });
    return renewed;
  }

  // One statement per lease token and 500 deliveries, each touching only rows that still carry the token.
  async #byToken(
    held: readonly HeldDelivery[],
    write: (query: Knex.QueryBuilder, token: string, pks: string[]) => Promise<unknown>,
    knex: Knex = this.#knex,
  ): Promise<number> {
    const byToken = new Map<string, string[]>();
    for (const { pk, leaseToken } of held) {
      const pks = byToken.get(leaseToken);
      if (pks) pks.push(pk);
      else byToken.set(leaseToken, [pk]);
    }
    let changed = 0;
    for (const [token, pks] of byToken) {
      for (let start = 0; start < pks.length; start += 500) {
        const slice = pks.slice(start, start + 500);
        changed += Number(await write(knex(this.#t.deliveries).whereIn('pk', slice).andWhere('lease_token', token), token, slice));
      }
    }
    return changed;
  }

  /**
   * When the earliest claimable delivery not under a lease can next be claimed, leaving out `excludeEndpoints`.
   * Leases (this instance's, or a crashed one's) are left to the caller's idle poll. The due index is read as far as
   * the first free row; rows held under a lease are passed over by their lease alone, each in one index row's time.
   */
  async nextDueAt(excludeEndpoints: ReadonlySet<string> = new Set()): Promise<Date | undefined> {
    const d = this.#t.deliveries;
    const row = await dueQuery(this.#knex, this.#t, FAR_FUTURE, { deliveries: new Set(), endpoints: excludeEndpoints }, 'due')
      .first<{ next_attempt_at: Date | string | number } | undefined>(`${d}.next_attempt_at`);
    return row === undefined ? undefined : toDate(row.next_attempt_at);
  }

  /** Every delivery for a lead (by the host's id), oldest first, with its attempts. */
  async listForLead(leadExternalId: string): Promise<Delivery[]> {
    return this.list({ leadId: leadExternalId, limit: MAX_LIST });
  }

  /** Deliveries matching every given filter, oldest first, with their attempts; at most `limit` (default and cap 500). */
  async list(filter: DeliveryFilter): Promise<Delivery[]> {
    const t = this.#t;
    const query = this.#knex(t.deliveries)
      .join(t.leads, `${t.leads}.pk`, `${t.deliveries}.lead_pk`)
      .leftJoin(t.commissions, `${t.commissions}.pk`, `${t.deliveries}.commission_pk`)
      .leftJoin(t.adjustments, `${t.adjustments}.pk`, `${t.deliveries}.adjustment_pk`)
      .orderBy(`${t.deliveries}.pk`, filter.newestFirst === true ? 'desc' : 'asc')
      .limit(Math.min(filter.limit ?? MAX_LIST, MAX_LIST));
    if (filter.id !== undefined) void query.where(`${t.deliveries}.pk`, filter.id);
    if (filter.leadId !== undefined) void query.where(`${t.leads}.external_id`, filter.leadId);
    if (filter.clickId !== undefined) void query.where(`${t.leads}.click_id`, filter.clickId);
    if (filter.affiliateId !== undefined) void query.where(`${t.leads}.affiliate_id`, filter.affiliateId);
    if (filter.endpointId !== undefined) void query.where(`${t.deliveries}.endpoint_pk`, filter.endpointId);
    if (filter.status !== undefined) void query.where(`${t.deliveries}.status`, filter.status);
    if (filter.since !== undefined) void query.where(`${t.deliveries}.created_at`, '>=', filter.since);
    if (filter.until !== undefined) void query.where(`${t.deliveries}.created_at`, '<', filter.until);
    if (filter.beforeId !== undefined) void query.where(`${t.deliveries}.pk`, '<', filter.beforeId);
    const rows = await query.select<Array<DeliveryRow & { lead_id: string; commission_id: string | null; adjustment_id: string | null }>>(
      `${t.deliveries}.*`,
      `${t.leads}.external_id as lead_id`,
      `${t.commissions}.external_id as commission_id`,
      `${t.adjustments}.external_id as adjustment_id`,
    );
    const attempts =
      rows.length === 0
        ? []
        : await this.#knex<AttemptRow>(t.attempts)
            .whereIn('delivery_pk', rows.map((row) => row.pk))
            .orderBy('pk');
    return rows.map((row) => ({
      id: toId(row.pk),
      endpointId: toId(row.endpoint_pk),
      event: row.event,
      leadId: row.lead_id,
      commissionId: row.commission_id,
      adjustmentId: row.adjustment_id,
      status: row.status,
      attemptCount: row.attempt_count,
      nextAttemptAt: toDate(row.next_attempt_at),
      lastStatusCode: row.last_status_code,
      lastError: row.last_error,
      createdAt: toDate(row.created_at),
      deliveredAt: row.delivered_at === null ? null : toDate(row.delivered_at),
      attempts: attemptsOf(row, attempts),
    }));
  }

  /** One delivery with its attempts, or undefined. */
  async get(id: string): Promise<Delivery | undefined> {
    if (!/^\d{1,19}$/.test(id)) return undefined;
    const [delivery] = await this.list({ id, limit: 1 });
    return delivery;
  }

  /**
   * Queues a delivery again, due now, with a fresh round of the retry schedule. A delivery being sent
   * right now (under a live lease) is left alone. Returns whether it was queued.
   */
  async replay(id: string, now: Date): Promise<boolean> {
    if (!/^\d{1,19}$/.test(id)) return false;
    const changed: unknown = await this.#replayable(now).where({ pk: id }).update(REPLAYED(now));
    return Number(changed) > 0;
  }

  /**
   * Applies an operator's decision to an `unconfirmed` delivery: `send-again` queues it due now with a fresh
   * round of retries, `mark-delivered` closes it as delivered. Returns false when it is not unconfirmed (any more).
   */
  async decide(id: string, decision: UnconfirmedDecision, now: Date): Promise<boolean> {
    if (!/^\d{1,19}$/.test(id)) return false;
    const change = decision === 'send-again' ? REPLAYED(now) : { status: 'delivered' as const, delivered_at: now, updated_at: now, locked_until: null };
    const changed: unknown = await this.#knex<DeliveryRow>(this.#t.deliveries).where({ pk: id, status: 'unconfirmed' }).update(change);
    return Number(changed) > 0;
  }

  /** Queues again every `failed` delivery of an endpoint that failed at or after `since`; returns how many. */
  async replayFailed(endpointId: string, since: Date | undefined, now: Date): Promise<number> {
    const query = this.#replayable(now).where({ endpoint_pk: endpointId, status: 'failed' });
    if (since !== undefined) void query.andWhere('updated_at', '>=', since);
    const changed: unknown = await query.update(REPLAYED(now));
    return Number(changed);
  }

  #replayable(now: Date): Knex.QueryBuilder<DeliveryRow> {
    return this.#knex<DeliveryRow>(this.#t.deliveries).andWhere((where) => void where.whereNull('locked_until').orWhere('locked_until', '<', now));
  }

  /** How the outbox stands: counts by status, and when the oldest pending delivery was queued. */
  async stats(): Promise<OutboxStats> {
    const rows = await this.#knex(this.#t.deliveries)
      .select('status')
      .count<Array<{ status: string; n: number | string }>>({ n: '*' })
      .groupBy('status');
    const count = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0);
    const oldest = await this.#knex(this.#t.deliveries)
      .where('status', 'pending')
      .first<{ at: Date | string | number | null } | undefined>(this.#knex.raw('min(created_at) as at'));
    const disabled = await this.#knex(this.#t.endpoints).where('enabled', false).count<{ n: number | string }>({ n: '*' }).first();
    return {
      pending: count('pending'),
      failed: count('failed'),
      unconfirmed: count('unconfirmed'),
      delivered: count('delivered'),
      disabledEndpoints: Number(disabled?.n ?? 0),
      oldestPendingAt: oldest?.at == null ? null : toDate(oldest.at),
    };
  }
}

// A delivery's attempts in the order they were made: the first one may be on its own row, the rest are in the attempts
// table (all of them are there when the first was recorded under a lease another claim had taken over).
function attemptsOf(row: DeliveryRow, rows: readonly AttemptRow[]): DeliveryAttempt[] {
  const first = firstAttemptOf(row);
  const own: AttemptColumns[] = rows.filter((attempt) => toId(attempt.delivery_pk) === toId(row.pk));
  const all = (first ? [first, ...own] : own).map(toAttempt);
  return all.sort((a, b) => a.attemptedAt.getTime() - b.attemptedAt.getTime());
}
