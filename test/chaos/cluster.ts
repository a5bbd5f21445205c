// One chaos scenario's world: MariaDB tables under a fresh prefix, a test tracker, and built relay servers as child processes.

import { readFileSync } from 'node:fs';
import { knexConfigForUrl } from '../../lib/store/database.js';
import { startDatabaseProxy } from '../helpers/db-proxy.js';
import type { DatabaseProxy } from '../helpers/db-proxy.js';
import { MYSQL_URL, mysqlTarget, requireMySql } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startServerProcess } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';
import type { PostbackRelayOptions } from '../../lib/options.js';
import { Ledger } from './ledger.js';

const ROOT = new URL('../../', import.meta.url).pathname;
export const CHAOS_API_KEY = 'chaos-key-0123456789';

/** How the relay servers of a scenario are configured (each becomes a POSTBACK_RELAY_* variable). */
export interface InstanceSettings {
  concurrency: number;
  batchSize: number;
  requestTimeoutMs: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

export interface Cluster {
  fx: RelayFixture;
  tracker: TestTracker;
  ledger: Ledger;
  instances: ServerProcess[];
  /** Starts one more relay server; `databaseUrl` routes it elsewhere (through a proxy), `nodeArgs` go before the script. */
  startInstance(options?: { databaseUrl?: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<ServerProcess>;
  /** Records `count` leads in-process (the fixture's relay never sends); each one that resolves is acknowledged. */
  recordLeads(prefix: string, count: number, affiliateId?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The hooks of a chaos suite: MariaDB required (the suite is skipped without it unless PB_REQUIRE_MYSQL=1), and
 * what a test hands to the returned function (its cluster, a proxy) closed after it, last handed first.
 */
export function useChaosSuite(): <T extends { close(): Promise<void> }>(resource: T) => T {
  const open: Array<{ close(): Promise<void> }> = [];
  before(requireMySql('the chaos suite'));
  afterEach(async () => {
    for (const resource of open.splice(0).reverse()) await resource.close();
  });
  return (resource) => {
    open.push(resource);
    return resource;
  };
}

/** A loopback TCP proxy in front of MariaDB, and a database URL through it for the relay servers. */
export async function startProxiedDatabase(): Promise<{ proxy: DatabaseProxy; url: string }> {
  const proxy = await startDatabaseProxy(knexConfigForUrl(MYSQL_URL).connection as { host: string; port: number });
  const url = new URL(MYSQL_URL);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return { proxy, url: url.toString() };
}

/**
 * Tables migrated, one `generic` endpoint for `aff-1` (or the ones `endpoints` makes), a tracker; no instance yet.
 * Retries are quick and many, so a scenario ends delivered rather than failed; the breaker cools down fast.
 */
export async function startCluster(
  scenario: string,
  settings: InstanceSettings,
  options: {
    relay?: Partial<PostbackRelayOptions>;
    endpoints?: (cluster: { fx: RelayFixture; tracker: TestTracker }) => Promise<void>;
    /** A proxy the instances reach the database through: restored first on close, so nothing waits on a stalled lock. */
    proxy?: DatabaseProxy;
  } = {},
): Promise<Cluster> {
  const tracker = await startTestTracker();
  const fx = await startRelay(mysqlTarget, { start: false, relay: { apiKeys: [CHAOS_API_KEY], ...options.relay } });
  if (options.endpoints) await options.endpoints({ fx, tracker });
  else await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `${tracker.origin}/pb?txid={transaction_id}` } });
  const ledger = new Ledger(scenario, fx, tracker);
  const instances: ServerProcess[] = [];
  const env = (databaseUrl: string, extra: Record<string, string>): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    POSTBACK_RELAY_TABLE_PREFIX: fx.prefix,
    POSTBACK_RELAY_API_KEYS: CHAOS_API_KEY,
    POSTBACK_RELAY_TARGET_ALLOWLIST: '127.0.0.1',
    POSTBACK_RELAY_HOST: '127.0.0.1',
    PORT: '0',
    POSTBACK_RELAY_MIGRATE: 'false',
    POSTBACK_RELAY_RATE_LIMIT: 'false',
    POSTBACK_RELAY_LOG_LEVEL: 'info',
    POSTBACK_RELAY_CONCURRENCY: String(settings.concurrency),
    POSTBACK_RELAY_PER_HOST_CONCURRENCY: String(settings.concurrency),
    POSTBACK_RELAY_BATCH_SIZE: String(settings.batchSize),
    POSTBACK_RELAY_REQUEST_TIMEOUT_MS: String(settings.requestTimeoutMs),
    POSTBACK_RELAY_RETRY_SCHEDULE_MS: Array.from({ length: 20 }, () => '200').join(','),
    POSTBACK_RELAY_BREAKER_COOLDOWN_MS: '300',
    ...settings.env,
    ...extra,
  });
  return {
    fx,
    tracker,
    ledger,
    instances,
    async startInstance({ databaseUrl = fx.url, env: extra = {}, nodeArgs = [] } = {}) {
      const server = await startServerProcess('node', [...nodeArgs, 'dist/docker/server.js'], { cwd: ROOT, env: env(databaseUrl, extra) });
      instances.push(server);
      return server;
    },
    async recordLeads(prefix, count, affiliateId = 'aff-1') {
      await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const id = `${prefix}-${i}`;
          await fx.relay.recordLead({ id, clickId: `c-${id}`, affiliateId });
          ledger.acknowledge(id);
        }),
      );
    },
    async close() {
      options.proxy?.restore();
      for (const server of instances) if (isAlive(server)) await server.stop();
      await tracker.close();
      await fx.close();
      await options.proxy?.close();
    },
  };
}

export function isAlive(server: ServerProcess): boolean {
  return server.child.exitCode === null && server.child.signalCode === null;
}

/** Kills a server with SIGKILL and waits until it is gone. */
export async function killHard(server: ServerProcess): Promise<void> {
  const gone = new Promise((resolve) => server.child.once('close', resolve));
  server.child.kill('SIGKILL');
  await gone;
}

/** The resident set size of a child process, in MB (Linux). */
export function rssMb(server: ServerProcess): number {
  const status = readFileSync(`/proc/${String(server.child.pid)}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  if (kb === undefined) throw new Error('no VmRSS in /proc status');
  return Number(kb) / 1024;
}
