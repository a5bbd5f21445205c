// The host guard's keeper: writes what the guard decided (breaker changes, probe requests, slots to take or give
// back) as it happens, and on a timer renews the slots held in one statement and reads the fleet's breakers and
// waits in another. Statements follow the guard's changes of state, never the postbacks themselves.

import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import type { HostSlotsStore } from '../store/host-slots-store.js';
import type { TrackerHostsStore } from '../store/tracker-hosts-store.js';
import type { HostChores, HostGuard } from './host-guard.js';

/** What the keeper needs to know. */
export interface HostShareSettings {
  /** This instance's id, the owner of the slots it holds. */
  owner: string;
  /** How long a take or a renewal holds a slot. */
  leaseMs: number;
  /** How often slots are renewed and the fleet's rows read: well under both a lease and a breaker's cooldown. */
  syncMs: number;
  /** The cap: the slots each host has. */
  maxPerHost: number;
}

/** The database side of the shared cap and breaker. */
export interface HostShareStores {
  slots: HostSlotsStore;
  hosts: TrackerHostsStore;
}

export class HostShare {
  readonly #guard: HostGuard;
  readonly #stores: HostShareStores;
  readonly #settings: HostShareSettings;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  // Whether this instance ever took a slot: one that never did (ingest only) has nothing to give back at stop.
  #tookAny = false;
  // One pass at a time; a request made during a pass runs another after it.
  #draining: Promise<void> | undefined;
  #pending = false;
  #pendingTick = false;

  constructor(deps: { guard: HostGuard; stores: HostShareStores; settings: HostShareSettings; logger: Logger }) {
    this.#guard = deps.guard;
    this.#stores = deps.stores;
    this.#settings = deps.settings;
    this.#logger = deps.logger;
  }

  /** Starts (or, after `stop()`, starts again) the timer, at once reading the fleet's breakers, so none is missed before the first tick. */
  start(): void {
    this.#closed = false;
    this.#startTimer();
  }

  /** The guard has chores: do them now (starting the timer if the dispatcher did not, e.g. for a test postback). */
  kick(): void {
    if (this.#closed) return;
    this.#startTimer();
    this.#request(false);
  }

  #startTimer(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#request(true);
    }, this.#settings.syncMs);
    this.#timer.unref();
    this.#request(true);
  }

  /** Stops the timer, finishes the pass under way, writes pending breaker changes and gives back every slot held. */
  async stop(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#draining;
    await this.#breakers(this.#guard.chores(Date.now(), false));
    // Whatever else was asked for is dropped: a start after this begins with nothing held or under way.
    this.#guard.released();
    if (!this.#tookAny) return;
    try {
      await this.#stores.slots.giveAll(this.#settings.owner);
    } catch (error) {
      // They run out with their lease, as a crashed instance's do.
      this.#logger.warn('could not give back host slots at stop', { error: describeError(error) });
    }
  }

  #request(tick: boolean): void {
    this.#pending = true;
    this.#pendingTick ||= tick;
    this.#draining ??= this.#drain().catch((error: unknown) => {
      this.#logger.error('the host slot keeper failed', { error: describeError(error) });
    });
  }

  async #drain(): Promise<void> {
    try {
      // Chores made in the same turn (a claimed batch entering the guard) go out together.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.#pending && !this.#closed) {
        const tick = this.#pendingTick;
        this.#pending = false;
        this.#pendingTick = false;
        await this.#pass(tick);
      }
    } finally {
      this.#draining = undefined;
    }
  }

  // Each write logs its own failure and leaves the guard in a state that retries it (or lets the slot run out).
  async #pass(tick: boolean): Promise<void> {
    const chores = this.#guard.chores(Date.now(), tick);
    await this.#breakers(chores);
    await this.#probes(chores);
    await this.#gives(chores);
    await this.#takes(chores);
    if (!tick) return;
    await this.#renew();
    await this.#read();
  }

  async #breakers({ breakers }: HostChores): Promise<void> {
    for (const { host, openUntil } of breakers) {
      try {
        if (openUntil === null) await this.#stores.hosts.close(host);
        else await this.#stores.hosts.open(host, new Date(openUntil));
        this.#guard.published(host, openUntil);
      } catch (error) {
        this.#logger.error('could not share a circuit breaker change with the fleet; trying again', { host, open: openUntil !== null, error: describeError(error) });
      }
    }
  }

  async #probes({ probes }: HostChores): Promise<void> {
    for (const host of probes) {
      const now = Date.now();
      let granted = false;
      try {
        granted = await this.#stores.hosts.takeProbe(host, this.#settings.owner, new Date(now), new Date(now + this.#settings.leaseMs));
      } catch (error) {
        this.#logger.error('could not ask the fleet for the probe of a half-open breaker', { host, error: describeError(error) });
      }
      this.#guard.probeAnswered(host, granted, Date.now());
    }
  }

  async #gives({ gives }: HostChores): Promise<void> {
    for (const { host, count } of gives) {
      try {
        await this.#stores.slots.give(this.#settings.owner, host, count);
      } catch (error) {
        // The renewal finds them still held and counts them again.
        this.#logger.warn('could not give back host slots', { host, count, error: describeError(error) });
      }
    }
  }

  async #takes({ takes }: HostChores): Promise<void> {
    const { owner, leaseMs, maxPerHost, syncMs } = this.#settings;
    for (const { host, count } of takes) {
      const now = Date.now();
      const until = now + leaseMs;
      let taken = 0;
      try {
        taken = await this.#stores.slots.take(host, maxPerHost, owner, count, new Date(until), new Date(now));
        this.#tookAny ||= taken > 0;
        // Every holder reads this within a tick, and then keeps to its share.
        if (taken < count) await this.#stores.hosts.want(host, new Date(now + 2 * syncMs));
      } catch (error) {
        this.#logger.error('could not take slots of a tracker host', { host, error: describeError(error) });
      }
      this.#guard.took(host, taken, count, until, Date.now());
    }
  }

  // One statement extends every slot held; only when it extended another number does a read say which are still ours.
  async #renew(): Promise<void> {
    const held = this.#guard.held();
    if (held.size === 0) return;
    const { owner, leaseMs } = this.#settings;
    const now = Date.now();
    const until = now + leaseMs;
    try {
      const renewed = await this.#stores.slots.renew(owner, [...held.keys()], new Date(until));
      const expected = [...held.values()].reduce((sum, n) => sum + n, 0);
      this.#guard.renewed(held.keys(), until, renewed === expected ? undefined : await this.#stores.slots.held(owner, new Date(now)));
    } catch (error) {
      // The slots keep their last lease; the guard stops using them before it runs out.
      this.#logger.error('could not renew host slots', { hosts: held.size, error: describeError(error) });
    }
  }

  async #read(): Promise<void> {
    const now = new Date();
    try {
      const rows = await this.#stores.hosts.read(now);
      this.#guard.shared(
        rows.map((row) => ({
          host: row.host,
          openUntil: row.openUntil?.getTime() ?? null,
          probeMine: row.probeOwner === this.#settings.owner,
          wanted: row.wantedUntil !== null && row.wantedUntil > now,
        })),
      );
    } catch (error) {
      this.#logger.error("could not read the fleet's circuit breakers", { error: describeError(error) });
    }
  }
}
