// Records finished attempts through the batch writer, then lets go of their leases and reports them to the host.

import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import type { AttemptObservation } from '../metrics/instrumentation.js';
import type { OutboxStore } from '../store/outbox-store.js';
import type { Finished } from './attempt.js';
import { BatchWriter } from './batch-writer.js';
import type { LeaseKeeper } from './leases.js';

// Under load, how long a batch of attempts waits to fill before it is written: a fuller batch costs the same
// statements, and the postbacks are on the wire already (only the next postback of the same click waits for it).
const FILL_WAIT_MS = 50;

/**
 * The completion side of the dispatcher. Attempts are written in batches; a batch the database refuses is
 * kept and tried again (its deliveries stay held, and their leases renewed, meanwhile). Only once a batch is
 * written are its deliveries let go and its attempts reported.
 */
export class AttemptLog {
  readonly #outbox: OutboxStore;
  readonly #leases: LeaseKeeper;
  readonly #logger: Logger;
  readonly #onAttempt: (attempt: AttemptObservation) => void;
  readonly #onRecorded: (delivered: boolean) => void;
  readonly #disableAfterMs: number;
  readonly #writer: BatchWriter<Finished>;
  // Endpoints whose failure window this instance opened (or kept open) since it last recorded a success for them:
  // a success claimed before that failure was written must still close the window.
  readonly #opened = new Set<string>();

  /** `onRecorded` is called after each written batch, with whether any of it was delivered. */
  constructor(deps: {
    outbox: OutboxStore;
    leases: LeaseKeeper;
    logger: Logger;
    onAttempt: (attempt: AttemptObservation) => void;
    onRecorded: (delivered: boolean) => void;
    batchSize: number;
    disableAfterMs: number;
    /** Whether more attempts are on their way (requests in flight or queued): a short batch then waits a little for them. */
    coming?: () => boolean;
  }) {
    this.#outbox = deps.outbox;
    this.#leases = deps.leases;
    this.#logger = deps.logger;
    this.#onAttempt = deps.onAttempt;
    this.#onRecorded = deps.onRecorded;
    this.#disableAfterMs = deps.disableAfterMs;
    this.#writer = new BatchWriter((batch) => this.#record(batch), deps.batchSize, {
      firstDelayMs: 100,
      maxDelayMs: 5_000,
      onFailure: (error) => {
        this.#logger.error('could not record delivery attempts; keeping them and trying again', { error: describeError(error) });
      },
    }, deps.coming && { coming: deps.coming, maxWaitMs: FILL_WAIT_MS });
  }

  /** Since when attempts could not be written; undefined while writes succeed. */
  get failingSince(): Date | undefined {
    return this.#writer.failingSince;
  }

  add(finished: Finished): void {
    this.#writer.add(finished);
  }

  /** Resolves once every attempt added so far is written. */
  async flushed(): Promise<void> {
    await this.#writer.flushed();
  }

  /** Stops writing; returns the attempts never written. */
  async close(): Promise<Finished[]> {
    return this.#writer.close();
  }

  // Writes one batch; a rejection makes the writer keep the batch and try again.
  async #record(batch: Finished[]): Promise<void> {
    const { disabled, stale, windowError } = await this.#outbox.completeMany(
      batch.map(({ delivery, outcome }) => ({
        pk: delivery.pk,
        leaseToken: delivery.leaseToken,
        outcome,
        firstAttempt: delivery.attemptCount === 0,
        endpointFailing: this.#opened.has(outcome.endpointPk) ? true : delivery.endpointFailing,
      })),
    );
    for (const { outcome } of [...batch].sort((a, b) => a.outcome.attemptedAt.getTime() - b.outcome.attemptedAt.getTime())) {
      if (outcome.status === 'delivered') this.#opened.delete(outcome.endpointPk);
      else if (outcome.status !== 'skipped') this.#opened.add(outcome.endpointPk);
    }
    this.#leases.stale('complete', stale);
    if (windowError !== undefined) this.#logger.error('could not update endpoint failure windows', { error: describeError(windowError) });
    for (const endpoint of disabled) {
      this.#logger.warn('endpoint disabled after failing continuously; its pending postbacks are kept', { endpoint, failingForMs: this.#disableAfterMs });
    }
    let delivered = false;
    for (const { delivery, outcome, observation, skipReason } of batch) {
      this.#leases.drop(delivery.pk);
      if (skipReason !== undefined) {
        this.#logger.info('postback skipped', { delivery: delivery.pk, endpoint: delivery.endpoint.id, event: delivery.event, reason: skipReason });
        continue;
      }
      if (observation) this.#onAttempt(observation);
      if (outcome.status === 'delivered') delivered = true;
      else this.#logger.warn('postback not delivered', { delivery: delivery.pk, endpoint: delivery.endpoint.id, event: delivery.event, outcome: outcome.status, error: outcome.error });
    }
    this.#onRecorded(delivered);
  }
}
