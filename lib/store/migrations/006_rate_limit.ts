// The shared rate-limit counts (rateLimit.store 'database'): one row per client address and limiter.

import type { Knex } from 'knex';
import type { TableNames } from '../tables.js';

/** Adds `<prefix>rate_limits`. */
export function rateLimitMigration(t: TableNames): Knex.Migration {
  return {
    async up(knex) {
      await knex.schema.createTable(t.rateLimits, (table) => {
        table.string('client_key', 191).primary().comment('the limiter\'s prefix and the client address (an IPv6 /64)');
        table.integer('hits').notNullable().comment('requests in the current window');
        table.bigInteger('reset_at').notNullable().index(`${t.rateLimits}_reset_ix`).comment('when the window ends, epoch ms');
      });
    },
    async down(knex) {
      await knex.schema.dropTable(t.rateLimits);
    },
  };
}
