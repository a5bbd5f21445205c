// Each tracker host's row the fleet shares: its circuit breaker (open until when, who may probe it) and whether
// an instance is waiting for one of its slots. Rows are read all at once on a timer, never per postback.

import type { Knex } from 'knex';
import type { TableNames } from './tables.js';
import { toDate } from './tables.js';

/** One host's shared state, as read. */
export interface TrackerHost {
  host: string;
  /** Postbacks are held back until then, and one probe may go after it; null when the breaker is closed. */
  openUntil: Date | null;
  /** The instance that took the probe of a half-open breaker, while its right lasts. */
  probeOwner: string | null;
  /** Until then an instance waits for a slot of this host: every holder keeps to its fair share. */
  wantedUntil: Date | null;
}

/** The shared breakers and waits (an in-memory fake stands in for it in unit tests). */
export interface TrackerHostsStore {
  /** Opens (or opens again) `host`'s breaker until `until`, dropping any probe right. */
  open(host: string, until: Date): Promise<void>;
  /** Closes `host`'s breaker for the fleet. */
  close(host: string): Promise<void>;
  /**
   * Takes the probe of `host`'s half-open breaker for `owner` until `until`: true for the one instance that gets
   * it, false while another holds it, or when the breaker is closed or still cooling down at `now`.
   */
  takeProbe(host: string, owner: string, now: Date, until: Date): Promise<boolean>;
  /** Says an instance waits for a slot of `host` until `until`. */
  want(host: string, until: Date): Promise<void>;
  /** Every host whose breaker is not closed, or that an instance waits for at `now`. */
  read(now: Date): Promise<TrackerHost[]>;
}

interface TrackerHostRow {
  host: string;
  open_until: Date | string | number | null;
  probe_owner: string | null;
  probe_until: Date | string | number | null;
  wanted_until: Date | string | number | null;
}

const orNull = (value: Date | string | number | null) => (value === null ? null : toDate(value));

export class KnexTrackerHostsStore implements TrackerHostsStore {
  readonly #knex: Knex;
  readonly #table: string;

  constructor(knex: Knex, tables: TableNames) {
    this.#knex = knex;
    this.#table = tables.trackerHosts;
  }

  async open(host: string, until: Date): Promise<void> {
    const opened = { open_until: until, probe_owner: null, probe_until: null };
    await this.#knex(this.#table).insert({ host, ...opened }).onConflict('host').merge(opened);
  }

  async close(host: string): Promise<void> {
    await this.#knex(this.#table).where('host', host).update({ open_until: null, probe_owner: null, probe_until: null });
  }

  async takeProbe(host: string, owner: string, now: Date, until: Date): Promise<boolean> {
    const taken = await this.#knex(this.#table)
      .where('host', host)
      .andWhere('open_until', '<=', now)
      .andWhere((where) => void where.whereNull('probe_until').orWhere('probe_until', '<=', now))
      .update({ probe_owner: owner, probe_until: until });
    return taken === 1;
  }

  async want(host: string, until: Date): Promise<void> {
    await this.#knex(this.#table).insert({ host, wanted_until: until }).onConflict('host').merge({ wanted_until: until });
  }

  async read(now: Date): Promise<TrackerHost[]> {
    const rows = await this.#knex<TrackerHostRow>(this.#table)
      .whereNotNull('open_until')
      .orWhere('wanted_until', '>', now)
      .select('host', 'open_until', 'probe_owner', 'probe_until', 'wanted_until');
    return rows.map((row) => {
      const probeUntil = orNull(row.probe_until);
      return {
        host: row.host,
        openUntil: orNull(row.open_until),
        probeOwner: probeUntil !== null && probeUntil > now ? row.probe_owner : null,
        wantedUntil: orNull(row.wanted_until),
      };
    });
  }
}
