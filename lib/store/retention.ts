// Retention: deletes finished deliveries and their attempts past their window, a few hundred rows a statement.

import type { Knex } from 'knex';
import type { DeliveryStatus } from '../deliveries/types.js';
import { byIndex } from './database.js';
import { FIRST_ATTEMPT_COLUMNS } from './tables.js';
import type { TableNames } from './tables.js';

/** How long finished deliveries are kept, in days; null keeps them forever. */
export interface RetentionWindows {
  /** `delivered` and `skipped` deliveries, from when they finished. */
  deliveredDays: number | null;
  /** `failed` deliveries, from when they gave up. */
  failedDays: number | null;
}

/** Rows one pruning run deleted, by table. */
export interface Pruned {
  deliveries: number;
  attempts: number;
}

const DAY_MS = 86_400_000;
/** Rows per statement: each delete holds its locks only briefly, so claims and completions never wait long. */
export const PRUNE_BATCH = 500;
// Statements per table and window in one run; what is left waits for the next run.
const MAX_BATCHES = 100;

export class RetentionStore {
  readonly #knex: Knex;
  readonly #t: TableNames;

  constructor(knex: Knex, tables: TableNames) {
    this.#knex = knex;
    this.#t = tables;
  }

  /**
   * Deletes, for each window, the attempts of deliveries that finished before it, then those deliveries themselves
   * when they are `lead_created` postbacks. A commission's or adjustment's delivery row is kept (its attempts go):
   * the running net payout of a later postback for the same click is summed from those rows, so deleting one would
   * change the amount sent for an adjustment that comes after. Stops between statements once `signal` is aborted.
   */
  async prune(windows: RetentionWindows, now: Date, options: { batchSize?: number; signal?: AbortSignal } = {}): Promise<Pruned> {
    const pruned: Pruned = { deliveries: 0, attempts: 0 };
    const batchSize = options.batchSize ?? PRUNE_BATCH;
    const plans: Array<[readonly DeliveryStatus[], number | null]> = [
      [['delivered', 'skipped'], windows.deliveredDays],
      [['failed'], windows.failedDays],
    ];
    for (const [statuses, days] of plans) {
      if (days === null) continue;
      const before = new Date(now.getTime() - days * DAY_MS);
      pruned.attempts += await this.#inBatches(batchSize, options.signal, () => this.#pruneAttempts(statuses, before, batchSize));
      pruned.attempts += await this.#inBatches(batchSize, options.signal, () => this.#pruneFirstAttempts(statuses, before, batchSize));
      pruned.deliveries += await this.#inBatches(batchSize, options.signal, () => this.#pruneDeliveries(statuses, before, batchSize));
    }
    return pruned;
  }

  async #inBatches(batchSize: number, signal: AbortSignal | undefined, batch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (let round = 0; round < MAX_BATCHES && signal?.aborted !== true; round++) {
      const deleted = await batch();
      total += deleted;
      if (deleted < batchSize) break;
    }
    return total;
  }

  // Read through the attempts' time index; an attempt is never later than its delivery's last change.
  async #pruneAttempts(statuses: readonly DeliveryStatus[], before: Date, batchSize: number): Promise<number> {
    const { attempts: a, deliveries: d } = this.#t;
    const pks = (await this.#knex(a)
      .join(d, `${d}.pk`, `${a}.delivery_pk`)
      .where(`${a}.attempted_at`, '<', before)
      .whereIn(`${d}.status`, statuses)
      .andWhere(`${d}.updated_at`, '<', before)
      .limit(batchSize)
      .pluck(`${a}.pk`)) as Array<string | number>;
    if (pks.length === 0) return 0;
    await this.#knex(a).whereIn('pk', pks).delete();
    return pks.length;
  }

  // A first attempt kept on its delivery's row is cleared from it, read through its own time index, before a lead's
  // delivery is deleted (a commission's is kept), so the count of pruned attempts includes it. The conditions are checked
  // again by the update.
  async #pruneFirstAttempts(statuses: readonly DeliveryStatus[], before: Date, batchSize: number): Promise<number> {
    const d = this.#t.deliveries;
    const finished = (query: Knex.QueryBuilder, table: string) =>
      query.where(`${table}.first_attempted_at`, '<', before).whereIn(`${table}.status`, statuses).andWhere(`${table}.updated_at`, '<', before);
    // Forced: with most rows older than the window, MariaDB would rather scan the table, and then read all of it for a
    // few hundred rows.
    const indexed = this.#knex.from(this.#knex.raw(byIndex(this.#knex), [d, 'first', `${d}_first_attempted_ix`]));
    const pks = (await finished(indexed, 'first').limit(batchSize).pluck('first.pk')) as Array<string | number>;
    if (pks.length === 0) return 0;
    const cleared: unknown = await finished(this.#knex(d).whereIn('pk', pks), d).update(Object.fromEntries(FIRST_ATTEMPT_COLUMNS.map((name) => [name, null])));
    return Number(cleared);
  }

  // The conditions are checked again by the delete: a delivery replayed meanwhile is pending again and stays.
  async #pruneDeliveries(statuses: readonly DeliveryStatus[], before: Date, batchSize: number): Promise<number> {
    const { attempts: a, deliveries: d } = this.#t;
    const finished = (query: Knex.QueryBuilder) =>
      query
        .where(`${d}.event`, 'lead_created')
        .whereIn(`${d}.status`, statuses)
        .andWhere(`${d}.updated_at`, '<', before)
        .whereNotExists(this.#knex(a).select(this.#knex.raw('1')).whereRaw('??.?? = ??.??', [a, 'delivery_pk', d, 'pk']));
    const pks = (await finished(this.#knex(d)).limit(batchSize).pluck(`${d}.pk`)) as Array<string | number>;
    if (pks.length === 0) return 0;
    const deleted: unknown = await finished(this.#knex(d).whereIn(`${d}.pk`, pks)).delete();
    return Number(deleted);
  }
}
