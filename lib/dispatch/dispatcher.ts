// The dispatcher: claims due deliveries in batches, sends them through p-queue, records every attempt.

import PQueue from 'p-queue';
import type { Endpoint } from '../endpoints/types.js';
import type { EventName } from '../events/types.js';
import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { isSkip } from '../plugins/types.js';
import type { PostbackRequest, PostbackSkip } from '../plugins/types.js';
import type { ClaimedDelivery, OutboxStore } from '../store/outbox-store.js';
import type { AttemptOutcome } from '../store/completions.js';
import { maskerFor } from '../secrets.js';
import type { Masker } from '../secrets.js';
import { BatchWriter } from './batch-writer.js';
import { formatDelivery, judgeSend } from './format.js';
import type { PostbackClient } from './http-client.js';
import { attemptOutcome } from '../metrics/instrumentation.js';
import type { AttemptObservation } from '../metrics/instrumentation.js';
import type { SendResult } from './http-client.js';
import { HostGuard, hostOf } from './host-guard.js';
import type { HostGuardSettings } from './host-guard.js';
import { verdict } from './retry-policy.js';
import type { DeliveryHandoff } from './handoff.js';
import { sampleDelivery } from './send-test.js';
import type { TestPostbackResult } from './send-test.js';
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
  /** The per-host cap and circuit breaker. */
  hosts: HostGuardSettings;
  /** An endpoint whose attempts have all failed for this long is disabled. */
  disableAfterMs: number;
}

// A finished attempt waiting to be recorded, with what to report once it is.
interface Finished {
  delivery: ClaimedDelivery;
  outcome: AttemptOutcome;
  /** For the metrics hook; a skip made no attempt on the wire and has none. */
  observation?: AttemptObservation;
  skipReason?: string;
}

export class Dispatcher implements DeliveryHandoff {
  readonly #outbox: OutboxStore;
  readonly #plugins: PluginRegistry;
  readonly #client: PostbackClient;
  readonly #logger: Logger;
  readonly #settings: DispatcherSettings;
  readonly #queue: PQueue;
  readonly #hosts: HostGuard;
  // Per endpoint version, not per postback: its settings parsed, and its secrets' masker built.
  readonly #settingsOf = new Map<string, unknown>();
  readonly #maskOf = new Map<string, Masker>();
  readonly #completions: BatchWriter<Finished>;
  #running = false;
  #pumping: Promise<void> | undefined;
  #wakeAgain = false;
  #backlog = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #onAttempt: ((attempt: AttemptObservation) => void) | undefined;
  // Claimed and not yet recorded (queued, waiting for a host, in flight, or in the completion buffer): the
  // leases `stop()` gives back, and what the claim capacity counts.
  readonly #held = new Set<string>();
  // Claimed postbacks waiting, in memory and under lease, for a slot of their host; a few per host, so none can fill the queue.
  readonly #waiting = new Map<string, ClaimedDelivery[]>();
  // Places promised to events still committing (see DeliveryHandoff), counted against the capacity like held ones.
  #reserved = 0;

