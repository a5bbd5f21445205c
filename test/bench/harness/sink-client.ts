// The bench's side of the sink: start it, reset it, read its counts and its clock, wait for a drain.

import { clockOffset, wallMs } from './clock.js';
import type { ClockProbe } from './clock.js';
import { accountExactlyOnce } from './ledger.js';
import type { LedgerEntry } from './ledger.js';
import { startSystem } from './processes.js';
import type { Child } from './processes.js';

export interface SinkStats {
  received: number;
  unique: number;
  malformed: number;
  firstAt: number | null;
  lastAt: number | null;
}

/** The running sink. */
export interface Sink {
  child: Child;
  origin: string;
  /** Its extra tracker hosts' origins, by kind (see `startSink`). */
  hosts: { healthy: string[]; hanging: string[]; failing: string[] };
  reset(): Promise<void>;
  stats(): Promise<SinkStats>;
  entries(): Promise<LedgerEntry[]>;
  /** How far the sink's clock is ahead of the bench's, from a few round trips. */
  clockOffset(): Promise<{ offsetMs: number; uncertaintyMs: number }>;
  /**
   * Polls until `unique` distinct postbacks arrived or `timeoutMs` passed; returns the last stats. Arrival
   * times come from the sink's own clock, so the poll interval does not blur any figure.
   */
  waitForUnique(unique: number, timeoutMs: number): Promise<SinkStats>;
  /**
   * Polls until every one of `keys` arrived or `timeoutMs` passed; returns the last stats. Where postbacks nobody
   * expected may arrive too (events sent over HTTP whose answer never came), a count of distinct keys can reach
   * the expected number before every expected postback has arrived: this waits for the keys themselves.
   */
  waitForKeys(keys: readonly string[], timeoutMs: number): Promise<SinkStats>;
}

/** Starts a sink; `hosts` asks for extra tracker hosts on ports of their own (healthy ones count into the same ledger). */
export async function startSink(hosts: { healthy: number; hanging: number; failing: number } = { healthy: 0, hanging: 0, failing: 0 }): Promise<Sink> {
  const child = await startSystem('sink', 'sink.ts', { hosts });
  const origin = `http://127.0.0.1:${String(child.ready.port)}`;
  const origins = (ports: unknown) => (ports as number[]).map((port) => `http://127.0.0.1:${port}`);
  const get = async <T>(path: string, method = 'GET'): Promise<T> => {
    const response = await fetch(`${origin}${path}`, { method });
    if (!response.ok) throw new Error(`sink ${path}: ${response.status}`);
    return (await response.json()) as T;
  };
  const stats = () => get<SinkStats>('/_sink/stats');
  const entries = () => get<LedgerEntry[]>('/_sink/entries');
  const waitForUnique = async (unique: number, timeoutMs: number): Promise<SinkStats> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await stats();
      if (current.unique >= unique || Date.now() >= deadline) return current;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return {
    child,
    origin,
    hosts: { healthy: origins(child.ready.healthyPorts), hanging: origins(child.ready.hangingPorts), failing: origins(child.ready.failingPorts) },
    async reset() {
      await get('/_sink/reset', 'POST');
    },
    stats,
    entries,
    async clockOffset() {
      const probes: ClockProbe[] = [];
      for (let i = 0; i < 30; i++) {
        const sentAt = wallMs();
        const { now } = await get<{ now: number }>('/_sink/clock');
        probes.push({ sentAt, remoteAt: now, receivedAt: wallMs() });
      }
      return clockOffset(probes);
    },
    waitForUnique,
    async waitForKeys(keys, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      // The count first (a cheap read), then the keys (the whole ledger) until none is missing.
      let current = await waitForUnique(keys.length, timeoutMs);
      while (accountExactlyOnce(keys, await entries()).missing > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        current = await stats();
      }
      return current;
    },
  };
}
