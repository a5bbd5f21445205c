// The claim loop: wakes on notify() or a timer, claims due deliveries in batches while there is room, sleeps till the next is due.

import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import type { ClaimedDelivery, Lease, OutboxStore } from '../store/outbox-store.js';
import type { LeaseKeeper } from './leases.js';

/** What the loop asks of the dispatcher it feeds. */
export interface ClaimTarget {
  /** How many more deliveries may be taken on now. */
  room(): number;
  /** How many claimed deliveries wait in the request queue. */
  queued(): number;
  /** Endpoints whose host cannot take a request now: a claim leaves their deliveries in the outbox. */
  excludedEndpoints(): ReadonlySet<string>;
  /** Takes a claimed batch, held under `lease`. */
  take(deliveries: readonly ClaimedDelivery[], lease: Lease): void;
}

export interface ClaimLoopSettings {
  concurrency: number;
  batchSize: number;
  /** How often to look for work when nothing woke the loop (work queued by another process, retries). */
  idlePollMs: number;
}

export class ClaimLoop {
  readonly #outbox: OutboxStore;
  readonly #leases: LeaseKeeper;
  readonly #logger: Logger;
  readonly #settings: ClaimLoopSettings;
  readonly #target: ClaimTarget;
  #running = false;
  #pumping: Promise<void> | undefined;
  #wakeAgain = false;
  #backlog = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: { outbox: OutboxStore; leases: LeaseKeeper; logger: Logger; settings: ClaimLoopSettings; target: ClaimTarget }) {
    this.#outbox = deps.outbox;
    this.#leases = deps.leases;
    this.#logger = deps.logger;
    this.#settings = deps.settings;
    this.#target = deps.target;
  }

  /** True when the last claim filled its batch or the room: more work is likely due. */
  get backlog(): boolean {
    return this.#backlog;
  }

  start(): void {
    this.#running = true;
    this.notify();
  }

  /** Stops claiming; resolves once a claim under way has ended. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#pumping;
  }

  /** Looks for due work now; cheap to call often. */
  notify(): void {
    if (!this.#running) return;
    this.#wakeAgain = true;
    if (this.#pumping) return;
    clearTimeout(this.#timer);
    this.#pumping = this.#pump().finally(() => {
      this.#pumping = undefined;
      // A wake between the pump's last look and now would otherwise wait for the next poll.
      if (this.#wakeAgain) this.notify();
    });
  }

  // One pass per wake: a notify() that arrives during a pass (its work may have been missed) makes another.
  async #pump(): Promise<void> {
    try {
      while (this.#takeWake() && this.#running) {
        await this.#fill();
        if (!this.#wakeAgain) await this.#scheduleNext();
      }
    } catch (error) {
      // The poll retries; wakes meanwhile would only repeat the failing claim.
      this.#wakeAgain = false;
      this.#logger.error('dispatcher could not claim deliveries', { error: describeError(error) });
      this.#schedule(this.#settings.idlePollMs);
    }
  }

  #takeWake(): boolean {
    const wake = this.#wakeAgain;
    this.#wakeAgain = false;
    return wake;
  }

  // Claims while there is room or the outbox has no more due work. Under load claims go in whole batches; a part
  // batch only when the queue would run dry. Never a delivery already held here, whatever its lease says.
  async #fill(): Promise<void> {
    const { concurrency, batchSize } = this.#settings;
    while (this.#running) {
      const room = this.#target.room();
      if (room <= 0 || (room < batchSize && this.#target.queued() >= concurrency)) {
        this.#backlog = true;
        return;
      }
      const wanted = Math.min(room, batchSize);
      const now = new Date();
      const lease = this.#leases.lease(now);
      const batch = await this.#outbox.claim(wanted, lease, now, { deliveries: this.#leases.heldPks(), endpoints: this.#target.excludedEndpoints() });
      if (batch.length > 0) this.#target.take(batch, lease);
      this.#backlog = batch.length === wanted;
      if (!this.#backlog) return;
    }
  }

  async #scheduleNext(): Promise<void> {
    if (!this.#running || this.#backlog) return;
    const due = await this.#outbox.nextDueAt(this.#target.excludedEndpoints());
    const wait = due === undefined ? this.#settings.idlePollMs : due.getTime() - Date.now();
    this.#schedule(Math.min(Math.max(wait, 5), this.#settings.idlePollMs));
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.notify();
    }, ms);
    this.#timer.unref();
  }
}
