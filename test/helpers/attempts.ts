// Every recorded attempt as one table, for tests that read the delivery log in SQL: a delivery's first attempt may be
// on its own row, the rest are in the attempts table.

import type { Knex } from 'knex';
import type { TableNames } from '../../lib/store/tables.js';

/** The columns every attempt has, under the attempts table's names. */
const COLUMNS = ['attempted_at', 'request_method', 'request_url', 'status_code', 'latency_ms', 'error', 'response_excerpt', 'failure_kind'] as const;

/** A query over every attempt of every delivery (`delivery_pk` and the attempts table's columns), aliased `alias`. */
export function allAttempts(knex: Knex, t: TableNames, alias = 'all_attempts'): Knex.QueryBuilder {
  const onRows = knex(t.deliveries)
    .whereNotNull('first_attempted_at')
    .select({ delivery_pk: 'pk', ...Object.fromEntries(COLUMNS.map((name) => [name, `first_${name}`])) });
  return knex(t.attempts)
    .select('delivery_pk', ...COLUMNS)
    .unionAll(onRows)
    .as(alias);
}
