// The slots of each tracker host's concurrency cap, shared by the fleet: a host with a cap of C has slot rows
// 0..C-1, and an instance sends to the host only on slots it holds under a lease. Every statement reads one host's
// rows in primary-key order (or the owner's, in the same order), so concurrent statements never deadlock.

import type { Knex } from 'knex';
import { isMySql } from './database.js';
import type { TableNames } from './tables.js';

/** The slot leases, as the host guard's keeper uses them (an in-memory fake stands in for it in unit tests). */
export interface HostSlotsStore {
  /** Takes up to `count` of `host`'s slots below `cap` that are free or whose lease ended by `now`; returns how many. */
  take(host: string, cap: number, owner: string, count: number, until: Date, now: Date): Promise<number>;
  /** Extends to `until` the leases `owner` holds on `hosts`; returns how many slots it extended. */
  renew(owner: string, hosts: readonly string[], until: Date): Promise<number>;
  /** How many slots of each host `owner` holds under a lease that outlasts `now`. */
  held(owner: string, now: Date): Promise<Map<string, number>>;
  /** Gives back up to `count` of `owner`'s slots of `host`; returns how many. */
  give(owner: string, host: string, count: number): Promise<number>;
  /** Gives back every slot `owner` holds (at stop). */
  giveAll(owner: string): Promise<number>;
}

export class KnexHostSlotsStore implements HostSlotsStore {
  readonly #knex: Knex;
  readonly #table: string;
  // Hosts whose rows up to a cap exist: made once per host and cap in a process, not per take.
  readonly #made = new Set<string>();

  constructor(knex: Knex, tables: TableNames) {
    this.#knex = knex;
    this.#table = tables.hostSlots;
  }

  async take(host: string, cap: number, owner: string, count: number, until: Date, now: Date): Promise<number> {
    if (count <= 0) return 0;
    await this.#make(host, cap);
    const free = (query: Knex.QueryBuilder) =>
      query.where('host', host).andWhere('slot', '<', cap).andWhere((where) => void where.whereNull('owner').orWhere('until', '<=', now));
    return this.#limited(free, 'asc', count).update({ owner, until });
  }

  async renew(owner: string, hosts: readonly string[], until: Date): Promise<number> {
    if (hosts.length === 0) return 0;
    return this.#knex(this.#table).whereIn('host', hosts).andWhere('owner', owner).update({ until });
  }

  async held(owner: string, now: Date): Promise<Map<string, number>> {
    const rows = await this.#knex(this.#table).where('owner', owner).andWhere('until', '>', now).select('host').count<Array<{ host: string; n: number | string }>>({ n: '*' }).groupBy('host');
    return new Map(rows.map((row) => [row.host, Number(row.n)]));
  }

  async give(owner: string, host: string, count: number): Promise<number> {
    const mine = (query: Knex.QueryBuilder) => query.where('host', host).andWhere('owner', owner);
    return this.#limited(mine, 'desc', count).update({ owner: null, until: null });
  }

  async giveAll(owner: string): Promise<number> {
    return this.#knex(this.#table).where('owner', owner).update({ owner: null, until: null });
  }

  async #make(host: string, cap: number): Promise<void> {
    const key = `${cap}:${host}`;
    if (this.#made.has(key)) return;
    const rows = Array.from({ length: cap }, (_, slot) => ({ host, slot, owner: null, until: null }));
    await this.#knex(this.#table).insert(rows).onConflict(['host', 'slot']).ignore();
    this.#made.add(key);
  }

  // The first `count` rows `where` picks, by slot, for an UPDATE: MySQL has UPDATE ... ORDER BY ... LIMIT, SQLite
  // (without that compile option) takes them through a subquery on the same table, which MySQL refuses.
  #limited(where: (query: Knex.QueryBuilder) => Knex.QueryBuilder, order: 'asc' | 'desc', count: number): Knex.QueryBuilder {
    if (isMySql(this.#knex)) return where(this.#knex(this.#table)).orderBy('slot', order).limit(count);
    const picked = where(this.#knex(this.#table).select('slot')).orderBy('slot', order).limit(count);
    return where(this.#knex(this.#table)).whereIn('slot', picked);
  }
}
