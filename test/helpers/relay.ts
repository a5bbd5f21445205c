// Builds a migrated, started relay mounted on an Express app, and tears it down (migrations rolled back).

import express from 'express';
import type { Express } from 'express';
import { createPostbackRelay } from '../../lib/relay.js';
import type { PostbackRelay } from '../../lib/relay.js';
import type { PostbackRelayOptions } from '../../lib/options.js';
import { createServerLogger } from '../../lib/server/logger.js';
import { openDatabase } from '../../lib/store/database.js';
import { migrateRollbackAll } from '../../lib/store/migrations/index.js';
import { tableNames } from '../../lib/store/tables.js';
import type { DatabaseTarget } from './databases.js';
import { uniquePrefix } from './databases.js';
import { startTestTracker } from './tracker.js';
import type { TestTracker } from './tracker.js';

export const API_KEY = 'test-key-0123456789';
export const auth = { Authorization: `Bearer ${API_KEY}` };

export interface RelayFixture {
  relay: PostbackRelay;
  app: Express;
  url: string;
  prefix: string;
  /** Rows in every event and outbox table, to prove a refused request stored nothing. */
  countRows(): Promise<Record<string, number>>;
  /** Resolves once every queued delivery has at least one recorded attempt. */
  settled(timeoutMs?: number): Promise<void>;
  /** Stops the relay; with `drop` (the default), rolls its migrations back; closes the database. */
  close(options?: { drop?: boolean }): Promise<void>;
}

export async function startRelay(
  target: DatabaseTarget,
  options: { url?: string; prefix?: string; start?: boolean; relay?: Partial<PostbackRelayOptions> } = {},
): Promise<RelayFixture> {
  const url = options.url ?? target.url();
  const prefix = options.prefix ?? uniquePrefix();
  // Test trackers listen on 127.0.0.1, which the SSRF guard refuses unless allowlisted.
  // The fixture owns the knex (as a host app would), so it can roll back after the relay has stopped.
  const knex = openDatabase(url);
  // A silent logger: the relay's fallback would print each distinct failure a test provokes as a process warning.
  const relay = createPostbackRelay({ database: knex, tablePrefix: prefix, apiKeys: [API_KEY], dispatch: { idlePollMs: 50 }, targetAllowlist: ['127.0.0.1'], logger: createServerLogger('silent'), ...options.relay });
  try {
    await relay.migrate();
    if (options.start !== false) await relay.start();
  } catch (error) {
    await relay.stop();
    await knex.destroy();
    throw error;
  }
  const app = express();
  app.use('/postbacks', relay.pixel);
  app.use('/postbacks', relay.router);
  const t = tableNames(prefix);
  return {
    relay,
    app,
    url,
    prefix,
    async countRows() {
      const counts: Record<string, number> = {};
      for (const table of [t.leads, t.commissions, t.adjustments, t.deliveries, t.attempts]) {
        const row = await relay.knex(table).count<{ n: number | string }>({ n: '*' }).first();
        counts[table] = Number(row?.n ?? 0);
      }
      return counts;
    },
    async settled(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const open = await relay.knex(t.deliveries).where('attempt_count', 0).count<{ n: number | string }>({ n: '*' }).first();
        if (Number(open?.n ?? 0) === 0) return;
        if (Date.now() > deadline) throw new Error(`${String(open?.n)} deliveries still have no attempt`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close({ drop = true } = {}) {
      await relay.stop();
      if (drop) await migrateRollbackAll(knex, prefix);
      await knex.destroy();
    },
  };
}

/**
 * Registers the hooks most end-to-end suites share: before each test a fresh test tracker and a started relay
 * (with `options`), handed to `use`; after it, both closed (the relay's tables dropped).
 */
export function useRelayAndTracker(
  target: DatabaseTarget,
  options: Parameters<typeof startRelay>[1],
  use: (started: { fx: RelayFixture; tracker: TestTracker }) => void,
): void {
  let started: { fx: RelayFixture; tracker: TestTracker } | undefined;
  beforeEach(async () => {
    const tracker = await startTestTracker();
    started = { tracker, fx: await startRelay(target, options) };
    use(started);
  });
  afterEach(async () => {
    await started?.fx.close();
    await started?.tracker.close();
    started = undefined;
  });
}
