// Retention and the dashboard's time windows: an index for each time-window query on the outbox and its attempts.

import type { Knex } from 'knex';
import type { TableNames } from '../tables.js';

/**
 * - deliveries (created_at, event, status): the overview's counts since an hour/day ago (covering), and the delivery
 *   list's since/until filters;
 * - deliveries (event, status, updated_at): the finished rows retention prunes;
 * - attempts (attempted_at): attempts per minute on the overview, and the attempts retention prunes.
 */
export function retentionMigration(t: TableNames): Knex.Migration {
  return {
    async up(knex) {
      await knex.schema.alterTable(t.deliveries, (table) => {
        table.index(['created_at', 'event', 'status'], `${t.deliveries}_created_ix`);
        table.index(['event', 'status', 'updated_at'], `${t.deliveries}_finished_ix`);
      });
      await knex.schema.alterTable(t.attempts, (table) => {
        table.index(['attempted_at'], `${t.attempts}_attempted_ix`);
      });
    },
    async down(knex) {
      await knex.schema.alterTable(t.attempts, (table) => {
        table.dropIndex(['attempted_at'], `${t.attempts}_attempted_ix`);
      });
      await knex.schema.alterTable(t.deliveries, (table) => {
        table.dropIndex(['event', 'status', 'updated_at'], `${t.deliveries}_finished_ix`);
        table.dropIndex(['created_at', 'event', 'status'], `${t.deliveries}_created_ix`);
      });
    },
  };
}
