// The dispatcher's claims seen through its relay's knex query events: the positive signal a "nothing else happened"
// check waits on, since a claim that passed over a delivery is one that could have sent it.

import type { Knex } from 'knex';
import { tableNames } from '../../lib/store/tables.js';
import { poll } from './poll.js';

/** Whether `sql` is a claim's read of due deliveries: the only read that takes the endpoint's columns under `e_` names. */
export function isClaimRead(sql: string, prefix: string): boolean {
  return /^select\b/i.test(sql) && sql.includes(tableNames(prefix).deliveries) && sql.includes('e_enabled');
}

/**
 * Resolves once the dispatcher on `knex` has made `passes` whole claims that looked for what was due at `after` (by
 * default when called). A claim takes its `now` before its read goes out, and one claim follows another: so the read
 * after one seen at `after` or later is one whose `now` is past `after`, and the read after that proves it done, its
 * rows leased and taken. A claim that took a delivery shows in the delivery's row (leased, or an attempt more).
 */
export async function claimsSince(knex: Knex, prefix: string, options: { after?: Date; passes?: number; timeoutMs?: number } = {}): Promise<void> {
  const { after = new Date(), passes = 1, timeoutMs = 5000 } = options;
  let reads = 0;
  const onQuery = (query: { sql: string }) => {
    if (Date.now() >= after.getTime() && isClaimRead(query.sql, prefix)) reads += 1;
  };
  knex.on('query', onQuery);
  try {
    await poll(() => reads, (seen) => seen >= passes + 2, `${passes} claim(s) made after ${after.toISOString()} (claim reads seen)`, timeoutMs);
  } finally {
    knex.off('query', onQuery);
  }
}
