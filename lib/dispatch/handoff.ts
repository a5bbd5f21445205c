// The hand-off: postbacks an event queues go straight to this instance's dispatcher, stored already claimed.

import type { ClaimedDelivery, Lease } from '../store/outbox-store.js';

/**
 * What the dispatcher offers the recorder. A delivery handed off is written with a lease, so no other
 * claimer takes it, and sent once its event commits: no claim query, no extra commit on the way to the
 * tracker. Places are reserved before the write, so a hand-off never grows the dispatcher's queue past its
 * bound; if this instance dies first, the lease runs out and any instance claims the delivery as usual.
 */
export interface DeliveryHandoff {
  /** A new lease (its own token) to write with handed-off deliveries. */
  lease(now: Date): Lease;
  /** Reserves up to `wanted` places in the queue; returns how many it granted (0 when stopped or full). */
  reserve(wanted: number): number;
  /**
   * Ends a reservation of `granted` places: `deliveries` (committed under `lease`, at most that many) are sent,
   * the other places freed.
   */
  settle(granted: number, deliveries: readonly ClaimedDelivery[], lease: Lease | undefined): void;
}

/** One transaction's reservations: settled after its commit, cancelled when it rolls back or runs again. */
export class HandoffSlip {
  readonly #port: DeliveryHandoff | undefined;
  #granted = 0;
  #deliveries: ClaimedDelivery[] = [];
  #lease: Lease | undefined;

  constructor(port: DeliveryHandoff | undefined) {
    this.#port = port;
  }

  /** The lease of this transaction's hand-offs, taken at its first reservation; undefined when nothing was granted. */
  lease(now: Date): Lease | undefined {
    if (this.#granted === 0) return undefined;
    this.#lease ??= this.#port?.lease(now);
    return this.#lease;
  }

  reserve(wanted: number): number {
    const granted = wanted > 0 ? (this.#port?.reserve(wanted) ?? 0) : 0;
    this.#granted += granted;
    return granted;
  }

  add(deliveries: readonly ClaimedDelivery[]): void {
    this.#deliveries.push(...deliveries);
  }

  /** The transaction committed: send what it stored under lease. Returns how many that was. */
  settle(): number {
    const handed = this.#deliveries.length;
    this.#end(this.#deliveries);
    return handed;
  }

  /** Nothing of the transaction is known to be stored: send nothing now (a lease written anyway runs out). */
  cancel(): void {
    this.#end([]);
  }

  #end(deliveries: readonly ClaimedDelivery[]): void {
    if (this.#granted > 0) this.#port?.settle(this.#granted, deliveries, this.#lease);
    this.#granted = 0;
    this.#deliveries = [];
    this.#lease = undefined;
  }
}
