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
  // Polls the sink's counts (its own clock times every arrival, so the interval blurs no figure) until `done`
  // accepts them or the deadline passes; the last counts either way, since a drain cut short is reported, not thrown.
  const waitFor = async (done: (current: SinkStats) => boolean | Promise<boolean>, timeoutMs: number): Promise<SinkStats> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await stats();
      if ((await done(current)) || Date.now() >= deadline) return current;
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
    waitForUnique: (unique, timeoutMs) => waitFor((current) => current.unique >= unique, timeoutMs),
    // The count first (a cheap read), then the keys themselves (the whole ledger) once it could be complete.
    waitForKeys: (keys, timeoutMs) => waitFor(async (current) => current.unique >= keys.length && accountExactlyOnce(keys, await entries()).missing === 0, timeoutMs),
  };
}
