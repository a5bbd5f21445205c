// A claim: due deliveries read with everything needed to send them in one query, then leased in one UPDATE.

import type { Knex } from 'knex';
import type { Endpoint } from '../endpoints/types.js';
import { clickNetPayouts } from './click-totals.js';
import { byIndex, isMySql } from './database.js';
import { fromRow as endpointFromRow } from './endpoints-store.js';
import { retryOnDeadlock } from './errors.js';
import { toAdjustment, toCommission, toId, toLead } from './tables.js';
import type { AdjustmentRow, CommissionRow, DeliveryRow, EndpointRow, LeadRow, TableNames } from './tables.js';
import type { ClaimedDelivery, Lease } from './outbox-store.js';

// An earlier delivery in these states holds back the later ones of its click and endpoint; any other state
// (delivered, or a status such as a plugin's skip, or unconfirmed: waiting on an operator must not stop the
// rest of the click) lets them go.
const BLOCKING_STATUSES: readonly string[] = ['pending', 'failed'];

const DELIVERY_COLUMNS = ['pk', 'event', 'endpoint_pk', 'lead_pk', 'click_id', 'commission_pk', 'adjustment_pk', 'attempt_count', 'round_attempts'] as const;
const LEAD_COLUMNS = [
  'pk', 'external_id', 'click_id', 'affiliate_id', 'offer_id', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5', 'source', 'payload_hash', 'occurred_at', 'recorded_at',
] as const satisfies ReadonlyArray<keyof LeadRow>;
const ENDPOINT_COLUMNS = [
  'pk', 'affiliate_id', 'offer_id', 'name', 'plugin', 'settings', 'events', 'enabled', 'adjustment_mode', 'created_at', 'updated_at', 'failing_since',
] as const satisfies ReadonlyArray<keyof EndpointRow | 'failing_since'>;
const COMMISSION_COLUMNS = [
  'pk', 'external_id', 'lead_pk', 'amount', 'current_amount', 'currency', 'payload_hash', 'occurred_at', 'recorded_at',
] as const satisfies ReadonlyArray<keyof CommissionRow>;
const ADJUSTMENT_COLUMNS = [
  'pk', 'external_id', 'commission_pk', 'delta', 'amount_before', 'amount_after', 'reason', 'payload_hash', 'occurred_at', 'recorded_at',
] as const satisfies ReadonlyArray<keyof AdjustmentRow>;

/** A joined table's columns under an alias: `l_pk`, `l_external_id`, ... (the keys made once, not per row read). */
type Aliased = ReadonlyArray<readonly [column: string, key: string]>;

function aliasOf(alias: string, columns: readonly string[]): Aliased {
  return columns.map((column) => [column, `${alias}_${column}`] as const);
}

const LEAD = aliasOf('l', LEAD_COLUMNS);
const ENDPOINT = aliasOf('e', ENDPOINT_COLUMNS);
const COMMISSION = aliasOf('c', COMMISSION_COLUMNS);
const ADJUSTMENT = aliasOf('a', ADJUSTMENT_COLUMNS);

type DueRow = Pick<DeliveryRow, (typeof DELIVERY_COLUMNS)[number]> & { money: number | string | boolean | null } & Record<string, unknown>;

/** What a claim leaves out, besides what is not due. */
export interface ClaimExclusions {
  /** Deliveries the claimer already holds, whatever their lease says. */
  deliveries: ReadonlySet<string>;
  /** Endpoints whose host cannot take a request now: their deliveries stay in the outbox, untouched. */
  endpoints: ReadonlySet<string>;
}

/**
 * Claims up to `limit` due deliveries under `lease`, earliest due first (then oldest). Two statements in the usual
 * case: a plain read of the due rows joined with their endpoint, lead, commission and adjustment, then one UPDATE
 * that leases those still as they were read (pending, due, unleased, same attempt counts). Only when that UPDATE
 * takes fewer rows than were read (another claimer got there first) does a third read name the ones it took. The
 * click totals are read only for a batch with money in its clicks' history.
 */
