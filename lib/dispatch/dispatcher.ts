// The dispatcher: claims due deliveries in batches, sends them through p-queue, records every attempt.

import PQueue from 'p-queue';
import type { Endpoint } from '../endpoints/types.js';
import type { Lead } from '../events/types.js';
import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { PostbackRequest } from '../plugins/types.js';
import type { ClaimedDelivery, OutboxStore } from '../store/outbox-store.js';
import { postbackContext } from './context.js';
import type { PostbackClient, SendResult } from './http-client.js';
import { HostGuard, hostOf } from './host-guard.js';
import type { HostGuardSettings } from './host-guard.js';
import { verdict } from './retry-policy.js';
import type { RetryPolicy, Verdict } from './retry-policy.js';

/** What the tracker answered a test postback. */
export interface TestPostbackResult {
  /** True on a 2xx. */
  delivered: boolean;
  /** The tracker's HTTP status, or null when no answer came. */
  statusCode: number | null;
  error: string | null;
  /** The start of the tracker's answer. */
  responseExcerpt: string | null;
  latencyMs: number;
}

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
  /** The per-host cap and circuit breaker. */
  hosts: HostGuardSettings;
  /** An endpoint whose attempts have all failed for this long is disabled. */
  disableAfterMs: number;
}

export class Dispatcher {
  readonly #outbox: OutboxStore;
  readonly #plugins: PluginRegistry;
  readonly #client: PostbackClient;
  readonly #logger: Logger;
  readonly #settings: DispatcherSettings;
  readonly #queue: PQueue;
  readonly #hosts: HostGuard;
  readonly #parsedSettings = new Map<string, unknown>();
  #running = false;
  #pumping: Promise<void> | undefined;
  #wakeAgain = false;
  #backlog = false;
  #timer: NodeJS.Timeout | undefined;
  // Claimed and not yet completed: the leases `stop()` gives back.
  readonly #held = new Set<string>();
  // Claimed postbacks waiting, in memory and under lease, for a slot of their host; a few per host, so none can fill the queue.
  readonly #waiting = new Map<string, ClaimedDelivery[]>();
  #waitingCount = 0;

