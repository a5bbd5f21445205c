// The instances table: each instance's heartbeat row, the fleet as the database sees it, and leases by holder.

import type { Knex } from 'knex';
import type { TableNames } from '../store/tables.js';
import { toDate } from '../store/tables.js';

/** What an instance says about itself at each heartbeat. */
export interface InstanceReport {
  id: string;
  host: string;
  pid: number;
  version: string;
  dispatching: boolean;
  /** Deliveries this instance holds under lease now. */
  held: number;
  startedAt: Date;
}

/** One instance as the fleet sees it. */
export interface FleetInstance extends InstanceReport {
  lastSeenAt: Date;
  /** Seen within the staleness bound. */
  alive: boolean;
  /** Deliveries whose live lease carries this instance's id, counted from the outbox. */
  leased: number;
}

/** The whole fleet at one moment. */
export interface FleetView {
  now: Date;
  instances: FleetInstance[];
  /** Deliveries under a live lease taken by an instance that is no longer alive (or no longer listed): they wait for the lease to run out. */
  leasedByDead: number;
}

interface InstanceRow {
  id: string;
  host: string;
  pid: number | string;
  version: string;
  dispatching: boolean | number;
  held: number | string;
  started_at: Date | string | number;
  last_seen_at: Date | string | number;
}

/** The length of an instance id, which starts every lease token that instance writes. */
export const INSTANCE_ID_LENGTH = 12;

export class InstancesStore {
  readonly #knex: Knex;
  readonly #t: TableNames;

  constructor(knex: Knex, tables: TableNames) {
    this.#knex = knex;
    this.#t = tables;
  }

  /** Writes (or writes again, after a prune) the instance's row with `now` as its last sighting. */
  async beat(report: InstanceReport, now: Date): Promise<void> {
    const row = {
      id: report.id,
      host: report.host,
      pid: report.pid,
      version: report.version,
      dispatching: report.dispatching,
      held: report.held,
      started_at: report.startedAt,
      last_seen_at: now,
    };
    await this.#knex(this.#t.instances).insert(row).onConflict('id').merge(['held', 'dispatching', 'last_seen_at']);
  }

  async remove(id: string): Promise<void> {
    await this.#knex(this.#t.instances).where('id', id).delete();
  }

  /** Deletes rows not seen since `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    return this.#knex(this.#t.instances).where('last_seen_at', '<', before).delete();
  }

  /** How many instances were seen at or after `since`, and how many of those send postbacks. */
  async countSeenSince(since: Date): Promise<{ alive: number; sending: number }> {
    const row = await this.#knex(this.#t.instances)
      .where('last_seen_at', '>=', since)
      .first<{ alive: number | string; sending: number | string | null } | undefined>(this.#knex.raw('count(*) as alive'), this.#knex.raw('sum(case when dispatching then 1 else 0 end) as sending'));
    return { alive: Number(row?.alive ?? 0), sending: Number(row?.sending ?? 0) };
  }

  /** Every listed instance, with the live leases each holds; those not seen since `aliveSince` are dead. */
  async view(now: Date, aliveSince: Date): Promise<FleetView> {
    const rows = await this.#knex<InstanceRow>(this.#t.instances).select('*').orderBy('started_at');
    // knex types a raw select column loosely; the row shape is this query's own.
    const leases = (await this.#knex(this.#t.deliveries)
      .where('locked_until', '>', now)
      .whereNotNull('lease_token')
      .select(this.#knex.raw('substr(lease_token, 1, ?) as holder', [INSTANCE_ID_LENGTH]))
      .count({ n: '*' })
      .groupBy('holder')) as unknown as Array<{ holder: string; n: number | string }>;
    const leasedBy = new Map(leases.map((lease) => [lease.holder, Number(lease.n)]));
    const instances = rows.map((row): FleetInstance => {
      const lastSeenAt = toDate(row.last_seen_at);
      return {
        id: row.id,
        host: row.host,
        pid: Number(row.pid),
        version: row.version,
        dispatching: Boolean(row.dispatching),
        held: Number(row.held),
        startedAt: toDate(row.started_at),
        lastSeenAt,
        alive: lastSeenAt.getTime() >= aliveSince.getTime(),
        leased: leasedBy.get(row.id) ?? 0,
      };
    });
    const alive = new Set(instances.filter((instance) => instance.alive).map((instance) => instance.id));
    let leasedByDead = 0;
    for (const [holder, n] of leasedBy) if (!alive.has(holder)) leasedByDead += n;
    return { now, instances, leasedByDead };
  }
}