export async function claimDue(knex: Knex, t: TableNames, limit: number, lease: Lease, now: Date, exclude: ClaimExclusions): Promise<ClaimedDelivery[]> {
  const { deliveries: d, endpoints: e, leads: l, commissions: c, adjustments: a } = t;
  const read = (await dueQuery(knex, t, now, exclude, now)
    .joinRaw(`${byKey(knex, 'join')} on ??.?? = ??.??`, [l, l, 'pk', d, 'lead_pk'])
    .joinRaw(`${byKey(knex, 'left join')} on ??.?? = ??.??`, [c, c, 'pk', d, 'commission_pk'])
    .joinRaw(`${byKey(knex, 'left join')} on ??.?? = ??.??`, [a, a, 'pk', d, 'adjustment_pk'])
    .select([
      ...DELIVERY_COLUMNS.map((column) => `${d}.${column}`),
      ...aliased(l, LEAD),
      ...aliased(e, ENDPOINT),
      ...aliased(c, COMMISSION),
      ...aliased(a, ADJUSTMENT),
      // Whether the click's history at this endpoint holds any money: if no row of the batch's does, every total is 0.
      knex.raw(
        `exists (select 1 from ${byIndex(knex)} where money.endpoint_pk = ??.endpoint_pk and money.click_id = ??.click_id and money.pk <= ??.pk and money.event <> 'lead_created') as money`,
        [d, 'money', clickIndex(t), d, d, d],
      ),
    ])
    .limit(limit)) as DueRow[];
  if (read.length === 0) return [];
  const taken = await retryOnDeadlock(() => leaseRows(knex, d, read, lease, now));
  if (taken.length === 0) return [];
  const totals = taken.some((row) => Boolean(Number(row.money))) ? await clickNetPayouts(knex, t, taken) : new Map<string, string>();
  return toClaimed(taken, lease.token, totals);
}

/**
 * The deliveries that may be sent at `now`, leases aside: pending, due, endpoint enabled and not excluded, first
 * in line for their click and endpoint; in the order of the due index, so a claim reads only as far as the rows it
 * takes. The deliveries table drives the join (STRAIGHT_JOIN on MySQL, CROSS JOIN on SQLite), the endpoint read by
 * its key: a plan driven from the small endpoints table would sort every pending row of an endpoint on each claim.
 */
export function dueQuery(knex: Knex, t: TableNames, now: Date, exclude: ClaimExclusions, leaseEndedBy: Date | 'due'): Knex.QueryBuilder {
  const { deliveries: d, endpoints: e } = t;
  const query = knex(d)
    .joinRaw(`${byKey(knex, 'join')} on ??.?? = ??.?? and ??.?? = ?`, [e, e, 'pk', d, 'endpoint_pk', e, 'enabled', true])
    .where(`${d}.status`, 'pending')
    .andWhere(`${d}.next_attempt_at`, '<=', now)
    // Before the look at earlier deliveries: a backlog held by other instances is passed over without it.
    .andWhere((where) => {
      void where.whereNull(`${d}.locked_until`);
      if (leaseEndedBy === 'due') void where.orWhereRaw('??.?? <= ??.??', [d, 'locked_until', d, 'next_attempt_at']);
      else void where.orWhere(`${d}.locked_until`, '<', leaseEndedBy);
    })
    .whereNotExists(
      knex
        .from(knex.raw(byIndex(knex), [d, 'earlier', clickIndex(t)]))
        .select(knex.raw('1'))
        .whereRaw(`earlier.endpoint_pk = ${d}.endpoint_pk`)
        .andWhereRaw(`earlier.click_id = ${d}.click_id`)
        .andWhereRaw(`earlier.pk < ${d}.pk`)
        .whereIn('earlier.status', BLOCKING_STATUSES),
    )
    .orderBy([`${d}.next_attempt_at`, `${d}.pk`]);
  if (exclude.deliveries.size > 0) void query.whereNotIn(`${d}.pk`, [...exclude.deliveries]);
  if (exclude.endpoints.size > 0) void query.whereNotIn(`${d}.endpoint_pk`, [...exclude.endpoints]);
  return query;
}

// The earlier deliveries of a row's click and endpoint are read by the click index, forced (`byIndex`). MariaDB was
// seen choosing the endpoint's foreign key index at run time (its EXPLAIN said otherwise): every due row then read every
// earlier row of its endpoint, and a backlog of 5,000 held rows made one look for due work take 30 s.
function clickIndex(t: TableNames): string {
  return `${t.deliveries}_click_endpoint_ix`;
}

