// The migration source: migrations are compiled in (no directory scan), and named tables follow the prefix.

import type { Knex } from 'knex';
import { tableNames } from '../tables.js';
import type { TableNames } from '../tables.js';
import { initialMigration } from './001_initial.js';
import { retryRoundsMigration } from './002_retry_rounds.js';
import { deliveryCoreMigration } from './003_delivery_core.js';
import { retentionMigration } from './003b_retention.js';
import { trackerBooksMigration } from './004_tracker_books.js';

const MIGRATIONS: Readonly<Record<string, (tables: TableNames) => Knex.Migration>> = {
  '20261201000000_initial': initialMigration,
  '20261201100000_retry_rounds': retryRoundsMigration,
  '20261203010000_delivery_core': deliveryCoreMigration,
  '20261203015000_retention': retentionMigration,
  '20261203020000_tracker_books': trackerBooksMigration,
};

// Entries are `{ file }` objects, the shape the knex CLI prints migrations by.
type MigrationEntry = { file: string };

/** A knex MigrationSource for the relay's tables under `prefix`. */
export class RelayMigrationSource implements Knex.MigrationSource<MigrationEntry> {
  readonly #tables: TableNames;

  constructor(prefix: string) {
    this.#tables = tableNames(prefix);
  }

  getMigrations(): Promise<MigrationEntry[]> {
    return Promise.resolve(Object.keys(MIGRATIONS).sort().map((file) => ({ file })));
  }

  getMigrationName(migration: MigrationEntry): string {
    return migration.file;
  }

  getMigration(migration: MigrationEntry): Promise<Knex.Migration> {
    const make = MIGRATIONS[migration.file];
    if (!make) return Promise.reject(new Error(`unknown migration ${migration.file}`));
    return Promise.resolve(make(this.#tables));
  }
}

/**
 * The `migrations` block of a knex config for the relay's tables, with its own migrations table
 * (`<prefix>knex_migrations`) so it never mixes with the host's.
 */
export function migrationConfig(prefix: string): Knex.MigratorConfig {
  const tables = tableNames(prefix);
  return { migrationSource: new RelayMigrationSource(prefix), tableName: tables.migrations };
}

/** Runs every pending migration; returns the names of those it ran. */
export async function migrateLatest(knex: Knex, prefix: string): Promise<string[]> {
  const [, ran] = (await knex.migrate.latest(migrationConfig(prefix))) as [number, string[]];
  return ran;
}

/** Rolls every migration back (for tests and `migrate down`). */
export async function migrateRollbackAll(knex: Knex, prefix: string): Promise<void> {
  await knex.migrate.rollback(migrationConfig(prefix), true);
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(knex: Knex, prefix: string): Promise<string[]> {
  const [, pending] = (await knex.migrate.list(migrationConfig(prefix))) as [unknown[], MigrationEntry[]];
  return pending.map((entry) => entry.file);
}
