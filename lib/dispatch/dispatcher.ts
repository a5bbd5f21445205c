// The dispatcher: claims due deliveries, sends each through p-queue under its lease, records every attempt.

import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import type { Endpoint } from '../endpoints/types.js';
import type { EventName } from '../events/types.js';
import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import type { AttemptObservation } from '../metrics/instrumentation.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { ClaimedDelivery, Lease, OutboxStore } from '../store/outbox-store.js';
import { finishedAttempt, skippedAttempt } from './attempt.js';
import { AttemptLog } from './attempt-log.js';
import { ClaimLoop } from './claim-loop.js';
import { EndpointCache } from './endpoint-cache.js';
import type { DeliveryHandoff } from './handoff.js';
import { HostGuard } from './host-guard.js';
import type { HostGuardSettings } from './host-guard.js';
import { HostShare } from './host-share.js';
import type { HostShareStores } from './host-share.js';
import { guardedHook, guardedLogger } from './host-hooks.js';
import { HostLines } from './host-lines.js';
import type { PostbackClient } from './http-client.js';
import { LeaseKeeper } from './leases.js';
import { OverdueRequests } from './overdue.js';
import { Postpones } from './postpones.js';
import type { StaleWrite } from './leases.js';
import type { RetryPolicy } from './retry-policy.js';
import { Sender } from './send.js';
import { sendTestPostback } from './send-test.js';
import type { TestPostbackResult } from './send-test.js';

/** Resolved dispatcher settings. */
export interface DispatcherSettings {
  /** Requests in flight at once, not counting overdue ones (as many again at most). */
  concurrency: number;
  /** Deliveries claimed per query. */
  batchSize: number;
  /** How long a claim (or a renewal) holds a delivery before another claimer may take it. */
  leaseMs: number;
  /** The client's request timeout: a request starts only while its lease outlasts it. */
  requestTimeoutMs: number;
  /** How long a request may go unanswered before it stops counting against `concurrency`. */
  overdueAfterMs: number;
  /** This instance's fleet id, at the start of each lease token it writes. */
  leaseOwner?: string;
  /** How often to look for work when nothing woke the dispatcher (work queued by another process, retries). */
  idlePollMs: number;
  /** How long `stop()` waits for requests in flight before it aborts them. */
  stopTimeoutMs: number;
  /** When failed attempts are tried again. */
  retry: RetryPolicy;
  /** The per-host cap and circuit breaker. */
  hosts: HostGuardSettings;
  /** An endpoint whose attempts have all failed for this long is disabled. */
  disableAfterMs: number;
}

/** The host's hooks into the dispatcher; each is guarded, so one that throws cannot break delivery. */
export interface DispatcherHooks {
  /** Each attempt, once it is recorded. */
  onAttempt?: (attempt: AttemptObservation) => void;
  /** Writes that found their lease taken over by another claim (see docs/delivery.md). */
  onStaleWrite?: (write: StaleWrite, count: number) => void;
}

/** Where the fleet shares each tracker host's cap and breaker, and how many instances send (for a fair share). */
export interface DispatcherHostSharing {
  stores: HostShareStores;
  /** Instances sending now, this one included. */
  fleetSize: () => number;
}

export class Dispatcher implements DeliveryHandoff {
  readonly #outbox: OutboxStore;
  readonly #logger: Logger;
  readonly #settings: DispatcherSettings;
  readonly #queue: PQueue;
  readonly #overdue: OverdueRequests;
  readonly #leases: LeaseKeeper;
  readonly #claims: ClaimLoop;
  readonly #lines: HostLines;
  readonly #cache: EndpointCache;
  readonly #sender: Sender;
  readonly #hosts: HostGuard;
  readonly #hostShare: HostShare;
  readonly #completions: AttemptLog;
  readonly #postpones: Postpones;
  // Hosts the last claim left out: a slot of one coming free wakes the claim loop.
  #excludedHosts = new Set<string>();
  #trimTimer: NodeJS.Timeout | undefined;
  // Aborts the requests still on the wire once `stop()` has waited its time.
  #abort = new AbortController();
  readonly #client: PostbackClient;
  #running = false;
  // Places promised to events still committing (see DeliveryHandoff), counted against the capacity like held ones.
  #reserved = 0;

