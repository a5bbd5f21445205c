// Starts the relay the way a user does: the built standalone server (dist/docker/server.js) with `npm start`'s node flags and variables,
// configured by environment only.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startEnv, startNodeFlags } from '../../helpers/start-command.js';
import { freePort, REPO_ROOT, startChild } from './processes.js';
import type { Child } from './processes.js';

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const BENCH_API_KEY = 'bench-key-0123456789abcdef';
const SERVER = join(REPO_ROOT, 'dist/docker/server.js');

/** The documented knobs a user would set too; nothing else is tuned for the bench. */
export interface RelaySettings {
  tablePrefix: string;
  /** Requests in flight, and per tracker host the same; `'defaults'` leaves both (and the batch size) at the relay's own. */
  concurrency: number | 'defaults';
  batchSize: number | undefined;
  /** False for an ingest-only instance (POSTBACK_RELAY_DISPATCH=false). Default true. */
  dispatch?: boolean;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: readonly string[];
}

/** A relay server process, listening and dispatching. */
export interface RelayProcess {
  child: Child;
  /** `http://127.0.0.1:<port>/postbacks` */
  api: string;
  origin: string;
  /** POST/GET on the API with the bench's key; throws on a non-2xx answer. */
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/**
 * The environment of the relay's server. Per-host concurrency is raised to the dispatch concurrency because
 * every postback of the bench goes to one sink host:port; a user with one big tracker would set it the same way.
 * Most users keep the defaults (16 in flight, 4 per host), so the bench runs those too.
 */
export function relayEnv(settings: RelaySettings, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    // What `npm start` sets (malloc's arenas), as for the node flags: the relay measured is the one users start.
    ...startEnv(),
    NODE_ENV: 'production',
    DATABASE_URL: BENCH_DATABASE_URL,
    POSTBACK_RELAY_TABLE_PREFIX: settings.tablePrefix,
    POSTBACK_RELAY_API_KEYS: BENCH_API_KEY,
    POSTBACK_RELAY_SECRET: 'bench-fleet-secret-of-32-characters',
    POSTBACK_RELAY_TARGET_ALLOWLIST: '127.0.0.1',
    POSTBACK_RELAY_RATE_LIMIT: 'false',
    ...(settings.concurrency === 'defaults'
      ? {}
      : {
          POSTBACK_RELAY_CONCURRENCY: String(settings.concurrency),
          POSTBACK_RELAY_PER_HOST_CONCURRENCY: String(settings.concurrency),
          ...(settings.batchSize === undefined ? {} : { POSTBACK_RELAY_BATCH_SIZE: String(settings.batchSize) }),
        }),
    POSTBACK_RELAY_DISPATCH: String(settings.dispatch ?? true),
    POSTBACK_RELAY_LOG_LEVEL: 'warn',
    POSTBACK_RELAY_HOST: '127.0.0.1',
    PORT: String(port),
  };
}

/** Node flags writing a CPU profile of the relay into `<dir>/<scenario>` when it exits, or none without a directory. */
export function profileArgs(dir: string | undefined, scenario: string): { nodeArgs?: string[] } {
  return dir === undefined ? {} : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(dir, scenario)}`] };
}

export async function startRelay(name: string, settings: RelaySettings): Promise<RelayProcess> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: npm run bench builds it first (npm run build)`);
  const port = await freePort();
  const child = await startChild(name, process.execPath, [...startNodeFlags(), ...(settings.nodeArgs ?? []), SERVER], { env: relayEnv(settings, port), readyTimeoutMs: 60_000 });
  const origin = `http://127.0.0.1:${port}`;
  const api = `${origin}/postbacks`;
  try {
    await waitUntilReady(origin, child, 60_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    child,
    api,
    origin,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${api}${path}`, {
        method,
        headers: { authorization: `Bearer ${BENCH_API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${name} ${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text) as T;
    },
  };
}

// /readyz answers 200 once the database answers, migrations are applied and the dispatcher runs.
async function waitUntilReady(origin: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const state = { exited: false };
  void child.exited.then(() => (state.exited = true));
  for (;;) {
    if (state.exited) throw new Error(`${child.name} exited before it was ready; stderr: ${child.stderrTail()}`);
    try {
      const response = await fetch(`${origin}/readyz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${child.name} was not ready within ${timeoutMs} ms; stderr: ${child.stderrTail()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
