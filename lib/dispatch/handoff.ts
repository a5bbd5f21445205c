// The hand-off: postbacks an event queues go straight to this instance's dispatcher, stored already claimed.

import type { ClaimedDelivery } from '../store/outbox-store.js';

/**
 * What the dispatcher offers the recorder. A delivery handed off is written with a lease, so no other
 * claimer takes it, and sent once its event commits: no claim query, no extra commit on the way to the
 * tracker. Places are reserved before the write, so a hand-off never grows the dispatcher's queue past its
 * bound; if this instance dies first, the lease runs out and any instance claims the delivery as usual.
 */
export interface DeliveryHandoff {
  /** How long the lease written with a handed-off delivery lasts. */
  readonly leaseMs: number;
  /** Reserves up to `wanted` places in the queue; returns how many it granted (0 when stopped or full). */
  reserve(wanted: number): number;
  /** Ends a reservation of `granted` places: `deliveries` (committed, at most that many) are sent, the other places freed. */
  settle(granted: number, deliveries: readonly ClaimedDelivery[]): void;
}

/** One transaction's reservations: settled after its commit, cancelled when it rolls back or runs again. */
export class HandoffSlip {
  readonly #port: DeliveryHandoff | undefined;
  #granted = 0;
  #deliveries: ClaimedDelivery[] = [];

  constructor(port: DeliveryHandoff | undefined) {
    this.#port = port;
  }

  get leaseMs(): number {
    return this.#port?.leaseMs ?? 0;
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
    if (this.#granted > 0) this.#port?.settle(this.#granted, deliveries);
    this.#granted = 0;
    this.#deliveries = [];
  }
}
