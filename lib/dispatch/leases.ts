// The lease rules, in one place: a token per claim, renewal of what this instance holds, and fenced writes.

import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import type { HeldDelivery, Lease, OutboxStore } from '../store/outbox-store.js';

/** Which fenced write found its lease taken over by another claim. */
export type StaleWrite = 'complete' | 'postpone' | 'release';

/** What the lease keeper needs to know. */
export interface LeaseSettings {
  /** How long a claim or a renewal holds a delivery. */
  leaseMs: number;
  /** The longest a request can take: a delivery goes on the wire only if its lease outlasts that. */
  requestTimeoutMs: number;
  /** This instance's fleet id, written at the start of every token, so the fleet can tell whose leases are live. */
  leaseOwner?: string;
}

/**
 * A fresh lease token: it names one claim (or one hand-off), so a write by an earlier holder matches nothing. An
 * `owner` (the instance's 12-character id) takes the place of the first 12 random characters; 16 random ones remain.
 */
export function newLeaseToken(owner = ''): string {
  return owner === '' ? randomBytes(12).toString('hex') : `${owner}${randomBytes(8).toString('hex')}`;
}

/**
 * The deliveries this instance holds, and their leases. The rules:
 * - every claim writes a new token; every completion, postpone and release names it, and changes nothing when the
 *   row carries another (the lease ran out and another claim took it): a stale write, counted and logged;
 * - held leases are renewed in batches every third of a lease, off the request path, so a delivery waiting in this
 *   instance's queue keeps its lease however long it waits; a lease that still covers a whole request after the next
 *   renewal (one taken moments ago, as most are while work flows) is left as it is, so renewing costs writes only
 *   for what truly waits;
 * - a held delivery is never claimed again by this instance (claims exclude `heldPks`);
 * - a delivery goes on the wire only if its lease, as last written, outlasts the request's timeout (`mayStart`):
 *   when renewals fail (the database is gone), what is queued is dropped, not sent, before another instance could
 *   take it.
 */
export class LeaseKeeper {
  readonly #outbox: OutboxStore;
  readonly #settings: LeaseSettings;
  readonly #logger: Logger;
  readonly #onStale: (write: StaleWrite, count: number) => void;
  // Per held delivery: its token, and until when its lease surely holds (as last written).
  readonly #held = new Map<string, { leaseToken: string; until: number }>();
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;

  constructor(deps: { outbox: OutboxStore; settings: LeaseSettings; logger: Logger; onStale: (write: StaleWrite, count: number) => void }) {
    this.#outbox = deps.outbox;
    this.#settings = deps.settings;
    this.#logger = deps.logger;
    this.#onStale = deps.onStale;
  }

  get leaseMs(): number {
    return this.#settings.leaseMs;
  }

  /** How many deliveries are held. */
  get size(): number {
    return this.#held.size;
  }

  /** The primary keys held, for a claim to exclude. */
  heldPks(): ReadonlySet<string> {
    return new Set(this.#held.keys());
  }

  /** A new lease for one claim or hand-off, starting at `now`. */
  lease(now: Date): Lease {
    return { until: new Date(now.getTime() + this.#settings.leaseMs), token: newLeaseToken(this.#settings.leaseOwner) };
  }

  hold(delivery: HeldDelivery, until: Date): void {
    this.#held.set(delivery.pk, { leaseToken: delivery.leaseToken, until: until.getTime() });
  }

  /** Stops holding a delivery (recorded, postponed, released, or given up). */
  drop(pk: string): void {
    this.#held.delete(pk);
  }

  /** Whether a request for `pk` may start at `now`: its lease holds for the whole request. */
  mayStart(pk: string, now: number): boolean {
    const held = this.#held.get(pk);
    return held !== undefined && held.until - now > this.#settings.requestTimeoutMs;
  }

  /** Starts renewing held leases every third of a lease. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#renewing ??= this.#renew().finally(() => (this.#renewing = undefined));
    }, this.#period());
    this.#timer.unref();
  }

  /** Stops renewing, and waits for a renewal under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#renewing;
  }

  /** Counts and logs writes that found their lease taken over. */
  stale(write: StaleWrite, pks: readonly string[]): void {
    if (pks.length === 0) return;
    this.#onStale(write, pks.length);
    this.#logger.warn('a lease had passed to another claim: the write left the delivery as it was', { write, deliveries: pks });
  }

  /** Gives back the leases of `pks` (never sent, or sent and recorded), so another instance may take them at once. */
  async release(pks: readonly string[]): Promise<void> {
    const held = pks.flatMap((pk) => {
      const entry = this.#held.get(pk);
      this.#held.delete(pk);
      return entry ? [{ pk, leaseToken: entry.leaseToken }] : [];
    });
    if (held.length === 0) return;
    const released = await this.#outbox.release(held);
    if (released < held.length) this.#logger.debug('some leases released had already passed on or ended', { held: held.length, released });
  }

  #period(): number {
    return Math.max(Math.floor(this.#settings.leaseMs / 3), 10);
  }

  // One fenced update per claim token: a delivery whose token changed is not renewed and its holder's write will be stale.
  // A lease is renewed only when it may not outlast the next renewal, which starts one period later and may take
  // half a period, by a whole request: left alone, any other would be sendable (`mayStart`) until then.
  async #renew(): Promise<void> {
    const now = Date.now();
    const keepsUntil = now + this.#period() * 1.5 + this.#settings.requestTimeoutMs;
    const batch = [...this.#held].flatMap(([pk, { leaseToken, until }]) => (until > keepsUntil ? [] : [{ pk, leaseToken }]));
    if (batch.length === 0) return;
    const until = now + this.#settings.leaseMs;
    try {
      const renewed = new Set(await this.#outbox.renew(batch, new Date(until)));
      for (const { pk, leaseToken } of batch) {
        const entry = this.#held.get(pk);
        // A lease lost to another claim is never sent from here again; a write for it already under way is fenced.
        if (entry?.leaseToken === leaseToken) entry.until = renewed.has(pk) ? until : 0;
      }
    } catch (error) {
      // The leases keep their last end; `mayStart` stops sending what they no longer cover.
      this.#logger.error('could not renew delivery leases', { deliveries: batch.length, error: describeError(error) });
    }
  }
}
