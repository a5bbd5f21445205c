// Fenced leases and failure kinds: a lease token per claim, and whether a failed attempt may have reached the tracker.

import type { Knex } from 'knex';
import type { TableNames } from '../tables.js';
import { isMySql } from '../database.js';

/** Adds `lease_token` to the outbox and `failure_kind` to the attempts. */
export function deliveryCoreMigration(t: TableNames): Knex.Migration {
  return {
    async up(knex) {
      await knex.schema.alterTable(t.deliveries, (table) => {
        table.string('lease_token', 32).nullable().comment('the claim holding the lease: every completion, postpone and release must name it');
      });
      await knex.schema.alterTable(t.attempts, (table) => {
        table.string('failure_kind', 16).nullable().comment('unreached, ambiguous or rejected; null when delivered or skipped');
      });
    },
    async down(knex) {
      if (isMySql(knex)) {
        await knex.schema.alterTable(t.attempts, (table) => {
          table.dropColumn('failure_kind');
        });
        await knex.schema.alterTable(t.deliveries, (table) => {
          table.dropColumn('lease_token');
        });
        return;
      }
      // knex rebuilds a SQLite table to drop a column, which the foreign keys forbid; SQLite 3.35+ drops it in place.
      await knex.raw('alter table ?? drop column failure_kind', [t.attempts]);
      await knex.raw('alter table ?? drop column lease_token', [t.deliveries]);
    },
  };
}
