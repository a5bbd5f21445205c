// Per-host lines: claimed postbacks waiting in memory, under lease, for a slot of their host.

import type { ClaimedDelivery } from '../store/outbox-store.js';

/** A few waiting deliveries per host, so no single host can fill the request queue. */
export class HostLines {
  readonly #maxPerHost: number;
  readonly #lines = new Map<string, ClaimedDelivery[]>();

  /** `maxPerHost` is the longest line a host may have. */
  constructor(maxPerHost: number) {
    this.#maxPerHost = maxPerHost;
  }

  /** Puts `delivery` in its host's line; false when the line is full (the caller postpones it instead). */
  wait(host: string, delivery: ClaimedDelivery): boolean {
    const line = this.#lines.get(host) ?? [];
    if (line.length >= this.#maxPerHost) return false;
    line.push(delivery);
    this.#lines.set(host, line);
    return true;
  }

  /** The first delivery waiting for `host`, taken out of its line. */
  next(host: string): ClaimedDelivery | undefined {
    const line = this.#lines.get(host);
    const next = line?.shift();
    if (line?.length === 0) this.#lines.delete(host);
    return next;
  }

  /** Empties every line; returns what was waiting. */
  clear(): ClaimedDelivery[] {
    const all = [...this.#lines.values()].flat();
    this.#lines.clear();
    return all;
  }
}
