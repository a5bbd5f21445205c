// The fleet: one row per running relay instance, written by its heartbeat, so every instance and the dashboard see the others.

import type { Knex } from 'knex';
import type { TableNames } from '../tables.js';

/** Adds the instances table. */
export function fleetMigration(t: TableNames): Knex.Migration {
  return {
    async up(knex) {
      await knex.schema.createTable(t.instances, (table) => {
        table.string('id', 12).primary().comment('random per process; also the first characters of every lease token it writes');
        table.string('host', 255).notNullable();
        table.integer('pid').notNullable();
        table.string('version', 64).notNullable();
        table.boolean('dispatching').notNullable().comment('false on an ingest-only instance');
        table.integer('held').notNullable().defaultTo(0).comment('deliveries held under lease at the last heartbeat');
        table.datetime('started_at', { precision: 3 }).notNullable();
        table.datetime('last_seen_at', { precision: 3 }).notNullable().index(`${t.instances}_seen_ix`);
      });
    },
    async down(knex) {
      await knex.schema.dropTable(t.instances);
    },
  };
}
