// The bench's own database chores: the server's version, unique table prefixes, and dropping a run's tables afterwards.

import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { knexConfigForUrl } from '../../../lib/store/database.js';

/** A prefix no other run uses: `pbb<time><random>_<scenario>_`, within the relay's 32 characters. */
export function runPrefix(scenario: string): string {
  // A table prefix takes letters, digits and underscores only (system names such as relay-defaults have dashes).
  return `pbb${Date.now().toString(36)}${randomBytes(2).toString('hex')}_${scenario.replace(/[^A-Za-z0-9]/g, '').slice(0, 6)}_`;
}

/** The MariaDB/MySQL version string, or an error naming the URL when it does not answer. */
export async function databaseVersion(url: string): Promise<string> {
  const knex = knexFactory({ ...knexConfigForUrl(url), acquireConnectionTimeout: 5_000 });
  try {
    const [rows] = (await knex.raw('select version() as version')) as [Array<{ version: string }>];
    return rows[0]?.version ?? 'unknown';
  } catch (error) {
    throw new Error(`MariaDB does not answer at ${url.replace(/\/\/[^@]*@/, '//')}: ${String(error)}`, { cause: error });
  } finally {
    await knex.destroy();
  }
}

/**
 * Drops every table whose name starts with `prefix` (the relay's and the naive handler's), whatever migrations
 * made them. One connection, so switching foreign-key checks off holds for every drop.
 */
export async function dropPrefixedTables(url: string, prefix: string): Promise<string[]> {
  if (!/^[A-Za-z0-9_]{4,}$/.test(prefix)) throw new Error(`refusing to drop tables by the prefix ${JSON.stringify(prefix)}`);
  const config = knexConfigForUrl(url);
  const knex = knexFactory({ ...config, pool: { ...config.pool, min: 1, max: 1 } });
  try {
    const [rows] = (await knex.raw('select table_name as name from information_schema.tables where table_schema = database() and table_name like ?', [
      `${prefix.replaceAll('_', '\\_')}%`,
    ])) as [Array<{ name: string }>];
    const names = rows.map((row) => row.name);
    if (names.length > 0) {
      await knex.raw('set foreign_key_checks = 0');
      await knex.raw(`drop table if exists ${names.map(() => '??').join(', ')}`, names);
      await knex.raw('set foreign_key_checks = 1');
    }
    return names;
  } finally {
    await knex.destroy();
  }
}
