// A per-affiliate limit on test postbacks: each one makes a real request to a URL the affiliate chose.

import { RateLimitedError } from '../errors.js';

const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

/** Counts test sends per affiliate in a sliding minute, in this process (the limit is per instance). */
export class TestSendLimiter {
  readonly #max: number;
  readonly #now: () => number;
  readonly #sent = new Map<string, number[]>();

  constructor(perMinute: number, now: () => number = Date.now) {
    this.#max = perMinute;
    this.#now = now;
  }

  /** Counts one test send, or throws a RateLimitedError when the affiliate has used up its minute. */
  take(affiliateId: string): void {
    const now = this.#now();
    const recent = (this.#sent.get(affiliateId) ?? []).filter((at) => at > now - WINDOW_MS);
    if (recent.length >= this.#max) {
      const oldest = recent[0] ?? now;
      throw new RateLimitedError(Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)));
    }
    recent.push(now);
    // Re-inserted, so the map's first key is the affiliate idle longest: the one dropped when it is full.
    this.#sent.delete(affiliateId);
    if (this.#sent.size >= MAX_TRACKED) this.#sent.delete(this.#sent.keys().next().value ?? '');
    this.#sent.set(affiliateId, recent);
  }
}
