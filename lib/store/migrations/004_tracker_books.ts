// Tracker books: deliveries carry their lead's click ID (totals and ordering per click), endpoints an adjustment mode.

import type { Knex } from 'knex';
import type { TableNames } from '../tables.js';

/**
 * Adds `click_id` to the outbox (filled from each delivery's lead) with an index per endpoint and click, for the
 * running totals and the per-click ordering of one-conversion-per-click trackers, and `adjustment_mode` to endpoints.
 */
export function trackerBooksMigration(t: TableNames): Knex.Migration {
  return {
    async up(knex) {
      await knex.schema.alterTable(t.deliveries, (table) => {
        table.string('click_id', 255).nullable().comment("the lead's click ID: totals and ordering are per endpoint and click");
      });
      await knex(t.deliveries).update({ click_id: knex(t.leads).select('click_id').where('pk', knex.ref(`${t.deliveries}.lead_pk`)) });
      await knex.schema.alterTable(t.deliveries, (table) => {
        table.index(['click_id', 'endpoint_pk', 'status'], `${t.deliveries}_click_endpoint_ix`);
      });
      await knex.schema.alterTable(t.endpoints, (table) => {
        table.string('adjustment_mode', 16).nullable().comment("how adjustments go (replace, delta, status, skip, correction); null: the plugin's default");
      });
    },
    async down(knex) {
      await knex.schema.alterTable(t.deliveries, (table) => {
        table.dropIndex(['click_id', 'endpoint_pk', 'status'], `${t.deliveries}_click_endpoint_ix`);
      });
      // SQLite 3.35+ drops a column in place (knex would rebuild the table, which the attempts' foreign key forbids).
      await knex.raw('alter table ?? drop column click_id', [t.deliveries]);
      await knex.raw('alter table ?? drop column adjustment_mode', [t.endpoints]);
    },
  };
}
