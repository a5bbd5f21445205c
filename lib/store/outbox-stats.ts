// Outbox gauges for metrics and health: how many deliveries wait, how many gave up, how old the oldest waiting one is.

import type { Knex } from 'knex';
import { toDate } from './tables.js';
import type { TableNames } from './tables.js';

/** A snapshot of the outbox. */
export interface OutboxStats {
  pending: number;
  failed: number;
  /** Seconds since the oldest pending delivery was queued; 0 when none is pending. */
  oldestPendingAgeSeconds: number;
}

/** One grouped query over the deliveries table. */
export async function outboxStats(knex: Knex, tables: TableNames, now: Date): Promise<OutboxStats> {
  const rows = await knex(tables.deliveries)
    .whereIn('status', ['pending', 'failed'])
    .groupBy('status')
    .select<Array<{ status: string; n: number | string; oldest: Date | string | number | null }>>('status', knex.raw('count(*) as n'), knex.raw('min(created_at) as oldest'));
  const pending = rows.find((row) => row.status === 'pending');
  const failed = rows.find((row) => row.status === 'failed');
  const oldest = pending?.oldest == null ? undefined : toDate(pending.oldest);
  return {
    pending: Number(pending?.n ?? 0),
    failed: Number(failed?.n ?? 0),
    oldestPendingAgeSeconds: oldest === undefined ? 0 : Math.max(0, (now.getTime() - oldest.getTime()) / 1000),
  };
}