  constructor(deps: { outbox: OutboxStore; plugins: PluginRegistry; client: PostbackClient; logger: Logger; settings: DispatcherSettings }) {
    this.#outbox = deps.outbox;
    this.#plugins = deps.plugins;
    this.#client = deps.client;
    this.#logger = deps.logger;
    this.#settings = deps.settings;
    this.#queue = new PQueue({ concurrency: deps.settings.concurrency });
    this.#hosts = new HostGuard(deps.settings.hosts);
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
    this.#waiting.clear();
    this.#waitingCount = 0;
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
      const room = capacity - (this.#queue.size + this.#queue.pending + this.#waitingCount);
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
    const sent = await this.#send(delivery);
    if ('busy' in sent) {
      if (!sent.busy.open && this.#wait(sent.host, delivery)) return;
      await this.#postpone(delivery, sent.busy.until);
      // An open breaker frees no slot that would wake the host's line: pass it on, so none is stranded.
      if (sent.busy.open) this.#resume(sent.host);
      return;
    }
    const { request, result, latencyMs } = sent;
    // A postback the plugin cannot format will not format on a later try either.
    const outcome: Verdict = request ? verdict(this.#settings.retry, result, delivery.roundAttempts + 1, new Date()) : { status: 'failed' };
    const error = result.ok ? (outcome.status === 'delivered' ? null : `tracker answered HTTP ${result.statusCode}`) : result.error;
    try {
      const { endpointDisabled } = await this.#outbox.complete(delivery.pk, {
        attemptedAt,
        method: request?.method ?? '-',
        url: request?.url ?? '-',
        statusCode: result.statusCode,
        latencyMs,
        error,
        responseExcerpt: result.bodyExcerpt,
        status: outcome.status,
        nextAttemptAt: outcome.status === 'pending' ? outcome.nextAttemptAt : attemptedAt,
        endpointPk: delivery.endpoint.id,
        disableIfFailingSince: new Date(attemptedAt.getTime() - this.#settings.disableAfterMs),
      });
      if (endpointDisabled) {
        this.#logger.warn('endpoint disabled after failing continuously; its pending postbacks are kept', {
          endpoint: delivery.endpoint.id,
          failingForMs: this.#settings.disableAfterMs,
        });
      }
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

  /**
   * Sends a test `lead_created` postback for a made-up lead to `endpoint` through the same formatting, host
   * guard and client as real deliveries, and returns what the tracker answered. Nothing is stored.
   */
  async sendTest(endpoint: Endpoint): Promise<TestPostbackResult> {
    const now = new Date();
    const lead: Lead = {
      id: `test-${now.getTime()}`,
      clickId: 'test-click-id',
      affiliateId: endpoint.affiliateId,
      offerId: endpoint.offerId,
      sub1: null,
      sub2: null,
      sub3: null,
      sub4: null,
      sub5: null,
      source: 'api',
      occurredAt: now,
      recordedAt: now,
    };
    const sent = await this.#send({ pk: 'test', event: 'lead_created', attemptCount: 0, roundAttempts: 0, endpoint, lead, commission: null, adjustment: null });
    if ('busy' in sent) {
      const why = sent.busy.open ? 'the circuit breaker of this host is open' : 'this host is at its concurrency cap';
      return { delivered: false, statusCode: null, error: `not sent: ${why}`, responseExcerpt: null, latencyMs: 0 };
    }
    const { result, latencyMs } = sent;
    const delivered = result.ok && result.statusCode >= 200 && result.statusCode < 300;
    return {
      delivered,
      statusCode: result.statusCode,
      error: result.ok ? (delivered ? null : `tracker answered HTTP ${result.statusCode}`) : result.error,
      responseExcerpt: result.bodyExcerpt,
      latencyMs,
    };
  }

  // Formats and sends one postback under its host's guard: one request on the wire, or none when the host is busy.
  async #send(delivery: ClaimedDelivery): Promise<{ request: PostbackRequest | undefined; result: SendResult; latencyMs: number } | { busy: { until: Date; open: boolean }; host: string }> {
    let request: PostbackRequest | undefined;
    let formatError: unknown;
    try {
      request = this.#format(delivery);
    } catch (error) {
      formatError = error;
    }
    if (!request) {
      return { request, result: { ok: false, error: `could not format the postback: ${describeError(formatError)}`, statusCode: null, bodyExcerpt: null }, latencyMs: 0 };
    }
    const host = hostOf(request.url);
    const busy = this.#hosts.enter(host, Date.now());
    if (busy) return { busy, host };
    const started = performance.now();
    const result = await this.#client.send(request);
    this.#hosts.leave(host, result.ok && result.statusCode < 500, Date.now());
    this.#resume(host);
    return { request, result, latencyMs: Math.round(performance.now() - started) };
  }

  #wait(host: string, delivery: ClaimedDelivery): boolean {
    const line = this.#waiting.get(host) ?? [];
    if (line.length >= this.#settings.hosts.maxPerHost * 2) return false;
    line.push(delivery);
    this.#waiting.set(host, line);
    this.#waitingCount += 1;
    return true;
  }

  // A slot of `host` came free: the first postback waiting for it goes next.
  #resume(host: string): void {
    const line = this.#waiting.get(host);
    const next = line?.shift();
    if (!next || !this.#running) return;
    if (line?.length === 0) this.#waiting.delete(host);
    this.#waitingCount -= 1;
    void this.#queue.add(() => this.#deliver(next));
  }

  // Its host is at its cap or its breaker is open: no attempt is made or counted, the delivery just waits.
  async #postpone(delivery: ClaimedDelivery, until: Date): Promise<void> {
    try {
      await this.#outbox.postpone(delivery.pk, until);
    } catch (error) {
      this.#logger.error('could not postpone a delivery', { delivery: delivery.pk, error: describeError(error) });
    }
    this.#held.delete(delivery.pk);
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
