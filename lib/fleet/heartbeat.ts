// This instance's place in the fleet: registers at start, heartbeats on a timer, prunes the long dead, deregisters at stop.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import { INSTANCE_ID_LENGTH } from './instances-store.js';
import type { FleetView, InstancesStore } from './instances-store.js';

/** Resolved fleet settings. */
export interface FleetSettings {
  /** How often the instance writes its row. */
  heartbeatMs: number;
}

/** An instance missing this many heartbeats counts as dead. */
const MISSED_BEATS_DEAD = 3;
/** A dead instance's row stays listed this long (its leases have long run out), then any live instance deletes it. */
export const PRUNE_AFTER_MS = 60 * 60 * 1000;

/** What this instance knows of the fleet without asking the database: as of its last successful heartbeat. */
export interface FleetSummary {
  /** This instance's id. */
  instance: string;
  /** Instances seen alive at the last heartbeat (this one included), or null before the first. */
  alive: number | null;
  /** Of those, the ones sending postbacks (not ingest-only), or null before the first heartbeat. */
  sending: number | null;
  /** When that count was taken. */
  asOf: string | null;
}

/** A new instance id: random, so a restarted process is a new instance and its leases are told apart from its predecessor's. */
export function newInstanceId(): string {
  return randomBytes(INSTANCE_ID_LENGTH / 2).toString('hex');
}

export class Heartbeat {
  readonly id: string;
  readonly #store: InstancesStore;
  readonly #settings: FleetSettings;
  readonly #logger: Logger;
  readonly #version: string;
  readonly #report: () => { dispatching: boolean; held: number };
  readonly #startedAt: Date;
  readonly #now: () => Date;
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #summary: FleetSummary;

  constructor(deps: {
    id: string;
    store: InstancesStore;
    settings: FleetSettings;
    logger: Logger;
    version: string;
    /** Read at each beat: whether this instance dispatches, and how many deliveries it holds. */
    report: () => { dispatching: boolean; held: number };
    now?: () => Date;
  }) {
    this.id = deps.id;
    this.#store = deps.store;
    this.#settings = deps.settings;
    this.#logger = deps.logger;
    this.#version = deps.version;
    this.#report = deps.report;
    this.#now = deps.now ?? (() => new Date());
    this.#startedAt = this.#now();
    this.#summary = { instance: this.id, alive: null, sending: null, asOf: null };
  }

  get summary(): FleetSummary {
    return { ...this.#summary };
  }

  /** Instances not seen since this moment are dead. */
  aliveSince(now: Date): Date {
    return new Date(now.getTime() - this.#settings.heartbeatMs * MISSED_BEATS_DEAD);
  }

  /** Registers now (a failure here fails the start), then beats on a timer until `stop()`. */
  async start(): Promise<void> {
    if (this.#timer) return;
    await this.#beat();
    this.#timer = setInterval(() => {
      // One beat at a time: a slow database must not pile them up. The beat logs its own failure.
      this.#beating ??= this.#beatLogged().finally(() => (this.#beating = undefined));
    }, this.#settings.heartbeatMs);
    this.#timer.unref();
  }

  /** Stops beating and removes this instance's row, so the fleet stops counting it at once. */
  async stop(): Promise<void> {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#beating;
    try {
      await this.#store.remove(this.id);
    } catch (error) {
      // Its row then ages out like a crashed instance's; stopping must go on.
      this.#logger.warn('could not deregister this instance from the fleet', { instance: this.id, error: describeError(error) });
    }
  }

  /** The fleet as the database sees it now. */
  view(): Promise<FleetView> {
    const now = this.#now();
    return this.#store.view(now, this.aliveSince(now));
  }

  async #beatLogged(): Promise<void> {
    try {
      await this.#beat();
    } catch (error) {
      this.#logger.warn('fleet heartbeat failed', { instance: this.id, error: describeError(error) });
    }
  }

  async #beat(): Promise<void> {
    const now = this.#now();
    await this.#store.beat({ id: this.id, host: hostname(), pid: process.pid, version: this.#version, startedAt: this.#startedAt, ...this.#report() }, now);
    await this.#store.prune(new Date(now.getTime() - PRUNE_AFTER_MS));
    const { alive, sending } = await this.#store.countSeenSince(this.aliveSince(now));
    this.#summary = { instance: this.id, alive, sending, asOf: now.toISOString() };
  }
}
