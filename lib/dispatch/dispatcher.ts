// The dispatcher: claims due deliveries in batches, sends them through p-queue, records every attempt.

import PQueue from 'p-queue';
import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { isSkip } from '../plugins/types.js';
import type { PostbackRequest, PostbackSkip } from '../plugins/types.js';
import type { ClaimedDelivery, OutboxStore } from '../store/outbox-store.js';
import { maskerFor } from '../secrets.js';
import { formatDelivery, judgeSend } from './format.js';
import type { PostbackClient } from './http-client.js';
import { attemptOutcome } from '../metrics/instrumentation.js';
import type { AttemptObservation } from '../metrics/instrumentation.js';

/** Resolved dispatcher settings. */
export interface DispatcherSettings {
  /** Requests in flight at once. */
  concurrency: number;
  /** Deliveries claimed per query. */
  batchSize: number;
  /** How long a claim holds a delivery before another claimer may take it. */
  leaseMs: number;
  /** How often to look for work when nothing woke the dispatcher (work queued by another process, retries). */
  idlePollMs: number;
  /** How long `stop()` waits for requests in flight. */
  stopTimeoutMs: number;
}

// A first, simple retry schedule: 10 s doubling to at most an hour.
function retryDelayMs(attemptCount: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attemptCount - 1), 3_600_000);
}

export class Dispatcher {
  readonly #outbox: OutboxStore;
  readonly #plugins: PluginRegistry;
  readonly #client: PostbackClient;
  readonly #logger: Logger;
  readonly #settings: DispatcherSettings;
  readonly #queue: PQueue;
  readonly #parsedSettings = new Map<string, unknown>();
  #running = false;
  #pumping: Promise<void> | undefined;
  #wakeAgain = false;
  #backlog = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #onAttempt: ((attempt: AttemptObservation) => void) | undefined;

  constructor(deps: { outbox: OutboxStore; plugins: PluginRegistry; client: PostbackClient; logger: Logger; settings: DispatcherSettings; onAttempt?: (attempt: AttemptObservation) => void }) {
    this.#outbox = deps.outbox;
    this.#plugins = deps.plugins;
    this.#client = deps.client;
    this.#logger = deps.logger;
    this.#settings = deps.settings;
    this.#queue = new PQueue({ concurrency: deps.settings.concurrency });
    this.#onAttempt = deps.onAttempt;
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.notify();
  }

