// The migration source: migrations are compiled in (no directory scan), and named tables follow the prefix.

import type { Knex } from 'knex';
import { MigrationLockedError } from '../../errors.js';
import { isMySql } from '../database.js';
import { tableNames } from '../tables.js';
import type { TableNames } from '../tables.js';
import { initialMigration } from './001_initial.js';
import { retryRoundsMigration } from './002_retry_rounds.js';
import { deliveryCoreMigration } from './003_delivery_core.js';
import { retentionMigration } from './003b_retention.js';
import { trackerBooksMigration } from './004_tracker_books.js';
import { rateLimitMigration } from './006_rate_limit.js';
import { fleetMigration } from './007_fleet.js';
import { hostSlotsMigration } from './008_host_slots.js';
import { firstAttemptMigration } from './009_first_attempt.js';

const MIGRATIONS: Readonly<Record<string, (tables: TableNames) => Knex.Migration>> = {
  '20261201000000_initial': initialMigration,
  '20261201100000_retry_rounds': retryRoundsMigration,
  '20261203010000_delivery_core': deliveryCoreMigration,
  '20261203015000_retention': retentionMigration,
  '20261203020000_tracker_books': trackerBooksMigration,
  '20261203040000_rate_limit': rateLimitMigration,
  '20261203050000_fleet': fleetMigration,
  '20261203060000_host_slots': hostSlotsMigration,
  '20261203070000_first_attempt': firstAttemptMigration,
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

/** How long an instance waits for another one's migrations before giving up: far longer than the relay's take. */
const MIGRATION_LOCK_WAIT_MS = 120_000;

/**
 * Runs every pending migration; returns the names of those it ran. When several instances start at once on an
 * empty database, knex's own lock is not enough: each creates the lock table and inserts its row, and two rows
 * leave the lock taken for good. On MySQL the instances first queue on a named lock (GET_LOCK, released by the
 * server if the holder dies), so one migrates and the others then find nothing to run; a lock knex reports as taken
 * is waited out too, up to `lockWaitMs`.
 */
export async function migrateLatest(knex: Knex, prefix: string, lockWaitMs = MIGRATION_LOCK_WAIT_MS): Promise<string[]> {
  const deadline = Date.now() + lockWaitMs;
  const latest = async () => {
    for (;;) {
      try {
        const [, ran] = (await knex.migrate.latest(migrationConfig(prefix))) as [number, string[]];
        return ran;
      } catch (error) {
        // knex's MigrationLocked is not exported; its name is its type.
        if (!(error instanceof Error && error.name === 'MigrationLocked')) throw error;
        if (Date.now() >= deadline) throw new MigrationLockedError(`knex's migration lock stayed taken for ${lockWaitMs} ms`, error);
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  };
  return isMySql(knex) ? withNamedLock(knex, `postback-relay:${prefix}:migrate`, lockWaitMs, latest) : latest();
}

// A MySQL named lock lives on one connection: it is held on a connection of its own, opened outside the pool, so
// `run` has the whole pool (a host's pool of one connection would otherwise wait for itself).
async function withNamedLock<T>(knex: Knex, name: string, waitMs: number, run: () => Promise<T>): Promise<T> {
  // knex types its client as any; these two are the client's calls that open and close a connection beside its pool.
  const client = knex.client as { acquireRawConnection(): Promise<unknown>; destroyRawConnection(connection: unknown): Promise<unknown> };
  const connection = await client.acquireRawConnection();
  try {
    const [rows] = (await knex.raw('select get_lock(?, ?) as got', [name, Math.ceil(waitMs / 1000)]).connection(connection)) as [Array<{ got: number | null }>];
    if (rows[0]?.got !== 1) throw new MigrationLockedError(`another instance held the migration lock "${name}" for ${waitMs} ms`);
    try {
      return await run();
    } finally {
      await knex.raw('select release_lock(?)', [name]).connection(connection);
    }
  } finally {
    // Closing the connection would release the lock too; it is closed either way.
    await client.destroyRawConnection(connection);
  }
}

/** Rolls every migration back and drops knex's bookkeeping tables of `prefix` too: nothing of the relay's is left. */
export async function migrateRollbackAll(knex: Knex, prefix: string): Promise<void> {
  await knex.migrate.rollback(migrationConfig(prefix), true);
  const tables = tableNames(prefix);
  await knex.schema.dropTableIfExists(tables.migrations);
  await knex.schema.dropTableIfExists(tables.migrationsLock);
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(knex: Knex, prefix: string): Promise<string[]> {
  const [, pending] = (await knex.migrate.list(migrationConfig(prefix))) as [unknown[], MigrationEntry[]];
  return pending.map((entry) => entry.file);
}
