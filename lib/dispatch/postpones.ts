// Deliveries put off because their host is at its cap or its breaker is open, written together: one UPDATE per
// host and lease token for everything put off in one turn of the event loop, not one per delivery. A claim for
// one busy host can put off most of its batch at once.

import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import type { ClaimedDelivery, OutboxStore } from '../store/outbox-store.js';
import type { LeaseKeeper } from './leases.js';

interface PutOff {
  delivery: ClaimedDelivery;
  host: string;
  until: Date;
}

export class Postpones {
  readonly #outbox: Pick<OutboxStore, 'postpone'>;
  readonly #leases: LeaseKeeper;
  readonly #logger: Logger;
  readonly #onWritten: () => void;
  #pending: PutOff[] = [];
  #writing: Promise<void> | undefined;

  /** `onWritten` is called after each write, once the leases of what it put off are dropped. */
  constructor(deps: { outbox: Pick<OutboxStore, 'postpone'>; leases: LeaseKeeper; logger: Logger; onWritten: () => void }) {
    this.#outbox = deps.outbox;
    this.#leases = deps.leases;
    this.#logger = deps.logger;
    this.#onWritten = deps.onWritten;
  }

  /** Puts `delivery` off until `until`; the write starts once this turn of the event loop ends. */
  add(delivery: ClaimedDelivery, host: string, until: Date): void {
    this.#pending.push({ delivery, host, until });
    this.#writing ??= this.#write();
  }

  /** Resolves once everything added so far is written (or given up). */
  async flushed(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  // Never rejects: a delivery that could not be put off keeps its lease until it runs out, as after a crash.
  async #write(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const batch = this.#pending;
    this.#pending = [];
    const byHost = new Map<string, PutOff[]>();
    for (const putOff of batch) {
      const list = byHost.get(putOff.host);
      if (list) list.push(putOff);
      else byHost.set(putOff.host, [putOff]);
    }
    for (const [host, list] of byHost) {
      // A host's put-offs differ by the few milliseconds between their tries; the latest holds for all of them.
      const until = new Date(Math.max(...list.map((p) => p.until.getTime())));
      try {
        this.#leases.stale('postpone', await this.#outbox.postpone(list.map((p) => p.delivery), until));
      } catch (error) {
        this.#logger.error('could not postpone deliveries', { host, deliveries: list.map((p) => p.delivery.pk), error: describeError(error) });
      }
      for (const { delivery } of list) this.#leases.drop(delivery.pk);
    }
    this.#writing = undefined;
    this.#onWritten();
    // What was added while this wrote goes out in the next write.
    if (this.#pending.length > 0) this.#writing = this.#write();
  }
}