// A join to a table (the `??` that follows) read by primary key only, after the deliveries: on MySQL a scan of a
// small table through a join buffer would lose the due index's order (a sort and a temporary table on every claim).
function byKey(knex: Knex, join: 'join' | 'left join'): string {
  if (!isMySql(knex)) return join === 'join' ? 'cross join ??' : 'left join ??';
  return `${join === 'join' ? 'straight_join' : 'left join'} ?? force index (primary)`;
}

function aliased(table: string, columns: Aliased): string[] {
  return columns.map(([column, key]) => `${table}.${column} as ${key}`);
}

// Once per row and joined table: a loop over keys made once, not an array of pairs and a string per column.
function unaliased(row: Record<string, unknown>, columns: Aliased): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [column, key] of columns) fields[column] = row[key];
  return fields;
}

// Leases the rows read, if they are still as read: a row another claimer took (and perhaps sent and gave back, its
// attempt counted) since the read is left alone, so a claim never sends with a stale attempt count.
async function leaseRows(knex: Knex, table: string, rows: readonly DueRow[], lease: Lease, now: Date): Promise<DueRow[]> {
  const byCounts = new Map<string, { attempts: number; round: number; pks: Array<string | number> }>();
  for (const row of rows) {
    const key = `${row.attempt_count}:${row.round_attempts}`;
    const group = byCounts.get(key) ?? { attempts: row.attempt_count, round: row.round_attempts, pks: [] };
    group.pks.push(row.pk);
    byCounts.set(key, group);
  }
  const changed: unknown = await knex(table)
    .where((where) => {
      for (const { attempts, round, pks } of byCounts.values()) void where.orWhere((group) => void group.whereIn('pk', pks).andWhere({ attempt_count: attempts, round_attempts: round }));
    })
    .andWhere('status', 'pending')
    .andWhere('next_attempt_at', '<=', now)
    .andWhere((where) => void where.whereNull('locked_until').orWhere('locked_until', '<', now))
    .update({ locked_until: lease.until, lease_token: lease.token });
  if (Number(changed) === rows.length) return [...rows];
  if (Number(changed) === 0) return [];
  const ours = new Set(((await knex(table).whereIn('pk', rows.map((row) => row.pk)).andWhere('lease_token', lease.token).pluck('pk')) as Array<string | number>).map(toId));
  return rows.filter((row) => ours.has(toId(row.pk)));
}

function toClaimed(rows: readonly DueRow[], leaseToken: string, totals: ReadonlyMap<string, string>): ClaimedDelivery[] {
  // One Endpoint per batch and endpoint, shared by its deliveries: its settings are parsed from JSON once.
  const endpoints = new Map<string, { endpoint: Endpoint; failing: boolean }>();
  return rows.map((row) => {
    const endpointPk = toId(row.endpoint_pk);
    let endpoint = endpoints.get(endpointPk);
    if (!endpoint) {
      const endpointRow = unaliased(row, ENDPOINT) as unknown as EndpointRow & { failing_since: unknown };
      endpoint = { endpoint: endpointFromRow(endpointRow), failing: endpointRow.failing_since !== null };
      endpoints.set(endpointPk, endpoint);
    }
    const lead = unaliased(row, LEAD) as unknown as LeadRow;
    const commission = row.commission_pk === null ? null : toCommission(unaliased(row, COMMISSION) as unknown as CommissionRow, lead.external_id);
    const adjustmentRow = row.adjustment_pk === null ? null : unaliased(row, ADJUSTMENT) as unknown as AdjustmentRow;
    const pk = toId(row.pk);
    return {
      pk,
      leaseToken,
      event: row.event,
      attemptCount: row.attempt_count,
      roundAttempts: row.round_attempts,
      endpoint: endpoint.endpoint,
      endpointFailing: endpoint.failing,
      lead: toLead(lead),
      commission,
      adjustment: adjustmentRow && commission ? toAdjustment(adjustmentRow, commission) : null,
      clickNetPayout: totals.get(pk) ?? '0',
    };
  });
}
