// The dispatcher: claims due deliveries in batches, sends them through p-queue, records every attempt.

import PQueue from 'p-queue';
import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { PostbackRequest } from '../plugins/types.js';
import type { ClaimedDelivery, OutboxStore } from '../store/outbox-store.js';
import { postbackContext } from './context.js';
import type { PostbackClient, SendResult } from './http-client.js';
import { verdict } from './retry-policy.js';
import type { RetryPolicy, Verdict } from './retry-policy.js';

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
  /** When failed attempts are tried again. */
  retry: RetryPolicy;
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
  // Claimed and not yet completed: the leases `stop()` gives back.
  readonly #held = new Set<string>();

  constructor(deps: { outbox: OutboxStore; plugins: PluginRegistry; client: PostbackClient; logger: Logger; settings: DispatcherSettings }) {
    this.#outbox = deps.outbox;
    this.#plugins = deps.plugins;
    this.#client = deps.client;
    this.#logger = deps.logger;
    this.#settings = deps.settings;
    this.#queue = new PQueue({ concurrency: deps.settings.concurrency });
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

  /**
   * Stops claiming, drops claimed work not yet started, waits (up to `stopTimeoutMs`) for requests in
   * flight, then gives back every lease it still holds so another instance can take the work at once.
   */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#pumping;
    this.#queue.clear();
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#queue.onIdle(),
      new Promise((resolve) => (timeout = setTimeout(resolve, this.#settings.stopTimeoutMs))),
    ]);
    clearTimeout(timeout);
    const held = [...this.#held];
    this.#held.clear();
    try {
      await this.#outbox.release(held);
    } catch (error) {
      // The leases then expire on their own; only the take-over is slower.
      this.#logger.error('could not release delivery leases', { error: describeError(error) });
    }
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
      for (const delivery of batch) {
        this.#held.add(delivery.pk);
        void this.#queue.add(() => this.#deliver(delivery));
      }
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
    let result: SendResult;
    const started = performance.now();
    try {
      request = this.#format(delivery);
      result = await this.#client.send(request);
    } catch (error) {
      result = { ok: false as const, error: `could not format the postback: ${describeError(error)}`, statusCode: null, bodyExcerpt: null };
    }
    const latencyMs = Math.round(performance.now() - started);
    // A postback the plugin cannot format will not format on a later try either.
    const outcome: Verdict = request ? verdict(this.#settings.retry, result, delivery.roundAttempts + 1, new Date()) : { status: 'failed' };
    const error = result.ok ? (outcome.status === 'delivered' ? null : `tracker answered HTTP ${result.statusCode}`) : result.error;
    try {
      await this.#outbox.complete(delivery.pk, {
        attemptedAt,
        method: request?.method ?? '-',
        url: request?.url ?? '-',
        statusCode: result.statusCode,
        latencyMs,
        error,
        responseExcerpt: result.bodyExcerpt,
        status: outcome.status,
        nextAttemptAt: outcome.status === 'pending' ? outcome.nextAttemptAt : attemptedAt,
      });
    } catch (storeError) {
      // The lease expires and the delivery is sent again: at least once, and the transaction ID keeps the tracker's count right.
      this.#logger.error('could not record a delivery attempt', { delivery: delivery.pk, error: describeError(storeError) });
    }
    this.#held.delete(delivery.pk);
    if (outcome.status !== 'delivered') {
      this.#logger.warn('postback not delivered', { delivery: delivery.pk, endpoint: delivery.endpoint.id, event: delivery.event, outcome: outcome.status, error });
    }
    // A delivered postback may release the next one of its lead, so look for work at once.
    if (this.#backlog || outcome.status === 'delivered') this.notify();
  }

  #format(delivery: ClaimedDelivery): PostbackRequest {
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
    return plugin.format(postbackContext(delivery), settings);
  }
}
