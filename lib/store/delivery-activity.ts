// Reads of the delivery log for the dashboard: counts by event and outcome, attempts per minute, endpoint health, the log's click IDs.

import type { Knex } from 'knex';
import type { DeliveryStatus } from '../deliveries/types.js';
import type { EventName } from '../events/types.js';
import { isMySql } from './database.js';
import { toDate, toId } from './tables.js';
import type { TableNames } from './tables.js';

/** How many deliveries of one event stand at one status. */
export interface DeliveryCount {
  event: EventName;
  status: DeliveryStatus;
  count: number;
}

/** What the attempts of one minute came to. */
export interface MinuteActivity {
  /** The start of the minute (UTC). */
  minute: Date;
  /** Attempts that counted as delivered. */
  delivered: number;
  /** Attempts that failed (no answer, a refusal, a non-2xx); the delivery may still be retried. */
  failed: number;
  /** Deliveries recorded as skipped (the tracker cannot take the event). */
  skipped: number;
}

/** An endpoint's backlog and failure window. */
export interface EndpointHealth {
  endpointId: string;
  pending: number;
  failed: number;
  /** The first failed attempt since the last success; null while the endpoint is healthy. */
  failingSince: Date | null;
}

type Id = number | string;
type Time = Date | string | number;

export class DeliveryActivityStore {
  readonly #knex: Knex;
  readonly #t: TableNames;

  constructor(knex: Knex, tables: TableNames) {
    this.#knex = knex;
    this.#t = tables;
  }

  /** Deliveries queued at or after `since`, by event and current status. */
  async countsSince(since: Date): Promise<DeliveryCount[]> {
    const rows = await this.#knex(this.#t.deliveries)
      .where('created_at', '>=', since)
      .groupBy('event', 'status')
      .select<Array<{ event: EventName; status: DeliveryStatus; n: Id }>>('event', 'status', this.#knex.raw('count(*) as n'));
    return rows.map((row) => ({ event: row.event, status: row.status, count: Number(row.n) }));
  }

  /** Attempts made in `[since, until)`, per minute and outcome, oldest first; minutes without attempts are left out. */
  async attemptsPerMinute(since: Date, until: Date): Promise<MinuteActivity[]> {
    const { attempts: a, deliveries: d } = this.#t;
    // A delivery's first attempt may be on its own row; the others are in the attempts table. Each read by its time index.
    const rows = [
      ...(await this.#perMinute(this.#knex(d), `${d}.first_attempted_at`, `${d}.first_error`, since, until)),
      ...(await this.#perMinute(this.#knex(a).join(d, `${d}.pk`, `${a}.delivery_pk`), `${a}.attempted_at`, `${a}.error`, since, until)),
    ];
    const byMinute = new Map<number, MinuteActivity>();
    for (const row of rows) {
      const at = toDate(typeof row.minute === 'string' && /^\d+$/.test(row.minute) ? Number(row.minute) : row.minute);
      const bucket = byMinute.get(at.getTime()) ?? { minute: at, delivered: 0, failed: 0, skipped: 0 };
      bucket[row.outcome] += Number(row.n);
      byMinute.set(at.getTime(), bucket);
    }
    return [...byMinute.values()].sort((x, y) => x.minute.getTime() - y.minute.getTime());
  }

  // `from` has the outbox as the deliveries table; `at` and `error` name the attempt's time and error columns in it.
  async #perMinute(from: Knex.QueryBuilder, at: string, error: string, since: Date, until: Date) {
    const d = this.#t.deliveries;
    // SQLite holds our times as epoch milliseconds; MySQL as UTC DATETIMEs, formatted so the session time zone plays no part.
    const minute = isMySql(this.#knex) ? `date_format(${at}, '%Y-%m-%d %H:%i:00')` : `cast(${at} / 60000 as integer) * 60000`;
    const outcome = `case when ${d}.status = 'skipped' then 'skipped' when ${error} is null then 'delivered' else 'failed' end`;
    return from
      .where(at, '>=', since)
      .andWhere(at, '<', until)
      .groupByRaw(`${minute}, ${outcome}`)
      .select<Array<{ minute: Time; outcome: 'delivered' | 'failed' | 'skipped'; n: Id }>>(
        this.#knex.raw(`${minute} as minute`),
        this.#knex.raw(`${outcome} as outcome`),
        this.#knex.raw('count(*) as n'),
      );
  }

  /** The click ID of each delivery's lead, by delivery id: the log's search key, which the delivery itself does not carry. */
  async clickIds(deliveryIds: readonly string[]): Promise<Map<string, string>> {
    if (deliveryIds.length === 0) return new Map();
    const { deliveries: d, leads: l } = this.#t;
    const rows = await this.#knex(d)
      .join(l, `${l}.pk`, `${d}.lead_pk`)
      .whereIn(`${d}.pk`, deliveryIds)
      .select<Array<{ pk: Id; click_id: string }>>(`${d}.pk`, `${l}.click_id`);
    return new Map(rows.map((row) => [toId(row.pk), row.click_id]));
  }

  /** Every endpoint's pending and failed deliveries and failure window, in endpoint order. */
  async endpointHealth(): Promise<EndpointHealth[]> {
    const { endpoints: e, deliveries: d } = this.#t;
    const counts = await this.#knex(d)
      .whereIn('status', ['pending', 'failed'])
      .groupBy('endpoint_pk', 'status')
      .select<Array<{ endpoint_pk: Id; status: 'pending' | 'failed'; n: Id }>>('endpoint_pk', 'status', this.#knex.raw('count(*) as n'));
    const endpoints = await this.#knex(e).orderBy('pk').select<Array<{ pk: Id; failing_since: Time | null }>>('pk', 'failing_since');
    const health = new Map(endpoints.map((row) => [toId(row.pk), { endpointId: toId(row.pk), pending: 0, failed: 0, failingSince: row.failing_since === null ? null : toDate(row.failing_since) }]));
    for (const row of counts) {
      const entry = health.get(toId(row.endpoint_pk));
      if (entry) entry[row.status] = Number(row.n);
    }
    return [...health.values()];
  }
}
