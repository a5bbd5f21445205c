// Per-host lines: claimed postbacks waiting in memory, under lease, for a slot of their host.

import type { ClaimedDelivery } from '../store/outbox-store.js';

/** How long a line may be: about one second of its host's sending, within these bounds. */
export interface LineBounds {
  /** Every host may have this many waiting, however slow. */
  min: number;
  /** No host may have more than this many waiting, however fast. */
  max: number;
  /** No postback waits longer than this, whatever its line's length: a slot that was to come soon has not. */
  maxWaitMs: number;
}

interface Waiting {
  delivery: ClaimedDelivery;
  since: number;
}

interface Pace {
  second: number;
  count: number;
  last: number;
  /** When the host's first request ended, and how many have ended since: its pace in its first second. */
  first: number;
  total: number;
}

const MAX_PACED_HOSTS = 10_000;
// A host's first second is judged from its first requests, over at least this long, so a handful of quick answers
// does not make a host look faster than it is.
const MIN_FIRST_WINDOW_MS = 100;

/**
 * A line per host, as long as about one second of that host's requests: a fast tracker keeps a claim's worth
 * waiting in memory (nothing put off and claimed again), a slow or hanging one only a few, so it cannot hold the
 * room other hosts' postbacks need.
 */
export class HostLines {
  readonly #bounds: LineBounds;
  readonly #lines = new Map<string, Waiting[]>();
  readonly #paces = new Map<string, Pace>();

  constructor(bounds: LineBounds) {
    this.#bounds = bounds;
  }

  /** Counts a request to `host` that has ended: the host's pace sets its line's length. */
  ended(host: string, now: number): void {
    const second = Math.floor(now / 1000);
    let pace = this.#paces.get(host);
    if (!pace) {
      if (this.#paces.size >= MAX_PACED_HOSTS) this.#paces.clear();
      pace = { second, count: 0, last: 0, first: now, total: 0 };
      this.#paces.set(host, pace);
    }
    if (pace.second !== second) {
      pace.last = pace.second === second - 1 ? pace.count : 0;
      pace.second = second;
      pace.count = 0;
    }
    pace.count += 1;
    pace.total += 1;
  }

  /**
   * How many of `host`'s postbacks may wait at `now`: its requests ended in the last second, within the bounds. In
   * the first second after its first request ended, what ended so far is taken at its rate over a second: at start
   * a fast host's line grows with its first answers, not a second later, so claims meanwhile are not put off
   * (written back to the outbox and claimed again) for want of a line. A host that has answered nothing keeps the minimum.
   */
  capacity(host: string, now: number): number {
    const pace = this.#paces.get(host);
    const second = Math.floor(now / 1000);
    const recent = !pace ? 0 : pace.second === second ? Math.max(pace.count, pace.last) : pace.second === second - 1 ? pace.count : 0;
    const elapsed = pace ? now - pace.first : Infinity;
    const early = elapsed < 1000 && pace ? Math.ceil((pace.total * 1000) / Math.max(elapsed, MIN_FIRST_WINDOW_MS)) : 0;
    return Math.min(Math.max(recent, early, this.#bounds.min), this.#bounds.max);
  }

  /** Whether `host`'s line is full at `now`: a claim should leave its postbacks in the outbox. */
  full(host: string, now: number): boolean {
    return (this.#lines.get(host)?.length ?? 0) >= this.capacity(host, now);
  }

  /** Puts `delivery` in its host's line; false when the line is full (the caller postpones it instead). */
  wait(host: string, delivery: ClaimedDelivery, now: number): boolean {
    const line = this.#lines.get(host) ?? [];
    if (line.length >= this.capacity(host, now)) return false;
    line.push({ delivery, since: now });
    this.#lines.set(host, line);
    return true;
  }

  /** The first delivery waiting for `host`, taken out of its line. */
  next(host: string): ClaimedDelivery | undefined {
    const line = this.#lines.get(host);
    const next = line?.shift();
    if (line?.length === 0) this.#lines.delete(host);
    return next?.delivery;
  }

  /**
   * Takes out of each line what is past its capacity at `now` (the last in line first), and what has waited longer
   * than `maxWaitMs` (the first in line), by host: a host that slowed down or stopped answering gives back the room
   * its faster past had earned it, and a postback promised a slot that never came is not held for ever.
   */
  trim(now: number): Map<string, ClaimedDelivery[]> {
    const trimmed = new Map<string, ClaimedDelivery[]>();
    for (const [host, line] of this.#lines) {
      const stale = line.findIndex((waiting) => now - waiting.since <= this.#bounds.maxWaitMs);
      const out = line.splice(0, stale === -1 ? line.length : stale);
      const capacity = this.capacity(host, now);
      if (line.length > capacity) out.push(...line.splice(capacity));
      if (line.length === 0) this.#lines.delete(host);
      if (out.length > 0) trimmed.set(host, out.map((waiting) => waiting.delivery));
    }
    return trimmed;
  }

  /** Empties every line; returns what was waiting. */
  clear(): ClaimedDelivery[] {
    const all = [...this.#lines.values()].flat().map((waiting) => waiting.delivery);
    this.#lines.clear();
    return all;
  }
}
