// Opens the relay's own knex from a database URL: MySQL/MariaDB, or an embedded SQLite file.

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import knexFactory from 'knex';
import type { Knex } from 'knex';
import { InvalidOptionError, MissingDependencyError } from '../errors.js';

/** True when `knex` talks to MySQL or MariaDB. */
export function isMySql(knex: Knex): boolean {
  return (knex.client as { dialect?: string }).dialect === 'mysql';
}

/**
 * A FROM fragment reading a table (`?? as ??`: table, alias) through one index (the `??` that follows) and no other:
 * `FORCE INDEX` on MySQL, `INDEXED BY` on SQLite. For reads whose index the optimizer was seen to pass over.
 */
export function byIndex(knex: Knex): string {
  return isMySql(knex) ? '?? as ?? force index (??)' : '?? as ?? indexed by ??';
}

/** Knex configuration for a `mysql://user:pass@host:port/db` URL, or a SQLite file path (`sqlite:` prefix optional). */
export function knexConfigForUrl(url: string): Knex.Config {
  if (/^mysql2?:\/\//i.test(url)) return mysqlConfig(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^sqlite:/i.test(url)) {
    throw new InvalidOptionError('database', `unsupported database URL scheme in "${redactUrl(url)}"; use mysql://... or a SQLite file path`);
  }
  return sqliteConfig(url.replace(/^sqlite:(\/\/)?/i, ''));
}

function mysqlConfig(url: string): Knex.Config {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionError('database', `"${redactUrl(url)}" is not a valid mysql:// URL`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new InvalidOptionError('database', 'the mysql:// URL must name a database, e.g. mysql://root@127.0.0.1:3306/app');
  return {
    client: 'mysql2',
    connection: {
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : 3306,
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database,
      // Dates cross the wire as UTC, DECIMAL stays a string, BIGINT never rounds.
      timezone: 'Z',
      charset: 'utf8mb4',
      supportBigNumbers: true,
      decimalNumbers: false,
    },
    pool: {
      min: 0,
      max: 10,
      afterCreate(connection: { query: (sql: string, done: (error: Error | null) => void) => void }, done: (error: Error | null, connection: unknown) => void) {
        connection.query(
          "SET time_zone = '+00:00', SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
          (error) => { done(error, connection); },
        );
      },
    },
  };
}

/** better-sqlite3 is an optional peer: only a SQLite database needs it, so a MySQL-only host never compiles it. */
export function requireSqliteDriver(resolve: (name: string) => string = createRequire(import.meta.url).resolve): void {
  try {
    resolve('better-sqlite3');
  } catch {
    throw new MissingDependencyError('better-sqlite3', 'a SQLite database needs the better-sqlite3 package, which is not installed: npm install better-sqlite3 (or use a mysql:// URL or your own knex)');
  }
}

function sqliteConfig(path: string): Knex.Config {
  if (path === '') throw new InvalidOptionError('database', 'the SQLite path is empty');
  requireSqliteDriver();
  const filename = path === ':memory:' ? path : resolve(path);
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  return {
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // One connection: SQLite serialises writers anyway, and ':memory:' is one database per connection.
    pool: {
      min: 1,
      max: 1,
      afterCreate(connection: { pragma: (sql: string) => unknown }, done: (error: Error | null, connection: unknown) => void) {
        try {
          // WAL with synchronous=FULL: a commit we acknowledged survives a power cut, not only a crash.
          connection.pragma('journal_mode = WAL');
          connection.pragma('synchronous = FULL');
          connection.pragma('foreign_keys = ON');
          connection.pragma('busy_timeout = 5000');
          done(null, connection);
        } catch (error) {
          done(error as Error, connection);
        }
      },
    },
  };
}

/** Opens a knex instance for a database URL (see {@link knexConfigForUrl}). */
export function openDatabase(url: string): Knex {
  return knexFactory(knexConfigForUrl(url));
}

/** A URL with its password replaced, safe for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