  constructor(deps: { outbox: OutboxStore; plugins: PluginRegistry; client: PostbackClient; logger: Logger; settings: DispatcherSettings; hostSharing: DispatcherHostSharing } & DispatcherHooks) {
    const { outbox, plugins, client, settings } = deps;
    const logger = guardedLogger(deps.logger);
    this.#outbox = outbox;
    this.#client = client;
    this.#logger = logger;
    this.#settings = settings;
    this.#queue = new PQueue({ concurrency: settings.concurrency });
    this.#overdue = new OverdueRequests({ afterMs: settings.overdueAfterMs, max: settings.concurrency });
    this.#leases = new LeaseKeeper({ outbox, settings, logger, onStale: guardedHook('onStaleWrite', deps.onStaleWrite, logger) });
    this.#claims = new ClaimLoop({
      outbox,
      leases: this.#leases,
      logger,
      settings,
      target: {
        room: () => this.#room(),
        queued: () => this.#queue.size,
        excludedEndpoints: () => this.#excludedEndpoints(),
        take: (batch, lease) => {
          this.#take(batch, lease);
        },
      },
    });
    // A slot comes free within a request's timeout, or was never coming (a take that hangs on the database).
    this.#lines = new HostLines({ min: settings.hosts.maxPerHost * 2, max: settings.concurrency + settings.batchSize * 2, maxWaitMs: settings.requestTimeoutMs });
    this.#cache = new EndpointCache(plugins);
    this.#postpones = new Postpones({
      outbox,
      leases: this.#leases,
      logger,
      // Room was made. An instance holding no slot of a host puts off all it claimed for it, with no attempt whose
      // record would wake a claim loop that stopped for want of room.
      onWritten: () => {
        if (this.#claims.backlog) this.#claims.notify();
      },
    });
    this.#hosts = new HostGuard(settings.hosts, {
      requestTimeoutMs: settings.requestTimeoutMs,
      fleetSize: deps.hostSharing.fleetSize,
      onChores: () => {
        this.#hostShare.kick();
      },
      onWake: (host) => {
        this.#resume(host);
      },
    });
    this.#hostShare = new HostShare({
      guard: this.#hosts,
      stores: deps.hostSharing.stores,
      logger,
      settings: {
        // Slots need an owner even where deliveries' lease tokens carry none (a dispatcher outside a relay).
        owner: settings.leaseOwner ?? randomBytes(6).toString('hex'),
        leaseMs: settings.leaseMs,
        // A third of a lease, like delivery renewals, and often enough that the fleet learns of an open breaker
        // within a third of its cooldown.
        syncMs: Math.max(10, Math.floor(Math.min(settings.leaseMs, settings.hosts.breakerCooldownMs) / 3)),
        maxPerHost: settings.hosts.maxPerHost,
      },
    });
    this.#sender = new Sender({ plugins, client, hosts: this.#hosts, cache: this.#cache });
    this.#completions = new AttemptLog({
      outbox,
      leases: this.#leases,
      logger,
      onAttempt: guardedHook('onAttempt', deps.onAttempt, logger),
      // Room was made; and a delivered postback may release the next one of its lead, so look for work at once.
      onRecorded: (delivered) => {
        if (this.#claims.backlog || delivered) this.#claims.notify();
      },
      batchSize: settings.batchSize,
      disableAfterMs: settings.disableAfterMs,
      coming: () => this.#queue.pending > 0 || this.#queue.size > 0,
    });
  }

  /** Deliveries held under lease now (queued, in flight, or waiting for their attempt to be written). */
  get held(): number {
    return this.#leases.size;
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#running;
  }

  /** Why the dispatcher cannot do its job right now (for `/readyz`); undefined when it can. */
  get problem(): string | undefined {
    if (!this.#running) return 'not running';
    const since = this.#completions.failingSince;
    return since ? `cannot record delivery attempts since ${since.toISOString()}` : undefined;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    // Every request on the wire listens on it: up to `concurrency`, and as many overdue ones. Past node's default of
    // ten it would warn of a leak that is the design.
    setMaxListeners(this.#settings.concurrency * 2, this.#abort.signal);
    this.#leases.start();
    this.#hostShare.start();
    this.#claims.start();
    this.#trimTimer = setInterval(() => {
      this.#trimLines();
    }, 1_000);
    this.#trimTimer.unref();
  }

  /** Looks for due work now. Called after every commit that queued deliveries; cheap to call often. */
  notify(): void {
    this.#claims.notify();
  }

  /**
   * Stops claiming and drops what has not started; waits (up to `stopTimeoutMs`) for requests in flight, then
   * aborts the rest, recording those attempts as ambiguous; waits (up to `stopTimeoutMs` again) for every attempt
   * to be recorded. Only then, with no request left that could go out, does it give back the leases it holds,
   * except those of deliveries whose attempt could not be recorded: they keep theirs until it runs out, as after
   * a crash. Nothing touches the database once this has resolved.
   */
  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#trimTimer);
    await this.#claims.stop();
    this.#queue.clear();
    this.#lines.clear();
    if (!(await this.#within(this.#sent(), this.#settings.stopTimeoutMs))) {
      this.#logger.warn('requests still in flight at stop: aborting them, their attempts recorded as ambiguous', { inFlight: this.#queue.pending + this.#overdue.size });
      this.#abort.abort();
      await this.#sent();
    }
    await this.#within(Promise.all([this.#completions.flushed(), this.#postpones.flushed()]), this.#settings.stopTimeoutMs);
    const unrecorded = await this.#completions.close();
    if (unrecorded.length > 0) {
      this.#logger.error('attempts could not be recorded before stop; their leases run out on their own', { deliveries: unrecorded.map((f) => f.delivery.pk) });
    }
    await this.#leases.stop();
    await this.#hostShare.stop();
    for (const { delivery } of unrecorded) this.#leases.drop(delivery.pk);
    await this.#release([...this.#leases.heldPks()]);
    this.#client.close();
  }

  /** Tracker hosts whose circuit breaker holds their postbacks back now, on this instance's view of the fleet. */
  openHosts(): string[] {
    return this.#hosts.openHosts();
  }

  get leaseMs(): number {
    return this.#leases.leaseMs;
  }

  lease(now: Date): Lease {
    return this.#leases.lease(now);
  }

  reserve(wanted: number): number {
    if (!this.#running) return 0;
    const granted = Math.max(0, Math.min(wanted, this.#room()));
    this.#reserved += granted;
    return granted;
  }

  settle(granted: number, deliveries: readonly ClaimedDelivery[], lease: Lease | undefined): void {
    this.#reserved -= granted;
    if (!lease || deliveries.length === 0) return;
    if (!this.#running) {
      // Stopped while the event committed: give the leases back, so another instance sends these at once.
      this.#outbox.release(deliveries).catch((error: unknown) => {
        this.#logger.error('could not release delivery leases', { error: describeError(error) });
      });
      return;
    }
    this.#take(deliveries, lease);
  }

  /** Sends a sample `event` to `endpoint` the way real deliveries go (plugin, host guard, client), storing nothing. */
  async sendTest(endpoint: Endpoint, event: EventName): Promise<TestPostbackResult> {
    return sendTestPostback(this.#sender, this.#cache, endpoint, event, (host) => {
      this.#resume(host);
    }, this.#settings.hosts.busyDelayMs);
  }

  // How many more deliveries may be taken on: a slot's worth and two batches in all, held or promised. What is
  // held never grows past that, wherever it is (queued, in flight, or finished and waiting to be recorded): that
  // is the backpressure, and the bound of the completion writer's buffer.
  #room(): number {
    const { concurrency, batchSize } = this.#settings;
    return concurrency + batchSize * 2 - this.#leases.size - this.#reserved;
  }

  #take(deliveries: readonly ClaimedDelivery[], lease: Lease): void {
    for (const delivery of deliveries) {
      this.#leases.hold(delivery, lease.until);
      this.#enqueue(delivery);
    }
  }

  #enqueue(delivery: ClaimedDelivery): void {
    const lost = (error: unknown) => {
      // #deliver handles its own failures; reaching here is a bug, and the lease runs out on its own.
      this.#logger.error('a delivery task failed', { delivery: delivery.pk, error: describeError(error) });
      this.#leases.drop(delivery.pk);
    };
    this.#queue.add(() => this.#overdue.place(this.#deliver(delivery).catch(lost))).catch(lost);
  }

  // Every request started has ended: the queue first, since until it is idle a request may still become overdue.
  async #sent(): Promise<void> {
    await this.#queue.onIdle();
    await this.#overdue.idle();
  }

  // The path of one delivery: may it start, send it, then hand the attempt to the completion writer (the request
  // slot is free for the next postback while the attempt is recorded).
  async #deliver(delivery: ClaimedDelivery): Promise<void> {
    if (!this.#leases.mayStart(delivery.pk, Date.now())) {
      this.#leases.drop(delivery.pk);
      this.#logger.warn('lease could run out before the request ends: not sent, left for the next claim', { delivery: delivery.pk });
      return;
    }
    const attemptedAt = new Date();
    const sent = await this.#sender.send(delivery, (host) => { this.#ended(host); }, this.#abort.signal);
    if ('skip' in sent) {
      this.#completions.add(skippedAttempt(delivery, attemptedAt, sent.skip));
      return;
    }
    if ('busy' in sent) {
      if (sent.busy.soon && this.#lines.wait(sent.host, delivery, Date.now())) return;
      this.#postpones.add(delivery, sent.host, sent.busy.until);
      // No slot will come free to wake the host's line (its breaker is open, or this instance holds none): pass it on, so none is stranded.
      if (!sent.busy.soon) this.#resume(sent.host);
      return;
    }
    const mask = this.#cache.masker(delivery.endpoint);
    this.#completions.add(finishedAttempt(delivery, sent, attemptedAt, mask, this.#settings, this.#abort.signal.aborted));
  }

  // A request to `host` ended: it counts towards the host's pace, and its slot goes to the next in line.
  #ended(host: string): void {
    this.#lines.ended(host, Date.now());
    this.#resume(host);
  }

  // A slot of `host` came free: the first postback waiting for it goes next, and a claim that left the host out
  // may now take its postbacks.
  #resume(host: string): void {
    if (!this.#running) return;
    const next = this.#lines.next(host);
    if (next) this.#enqueue(next);
    if (this.#excludedHosts.delete(host)) this.#claims.notify();
  }

  // The endpoints of hosts that cannot take a postback now, for the claim to leave out: an open breaker, no slot
  // of the host to be had on this instance (the fleet holds them), or every slot taken and the line full. Their postbacks stay in the outbox, unclaimed and unwritten, until a slot frees.
  #excludedEndpoints(): ReadonlySet<string> {
    const now = Date.now();
    const hosts = this.#hosts.unavailable(now).filter(({ host, soon }) => !soon || this.#lines.full(host, now));
    this.#excludedHosts = new Set(hosts.map(({ host }) => host));
    return this.#cache.endpointsOf(this.#excludedHosts);
  }

  // A line longer than its host's pace now allows (the host slowed down or hangs) gives its tail back to the outbox.
  #trimLines(): void {
    const now = Date.now();
    for (const [host, trimmed] of this.#lines.trim(now)) {
      for (const delivery of trimmed) this.#postpones.add(delivery, host, new Date(now + this.#settings.hosts.busyDelayMs));
    }
  }

  // At stop, the leases still held go back, so another instance may send those deliveries at once; if that write
  // fails they run out on their own.
  async #release(pks: readonly string[]): Promise<void> {
    try {
      await this.#leases.release(pks);
    } catch (error) {
      this.#logger.error('could not release delivery leases', { error: describeError(error) });
    }
  }

  // Whether `work` ended within `ms`.
  async #within(work: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([work.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)))]);
    clearTimeout(timer);
    return ended;
  }
}
