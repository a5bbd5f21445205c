// Migrations run up and down on both databases, programmatically and through the knex CLI, under the table prefix.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { openDatabase } from '../../lib/store/database.js';
import { migrateLatest, migrateRollbackAll, pendingMigrations } from '../../lib/store/migrations/index.js';
import { tableNames } from '../../lib/store/tables.js';
import { describeEachDatabase, uniquePrefix } from '../helpers/databases.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

describeEachDatabase('migrations', (target) => {
  it('creates every table under the prefix, and removes them all on the way down, its own bookkeeping too', async () => {
    const url = target.url();
    const prefix = uniquePrefix();
    const knex = openDatabase(url);
    const t = tableNames(prefix);
    const relayTables = [t.leads, t.commissions, t.adjustments, t.endpoints, t.deliveries, t.attempts];
    try {
      expect(await pendingMigrations(knex, prefix)).to.include('20261201000000_initial');
      expect(await migrateLatest(knex, prefix)).to.include('20261201000000_initial');
      expect(await migrateLatest(knex, prefix)).to.deep.equal([]);
      for (const table of [...relayTables, t.migrations]) expect(await knex.schema.hasTable(table), table).to.equal(true);
      await migrateRollbackAll(knex, prefix);
      for (const table of Object.values(t)) expect(await knex.schema.hasTable(table), table).to.equal(false);
    } finally {
      await knex.schema.dropTableIfExists(t.migrations);
      await knex.schema.dropTableIfExists(t.migrationsLock);
      await knex.destroy();
    }
  });

  it('runs with the knex CLI through knexfile.js, configured from the environment', async function () {
    this.timeout(60_000);
    const url = target.url();
    const prefix = uniquePrefix();
    const env = { ...process.env, DATABASE_URL: url, POSTBACK_RELAY_TABLE_PREFIX: prefix };
    const knex = (...args: string[]) => run('npx', ['knex', '--knexfile', 'knexfile.js', ...args], { cwd: ROOT, env });
    expect((await knex('migrate:latest')).stdout).to.match(/Batch 1 run: \d+ migrations/);
    expect((await knex('migrate:status')).stdout).to.match(/No Pending Migration files Found/);
    expect((await knex('migrate:rollback', '--all')).stdout).to.match(/rolled back: \d+ migrations/);
    expect((await knex('migrate:status')).stdout).to.match(/\d+ Pending Migration.*\n.*20261201000000_initial/);
    const db = openDatabase(url);
    await db.schema.dropTableIfExists(tableNames(prefix).migrations);
    await db.schema.dropTableIfExists(tableNames(prefix).migrationsLock);
    await db.destroy();
  });
});
