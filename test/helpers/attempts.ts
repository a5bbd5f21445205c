// Every recorded attempt as one table, for tests that read the delivery log in SQL: a delivery's first attempt may be
// on its own row, the rest are in the attempts table.

import type { Knex } from 'knex';
import { FIRST_ATTEMPT_COLUMNS } from '../../lib/store/tables.js';
import type { TableNames } from '../../lib/store/tables.js';

// Each outbox column of a first attempt beside the attempts table's name for it (the same, less `first_`).
const COLUMNS = FIRST_ATTEMPT_COLUMNS.map((column) => [column.slice('first_'.length), column] as const);

/** A query over every attempt of every delivery (`delivery_pk` and the attempts table's columns), aliased `alias`. */
export function allAttempts(knex: Knex, t: TableNames, alias = 'all_attempts'): Knex.QueryBuilder {
  const onRows = knex(t.deliveries)
    .whereNotNull('first_attempted_at')
    .select({ delivery_pk: 'pk', ...Object.fromEntries(COLUMNS) });
  return knex(t.attempts)
    .select('delivery_pk', ...COLUMNS.map(([name]) => name))
    .unionAll(onRows)
    .as(alias);
}
