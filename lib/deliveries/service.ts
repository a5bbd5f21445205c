// The delivery log's operations: look deliveries up, replay dead letters, read the outbox signals.

import type { TestPostbackResult } from '../dispatch/send-test.js';
import { NotFoundError, NotUnconfirmedError } from '../errors.js';
import type { DeliveryFilter, OutboxStats, OutboxStore } from '../store/outbox-store.js';
import type { Delivery, UnconfirmedDecision } from './types.js';

export class DeliveryService {
  readonly #outbox: OutboxStore;
  readonly #onQueued: () => void;
  readonly #sendTest: (endpointId: string) => Promise<TestPostbackResult>;

  /** `onQueued` wakes the dispatcher after a replay; `sendTest` sends a test postback the dispatcher's way. */
  constructor(outbox: OutboxStore, onQueued: () => void, sendTest: (endpointId: string) => Promise<TestPostbackResult>) {
    this.#outbox = outbox;
    this.#onQueued = onQueued;
    this.#sendTest = sendTest;
  }

  /** Sends a test postback to an endpoint through the real delivery path and returns what the tracker answered. Stores nothing. */
  sendTest(endpointId: string): Promise<TestPostbackResult> {
    return this.#sendTest(endpointId);
  }

  list(filter: DeliveryFilter): Promise<Delivery[]> {
    return this.#outbox.list(filter);
  }

  /**
   * The newest `limit` deliveries matching `filter` among these endpoints', newest first: the newest of each
   * endpoint, merged. A log search over some endpoints (an affiliate's) reads this way.
   */
  async newestOf(endpointIds: readonly string[], filter: Omit<DeliveryFilter, 'endpointId' | 'newestFirst' | 'limit'>, limit: number): Promise<Delivery[]> {
    const lists = await Promise.all(endpointIds.map((endpointId) => this.#outbox.list({ ...filter, endpointId, newestFirst: true, limit })));
    // Ids are bigint-sized: compared as such, never as floats.
    return lists.flat().sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1)).slice(0, limit);
  }

  /** One delivery with every attempt; a NotFoundError when there is none. */
  async get(id: string): Promise<Delivery> {
    const delivery = await this.#outbox.get(id);
    if (!delivery) throw new NotFoundError('delivery', id);
    return delivery;
  }

  /**
   * Sends a delivery again whatever its status, with a fresh round of retries. One being sent right
   * now is left to finish. Returns the delivery as it stands after the call.
   */
  async replay(id: string): Promise<Delivery> {
    await this.get(id);
    if (await this.#outbox.replay(id, new Date())) this.#onQueued();
    return this.get(id);
  }

  /**
   * An operator's decision on an `unconfirmed` delivery (one that may have reached a tracker that dedupes by
   * nothing): `send-again` sends it once more, `mark-delivered` records that the tracker has it. A
   * NotUnconfirmedError when it is not waiting for one. Returns the delivery as it stands after the call.
   */
  async decide(id: string, decision: UnconfirmedDecision): Promise<Delivery> {
    const delivery = await this.get(id);
    if (!(await this.#outbox.decide(id, decision, new Date()))) throw new NotUnconfirmedError(id, delivery.status);
    if (decision === 'send-again') this.#onQueued();
    return this.get(id);
  }

  /** Sends again every dead letter of an endpoint that failed at or after `since` (all when omitted); returns how many. */
  async replayFailed(endpointId: string, since?: Date): Promise<number> {
    const count = await this.#outbox.replayFailed(endpointId, since, new Date());
    if (count > 0) this.#onQueued();
    return count;
  }

  stats(): Promise<OutboxStats> {
    return this.#outbox.stats();
  }
}
