// The first schema: leads, commissions, adjustments, endpoints, and the delivery outbox with its attempts.

import type { Knex } from 'knex';
import type { TableNames } from '../tables.js';
import { isMySql } from '../database.js';

/** The initial migration, for the tables under the given names. */
export function initialMigration(t: TableNames): Knex.Migration {
  return {
    async up(knex) {
      const mysql = isMySql(knex);
      // SQLite has no exact numeric type (knex maps decimal to REAL), so money is stored there as text.
      const money = (table: Knex.CreateTableBuilder, name: string) =>
        mysql ? table.decimal(name, 19, 6) : table.string(name, 32);
      const time = (table: Knex.CreateTableBuilder, name: string) => table.datetime(name, { precision: 3 });
      const engine = (table: Knex.CreateTableBuilder, comment: string) => {
        if (mysql) {
          table.engine('InnoDB');
          table.charset('utf8mb4');
          table.collate('utf8mb4_bin');
        }
        table.comment(comment);
      };

      await knex.schema.createTable(t.leads, (table) => {
        engine(table, 'postback-relay: leads (form fills) with the tracker click ID');
        table.bigIncrements('pk').primary();
        table.string('external_id', 191).notNullable().comment("the host's lead id");
        table.string('click_id', 255).notNullable();
        table.string('affiliate_id', 191).notNullable();
        table.string('offer_id', 191).nullable();
        for (const sub of ['sub1', 'sub2', 'sub3', 'sub4', 'sub5']) table.string(sub, 255).nullable();
        table.string('source', 16).notNullable();
        table.string('payload_hash', 64).notNullable().comment('sha256 of the event, to tell a repeat from a conflict');
        time(table, 'occurred_at').notNullable();
        time(table, 'recorded_at').notNullable();
        table.unique(['external_id'], { indexName: `${t.leads}_external_id_uq` });
        table.index(['click_id'], `${t.leads}_click_id_ix`);
        table.index(['affiliate_id', 'offer_id'], `${t.leads}_affiliate_offer_ix`);
      });

      await knex.schema.createTable(t.commissions, (table) => {
        engine(table, 'postback-relay: commissions, many per lead, each its own conversion');
        table.bigIncrements('pk').primary();
        table.string('external_id', 191).notNullable().comment("the host's commission id");
        table.bigInteger('lead_pk').unsigned().notNullable();
        money(table, 'amount').notNullable().comment('payout as first earned');
        money(table, 'current_amount').notNullable().comment('payout after all adjustments');
        table.string('currency', 3).notNullable();
        table.string('payload_hash', 64).notNullable();
        time(table, 'occurred_at').notNullable();
        time(table, 'recorded_at').notNullable();
        table.unique(['external_id'], { indexName: `${t.commissions}_external_id_uq` });
        table.foreign('lead_pk', `${t.commissions}_lead_fk`).references('pk').inTable(t.leads);
      });

      await knex.schema.createTable(t.adjustments, (table) => {
        engine(table, 'postback-relay: changes to a commission after the fact');
        table.bigIncrements('pk').primary();
        table.string('external_id', 191).notNullable().comment("the host's adjustment id");
        table.bigInteger('commission_pk').unsigned().notNullable();
        money(table, 'delta').notNullable();
        money(table, 'amount_before').notNullable();
        money(table, 'amount_after').notNullable();
        table.string('reason', 255).nullable();
        table.string('payload_hash', 64).notNullable();
        time(table, 'occurred_at').notNullable();
        time(table, 'recorded_at').notNullable();
        table.unique(['external_id'], { indexName: `${t.adjustments}_external_id_uq` });
        table.foreign('commission_pk', `${t.adjustments}_commission_fk`).references('pk').inTable(t.commissions);
      });

      await knex.schema.createTable(t.endpoints, (table) => {
        engine(table, 'postback-relay: postback endpoints of affiliates');
        table.bigIncrements('pk').primary();
        table.string('affiliate_id', 191).notNullable();
        table.string('offer_id', 191).nullable().comment('null: every offer of the affiliate without its own endpoint');
        table.string('name', 191).nullable();
        table.string('plugin', 64).notNullable();
        table.text('settings').notNullable().comment('JSON, checked by the plugin');
        table.string('events', 128).notNullable().comment('comma-separated event names');
        table.boolean('enabled').notNullable().defaultTo(true);
        time(table, 'created_at').notNullable();
        time(table, 'updated_at').notNullable();
        table.index(['affiliate_id', 'offer_id'], `${t.endpoints}_affiliate_offer_ix`);
      });

      await knex.schema.createTable(t.deliveries, (table) => {
        engine(table, 'postback-relay: the outbox, one row per postback to send');
        table.bigIncrements('pk').primary();
        table.bigInteger('endpoint_pk').unsigned().notNullable();
        table.string('event', 32).notNullable();
        table.bigInteger('lead_pk').unsigned().notNullable();
        table.bigInteger('commission_pk').unsigned().nullable();
        table.bigInteger('adjustment_pk').unsigned().nullable();
        table.string('dedupe_key', 191).notNullable().comment('endpoint + event + entity: one postback per pair');
        table.string('status', 16).notNullable();
        table.integer('attempt_count').notNullable().defaultTo(0);
        time(table, 'next_attempt_at').notNullable();
        time(table, 'locked_until').nullable().comment('lease held by the instance sending it');
        table.integer('last_status_code').nullable();
        table.string('last_error', 1024).nullable();
        time(table, 'created_at').notNullable();
        time(table, 'updated_at').notNullable();
        time(table, 'delivered_at').nullable();
        table.unique(['dedupe_key'], { indexName: `${t.deliveries}_dedupe_uq` });
        table.index(['status', 'next_attempt_at'], `${t.deliveries}_due_ix`);
        table.index(['lead_pk'], `${t.deliveries}_lead_ix`);
        table.foreign('endpoint_pk', `${t.deliveries}_endpoint_fk`).references('pk').inTable(t.endpoints);
        table.foreign('lead_pk', `${t.deliveries}_lead_fk`).references('pk').inTable(t.leads);
        table.foreign('commission_pk', `${t.deliveries}_commission_fk`).references('pk').inTable(t.commissions);
        table.foreign('adjustment_pk', `${t.deliveries}_adjustment_fk`).references('pk').inTable(t.adjustments);
      });

      await knex.schema.createTable(t.attempts, (table) => {
        engine(table, 'postback-relay: every request made for a delivery');
        table.bigIncrements('pk').primary();
        table.bigInteger('delivery_pk').unsigned().notNullable();
        time(table, 'attempted_at').notNullable();
        table.string('request_method', 8).notNullable();
        table.text('request_url').notNullable();
        table.integer('status_code').nullable();
        table.integer('latency_ms').notNullable();
        table.string('error', 1024).nullable();
        table.text('response_excerpt').nullable();
        table.index(['delivery_pk'], `${t.attempts}_delivery_ix`);
        table.foreign('delivery_pk', `${t.attempts}_delivery_fk`).references('pk').inTable(t.deliveries);
      });
    },

    async down(knex) {
      for (const table of [t.attempts, t.deliveries, t.endpoints, t.adjustments, t.commissions, t.leads]) {
        await knex.schema.dropTableIfExists(table);
      }
    },
  };
}
