// A delivery's first attempt on its own row: the usual postback (sent once, answered) then writes no attempt row.

import type { Knex } from 'knex';
import { FIRST_ATTEMPT_COLUMNS } from '../tables.js';
import type { TableNames } from '../tables.js';

/**
 * Adds the first attempt's columns to the outbox, null until a delivery's first attempt is recorded on its row, with
 * an index on its time for the overview's attempts per minute and for retention.
 */
export function firstAttemptMigration(t: TableNames): Knex.Migration {
  return {
    async up(knex) {
      await knex.schema.alterTable(t.deliveries, (table) => {
        table.datetime('first_attempted_at', { precision: 3 }).nullable().comment('the first attempt, when recorded on this row; later attempts are in the attempts table');
        table.string('first_request_method', 8).nullable();
        table.text('first_request_url').nullable();
        table.integer('first_status_code').nullable();
        table.integer('first_latency_ms').nullable();
        table.string('first_error', 1024).nullable();
        table.text('first_response_excerpt').nullable();
        table.string('first_failure_kind', 16).nullable();
        table.index(['first_attempted_at'], `${t.deliveries}_first_attempted_ix`);
      });
    },
    async down(knex) {
      await knex.schema.alterTable(t.deliveries, (table) => {
        table.dropIndex(['first_attempted_at'], `${t.deliveries}_first_attempted_ix`);
      });
      // SQLite 3.35+ drops a column in place (knex would rebuild the table, which the attempts' foreign key forbids).
      for (const column of FIRST_ATTEMPT_COLUMNS) await knex.raw('alter table ?? drop column ??', [t.deliveries, column]);
    },
  };
}
