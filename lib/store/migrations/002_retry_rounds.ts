// Reliable delivery: attempts per round (a replay starts a new round of the retry schedule), and endpoint failure windows.

import type { Knex } from 'knex';
import type { TableNames } from '../tables.js';
import { isMySql } from '../database.js';

/** Adds `round_attempts` to the outbox, an index for the per-lead ordering check, and `failing_since` to endpoints. */
export function retryRoundsMigration(t: TableNames): Knex.Migration {
  return {
    async up(knex) {
      await knex.schema.alterTable(t.deliveries, (table) => {
        table.integer('round_attempts').notNullable().defaultTo(0).comment('attempts since queued or last replayed: the step in the retry schedule');
        table.index(['lead_pk', 'endpoint_pk', 'status'], `${t.deliveries}_lead_endpoint_ix`);
      });
      await knex.schema.alterTable(t.endpoints, (table) => {
        table.datetime('failing_since', { precision: 3 }).nullable().comment('first failed attempt since the last success: the auto-disable window');
      });
    },
    async down(knex) {
      if (isMySql(knex)) {
        await knex.schema.alterTable(t.endpoints, (table) => {
          table.dropColumn('failing_since');
        });
        await knex.schema.alterTable(t.deliveries, (table) => {
          table.dropIndex(['lead_pk', 'endpoint_pk', 'status'], `${t.deliveries}_lead_endpoint_ix`);
          table.dropColumn('round_attempts');
        });
        return;
      }
      // knex rebuilds a SQLite table to drop a column, which the attempts' foreign key forbids; SQLite 3.35+ drops it in place.
      await knex.raw('drop index ??', [`${t.deliveries}_lead_endpoint_ix`]);
      await knex.raw('alter table ?? drop column round_attempts', [t.deliveries]);
      await knex.raw('alter table ?? drop column failing_since', [t.endpoints]);
    },
  };
}