  constructor(deps: { outbox: OutboxStore; plugins: PluginRegistry; client: PostbackClient; logger: Logger; settings: DispatcherSettings; onAttempt?: (attempt: AttemptObservation) => void }) {
    this.#outbox = deps.outbox;
    this.#plugins = deps.plugins;
    this.#client = deps.client;
    this.#logger = deps.logger;
    this.#settings = deps.settings;
    this.#queue = new PQueue({ concurrency: deps.settings.concurrency });
    this.#onAttempt = deps.onAttempt;
    this.#hosts = new HostGuard(deps.settings.hosts);
    this.#completions = new BatchWriter((batch) => this.#record(batch), deps.settings.batchSize);
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
    this.#wakeAgain = true;
    if (this.#pumping) return;
    clearTimeout(this.#timer);
    this.#pumping = this.#pump().finally(() => {
      this.#pumping = undefined;
      // A wake between the pump's last look and now would otherwise wait for the next poll.
      if (this.#wakeAgain) this.notify();
    });
  }

  /**
   * Stops claiming, drops claimed work not yet started, waits (up to `stopTimeoutMs`) for requests in
   * flight, records every finished attempt, then gives back every lease it still holds so another instance
   * can take the work at once.
   */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#pumping;
    this.#queue.clear();
    this.#waiting.clear();
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#queue.onIdle(),
      new Promise((resolve) => (timeout = setTimeout(resolve, this.#settings.stopTimeoutMs))),
    ]);
    clearTimeout(timeout);
    await this.#completions.flushed();
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

  get leaseMs(): number {
    return this.#settings.leaseMs;
  }

  reserve(wanted: number): number {
    if (!this.#running) return 0;
    const granted = Math.max(0, Math.min(wanted, this.#room()));
    this.#reserved += granted;
    return granted;
  }

  settle(granted: number, deliveries: readonly ClaimedDelivery[]): void {
    this.#reserved -= granted;
    if (!this.#running) {
      // Stopped while the event committed: give the leases back, so another instance sends these at once.
      this.#outbox.release(deliveries.map((delivery) => delivery.pk)).catch((error: unknown) => {
        this.#logger.error('could not release delivery leases', { error: describeError(error) });
      });
      return;
    }
    for (const delivery of deliveries) {
      this.#held.add(delivery.pk);
      void this.#queue.add(() => this.#deliver(delivery));
    }
  }

  // How many more deliveries may be taken on: a slot's worth and two batches in all, held or promised.
  #room(): number {
    const { concurrency, batchSize } = this.#settings;
    return concurrency + batchSize * 2 - this.#held.size - this.#reserved;
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

  // Claims until a slot's worth and two batches are held or the outbox has no more due work. What is held never
  // grows past that, wherever it is (queued, in flight, or finished and waiting to be recorded): that is the
  // backpressure. Under load claims go in whole batches; a part batch only when the queue would run dry.
  async #fill(): Promise<void> {
    const { concurrency, batchSize, leaseMs } = this.#settings;
    while (this.#running) {
      const room = this.#room();
      if (room <= 0 || (room < batchSize && this.#queue.size >= concurrency)) {
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
    if ('skip' in sent) {
      this.#skip(delivery, attemptedAt, sent.skip);
      return;
    }
    if ('busy' in sent) {
      if (!sent.busy.open && this.#wait(sent.host, delivery)) return;
      await this.#postpone(delivery, sent.busy.until);
      // An open breaker frees no slot that would wake the host's line: pass it on, so none is stranded.
      if (sent.busy.open) this.#resume(sent.host);
      return;
    }
    const { request, result, latencyMs } = sent;
    const judged = request ? judgeSend(this.#plugins.get(delivery.endpoint.plugin), result) : { delivered: false, error: result.ok ? null : result.error };
    const decided = this.#verdict(delivery, request, result, judged.delivered);
    // The delivery log and logs only ever see the endpoint's secrets masked.
    const mask = perVersion(this.#maskOf, delivery.endpoint, () => maskerFor(this.#plugins, delivery.endpoint));
    const error = judged.error === null ? null : mask(judged.error);
    const { endpoint } = delivery;
    // Handed to the completion writer: the request slot is free for the next postback while the attempt is recorded.
    this.#completions.add({
      delivery,
      outcome: {
        attemptedAt,
        method: request?.method ?? '-',
        url: mask(request?.url ?? '-'),
        statusCode: result.statusCode,
        latencyMs,
        error,
        responseExcerpt: result.bodyExcerpt,
        status: decided.status,
        nextAttemptAt: decided.status === 'pending' ? decided.nextAttemptAt : attemptedAt,
        endpointPk: endpoint.id,
        disableIfFailingSince: new Date(attemptedAt.getTime() - this.#settings.disableAfterMs),
      },
      observation: {
        delivery: delivery.pk,
        endpoint: endpoint.id,
        event: delivery.event,
        plugin: endpoint.plugin,
        outcome: attemptOutcome(decided.status === 'delivered', result.statusCode, request !== undefined),
        statusCode: result.statusCode,
        latencyMs,
        error,
      },
    });
  }

  // Writes one batch of finished attempts. A batch that cannot be written is sent again once its leases expire:
  // at least once, and the transaction ID keeps the tracker's count right.
  async #record(batch: Finished[]): Promise<void> {
    try {
      const disabled = await this.#outbox.completeMany(batch.map(({ delivery, outcome }) => ({ pk: delivery.pk, outcome })));
      for (const endpoint of disabled) {
        this.#logger.warn('endpoint disabled after failing continuously; its pending postbacks are kept', { endpoint, failingForMs: this.#settings.disableAfterMs });
      }
    } catch (storeError) {
      this.#logger.error('could not record delivery attempts', { deliveries: batch.map((f) => f.delivery.pk), error: describeError(storeError) });
    }
    let released = false;
    for (const { delivery, outcome, observation, skipReason } of batch) {
      this.#held.delete(delivery.pk);
      if (skipReason !== undefined) {
        this.#logger.info('postback skipped', { delivery: delivery.pk, endpoint: delivery.endpoint.id, event: delivery.event, reason: skipReason });
        continue;
      }
      if (observation) this.#onAttempt?.(observation);
      if (outcome.status === 'delivered') released = true;
      else this.#logger.warn('postback not delivered', { delivery: delivery.pk, endpoint: delivery.endpoint.id, event: delivery.event, outcome: outcome.status, error: outcome.error });
    }
    // Room was made; and a delivered postback may release the next one of its lead, so look for work at once.
    if (this.#backlog || released) this.notify();
  }

  // A postback the plugin cannot format will not format on a later try; nor is a 2xx the plugin judged a refusal
  // (TUNE's success=false) worth repeating: both are dead letters at once.
  #verdict(delivery: ClaimedDelivery, request: PostbackRequest | undefined, result: SendResult, delivered: boolean): Verdict {
    if (!request) return { status: 'failed' };
    if (delivered) return { status: 'delivered' };
    if (result.ok && result.statusCode >= 200 && result.statusCode < 300) return { status: 'failed' };
    return verdict(this.#settings.retry, result, delivery.roundAttempts + 1, new Date());
  }

  /** Sends a sample `event` to `endpoint` the way real deliveries go (plugin, host guard, client), storing nothing. */
  async sendTest(endpoint: Endpoint, event: EventName): Promise<TestPostbackResult> {
    const sent = await this.#send(sampleDelivery(endpoint, event, new Date()));
    const base = { endpointId: endpoint.id, event, method: '-', target: '-', statusCode: null, latencyMs: 0, responseExcerpt: null, delivered: false };
    if ('skip' in sent) return { ...base, error: `skipped: ${sent.skip}` };
    if ('busy' in sent) {
      return { ...base, error: `not sent: ${sent.busy.open ? 'the circuit breaker of this host is open' : 'this host is at its concurrency cap'}` };
    }
    const { request, result, latencyMs } = sent;
    const judged = request ? judgeSend(this.#plugins.get(endpoint.plugin), result) : { delivered: false, error: result.ok ? null : result.error };
    const url = request ? new URL(request.url) : undefined;
    return {
      ...base,
      method: request?.method ?? '-',
      target: url ? `${url.origin}${url.pathname}` : '-',
      delivered: judged.delivered,
      statusCode: result.statusCode,
      latencyMs,
      error: judged.error === null ? null : maskerFor(this.#plugins, endpoint)(judged.error),
      responseExcerpt: result.bodyExcerpt,
    };
  }

  async #send(
    delivery: ClaimedDelivery,
  ): Promise<{ request: PostbackRequest | undefined; result: SendResult; latencyMs: number } | { busy: { until: Date; open: boolean }; host: string } | { skip: string }> {
    let request: PostbackRequest | undefined;
    let formatError: unknown;
    try {
      const formatted = this.#format(delivery);
      if (isSkip(formatted)) return { skip: formatted.skip };
      request = formatted;
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
    return true;
  }

  // A slot of `host` came free: the first postback waiting for it goes next.
  #resume(host: string): void {
    const line = this.#waiting.get(host);
    const next = line?.shift();
    if (!next || !this.#running) return;
    if (line?.length === 0) this.#waiting.delete(host);
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

  // Nothing is sent: the delivery is closed as skipped, its reason kept as the attempt's error for the log.
  #skip(delivery: ClaimedDelivery, attemptedAt: Date, reason: string): void {
    this.#completions.add({
      delivery,
      skipReason: reason,
      outcome: {
        attemptedAt,
        method: '-',
        url: '-',
        statusCode: null,
        latencyMs: 0,
        error: `skipped: ${reason}`,
        responseExcerpt: null,
        status: 'skipped',
        nextAttemptAt: attemptedAt,
        endpointPk: delivery.endpoint.id,
        disableIfFailingSince: attemptedAt,
      },
    });
  }

  #format(delivery: ClaimedDelivery): PostbackRequest | PostbackSkip {
    const { endpoint } = delivery;
    const plugin = this.#plugins.get(endpoint.plugin);
    return formatDelivery(plugin, delivery, perVersion(this.#settingsOf, endpoint, () => plugin.parseSettings(endpoint.settings)), endpoint.adjustmentMode);
  }
}

// A value derived from an endpoint, kept until the endpoint changes; the cache is emptied past 10,000 versions.
function perVersion<V>(cache: Map<string, V>, endpoint: Endpoint, make: () => V): V {
  const key = `${endpoint.id}@${endpoint.updatedAt.getTime()}`;
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= 10_000) cache.clear();
    value = make();
    cache.set(key, value);
  }
  return value;
}