  /** Looks for due work now. Called after every commit that queued deliveries; cheap to call often. */
  notify(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#wakeAgain = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#pumping = this.#pump().finally(() => {
      this.#pumping = undefined;
    });
  }

  /** Stops claiming, then waits (up to `stopTimeoutMs`) for requests in flight. Unfinished leases simply expire. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#pumping;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#queue.onIdle(),
      new Promise((resolve) => (timeout = setTimeout(resolve, this.#settings.stopTimeoutMs))),
    ]);
    clearTimeout(timeout);
    this.#client.close();
  }

  async #pump(): Promise<void> {
    try {
      do await this.#fill();
      while (this.#takeWake() && this.#running);
      await this.#scheduleNext();
    } catch (error) {
      this.#logger.error('dispatcher could not claim deliveries', { error: describeError(error) });
      this.#schedule(this.#settings.idlePollMs);
    }
  }

  // A notify() that arrived while a pump was running means another pass, since its work may have been missed.
  #takeWake(): boolean {
    const wake = this.#wakeAgain;
    this.#wakeAgain = false;
    return wake;
  }

  // Claims until the queue holds two batches' worth or the outbox has no more due work. The queue never grows past that.
  async #fill(): Promise<void> {
    const { concurrency, batchSize, leaseMs } = this.#settings;
    const capacity = Math.max(concurrency * 2, batchSize);
    while (this.#running) {
      const room = capacity - (this.#queue.size + this.#queue.pending);
      if (room <= 0) {
        this.#backlog = true;
        return;
      }
      const wanted = Math.min(room, batchSize);
      const batch = await this.#outbox.claim(wanted, leaseMs, new Date());
      for (const delivery of batch) void this.#queue.add(() => this.#deliver(delivery));
      this.#backlog = batch.length === wanted;
      if (!this.#backlog) return;
    }
  }

  async #scheduleNext(): Promise<void> {
    if (!this.#running || this.#backlog) return;
    const due = await this.#outbox.nextDueAt();
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

  async #deliver(delivery: ClaimedDelivery): Promise<void> {
    const attemptedAt = new Date();
    let request: PostbackRequest | undefined;
    let result;
    const started = performance.now();
    try {
      const formatted = this.#format(delivery);
      if (isSkip(formatted)) {
        await this.#skip(delivery, attemptedAt, formatted.skip);
        return;
      }
      request = formatted;
      result = await this.#client.send(request);
    } catch (error) {
      result = { ok: false as const, error: `could not format the postback: ${describeError(error)}`, statusCode: null, bodyExcerpt: null };
    }
    const latencyMs = Math.round(performance.now() - started);
    const judged = judgeSend(this.#plugins.get(delivery.endpoint.plugin), result);
    const { delivered } = judged;
    // The delivery log and logs only ever see the endpoint's secrets masked.
    const mask = maskerFor(this.#plugins, delivery.endpoint);
    const error = judged.error === null ? null : mask(judged.error);
    try {
      await this.#outbox.complete(delivery.pk, {
        attemptedAt,
        method: request?.method ?? '-',
        url: mask(request?.url ?? '-'),
        statusCode: result.statusCode,
        latencyMs,
        error,
        responseExcerpt: result.bodyExcerpt,
        status: delivered ? 'delivered' : 'pending',
        nextAttemptAt: delivered ? attemptedAt : new Date(attemptedAt.getTime() + retryDelayMs(delivery.attemptCount + 1)),
      });
    } catch (storeError) {
      // The lease expires and the delivery is sent again: at least once, and the transaction ID keeps the tracker's count right.
      this.#logger.error('could not record a delivery attempt', { delivery: delivery.pk, error: describeError(storeError) });
    }
    this.#onAttempt?.({ delivery: delivery.pk, endpoint: delivery.endpoint.id, event: delivery.event, plugin: delivery.endpoint.plugin, outcome: attemptOutcome(delivered, result.statusCode, request !== undefined), statusCode: result.statusCode, latencyMs, error });
    if (!delivered) {
      this.#logger.warn('postback not delivered', { delivery: delivery.pk, endpoint: delivery.endpoint.id, event: delivery.event, error });
    }
    if (this.#backlog) this.notify();
  }

  // Nothing is sent: the delivery is closed as skipped, its reason kept as the attempt's error for the log.
  async #skip(delivery: ClaimedDelivery, attemptedAt: Date, reason: string): Promise<void> {
    try {
      await this.#outbox.complete(delivery.pk, {
        attemptedAt,
        method: '-',
        url: '-',
        statusCode: null,
        latencyMs: 0,
        error: `skipped: ${reason}`,
        responseExcerpt: null,
        status: 'skipped',
        nextAttemptAt: attemptedAt,
      });
    } catch (storeError) {
      this.#logger.error('could not record a skipped delivery', { delivery: delivery.pk, error: describeError(storeError) });
    }
    this.#logger.info('postback skipped', { delivery: delivery.pk, endpoint: delivery.endpoint.id, event: delivery.event, reason });
  }

  #format(delivery: ClaimedDelivery): PostbackRequest | PostbackSkip {
    const { endpoint } = delivery;
    const plugin = this.#plugins.get(endpoint.plugin);
    // Settings are parsed once per endpoint version, not per postback.
    const key = `${endpoint.id}@${endpoint.updatedAt.getTime()}`;
    let settings = this.#parsedSettings.get(key);
    if (settings === undefined) {
      if (this.#parsedSettings.size >= 10_000) this.#parsedSettings.clear();
      settings = plugin.parseSettings(endpoint.settings);
      this.#parsedSettings.set(key, settings);
    }
    return formatDelivery(plugin, delivery, settings);
  }
}
