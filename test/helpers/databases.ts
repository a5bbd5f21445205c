// The databases every store test runs against: embedded SQLite always, MariaDB/MySQL when it answers (required in CI).

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { knexConfigForUrl } from '../../lib/store/database.js';

export interface DatabaseTarget {
  name: string;
  /** A fresh database URL for one suite. */
  url(): string;
}

/** `mysql://root@127.0.0.1:3306/test` unless TEST_MYSQL_URL says otherwise. */
export const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
/** Set by .ci/run: a missing MySQL fails the run instead of skipping its suite. */
export const MYSQL_REQUIRED = process.env.PB_REQUIRE_MYSQL === '1';

export const sqliteTarget: DatabaseTarget = {
  name: 'SQLite',
  url: () => join(mkdtempSync(join(tmpdir(), 'pb-test-')), 'relay.sqlite'),
};

export const mysqlTarget: DatabaseTarget = { name: 'MariaDB/MySQL', url: () => MYSQL_URL };

/** A table prefix no other suite uses, so suites sharing one MySQL database never see each other's rows. */
export function uniquePrefix(): string {
  return `t${randomBytes(4).toString('hex')}_`;
}

let mysqlReachable: Promise<boolean> | undefined;

/** Whether MySQL answers a query, checked once per run. */
export function isMySqlReachable(): Promise<boolean> {
  mysqlReachable ??= (async () => {
    // A probe: a refused connection is an answer here, not a warning with a stack trace on the console.
    const knex = knexFactory({ ...knexConfigForUrl(MYSQL_URL), acquireConnectionTimeout: 3000, log: { warn: () => undefined } });
    try {
      await knex.raw('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await knex.destroy();
    }
  })();
  return mysqlReachable;
}

/**
 * A `before` hook for a suite that needs MySQL: without it a newcomer's run skips the suite with a banner naming
 * `title`; with PB_REQUIRE_MYSQL=1 (CI) it fails.
 */
export function requireMySql(title: string): (this: Mocha.Context) => Promise<void> {
  return async function (this: Mocha.Context) {
    if (await isMySqlReachable()) return;
    if (MYSQL_REQUIRED) throw new Error(`MySQL is required (PB_REQUIRE_MYSQL=1) but ${MYSQL_URL} does not answer`);
    console.warn(
      `\n  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n` +
        `  !! SKIPPING "${title}": ${MYSQL_URL} does not answer.\n` +
        `  !! Start MariaDB (or set TEST_MYSQL_URL) to run it; CI requires it.\n` +
        `  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
    );
    this.skip();
  };
}

/**
 * Runs `suite` once per database. Without MySQL, a newcomer's run skips that half with a banner;
 * with PB_REQUIRE_MYSQL=1 (CI) it fails.
 */
export function describeEachDatabase(title: string, suite: (target: DatabaseTarget) => void): void {
  for (const target of [sqliteTarget, mysqlTarget]) {
    describe(`${title} [${target.name}]`, function () {
      if (target === mysqlTarget) before(requireMySql(`the MySQL half of "${title}"`));
      suite(target);
    });
  }
}
