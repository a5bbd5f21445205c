// Per-tracker-host state the fleet shares: the slots of each host's concurrency cap, leased by instances, and each
// host's circuit breaker (and whether an instance is waiting for its slots).

import type { Knex } from 'knex';
import type { TableNames } from '../tables.js';

/** Adds `<prefix>host_slots` and `<prefix>tracker_hosts`. */
export function hostSlotsMigration(t: TableNames): Knex.Migration {
  return {
    async up(knex) {
      await knex.schema.createTable(t.hostSlots, (table) => {
        table.string('host', 255).notNullable().comment('the tracker host, name:port');
        table.integer('slot').notNullable().comment('0 .. cap-1: one row per request the host may have in flight from the whole fleet');
        table.string('owner', 12).nullable().comment('the instance holding the slot, null when free');
        table.datetime('until', { precision: 3 }).nullable().comment('the holder\'s lease: past it, any instance may take the slot');
        // knex 3 names a composite key wrongly on MySQL and SQLite when asked to: the default name it is.
        table.primary(['host', 'slot']);
      });
      await knex.schema.createTable(t.trackerHosts, (table) => {
        table.string('host', 255).primary().comment('the tracker host, name:port');
        table.datetime('open_until', { precision: 3 }).nullable().comment('breaker open (postbacks held back) until then, half-open after it; null when closed');
        table.string('probe_owner', 12).nullable().comment('the one instance whose probe may go while half-open');
        table.datetime('probe_until', { precision: 3 }).nullable().comment('when that probe right lapses, if its instance never reports');
        table.datetime('wanted_until', { precision: 3 }).nullable().comment('an instance found no free slot: holders keep to their fair share until then');
      });
    },
    async down(knex) {
      await knex.schema.dropTable(t.trackerHosts);
      await knex.schema.dropTable(t.hostSlots);
    },
  };
}
