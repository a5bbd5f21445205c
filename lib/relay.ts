// The wiring function: builds the store, plugins, recorder, dispatcher and router of one relay instance.

import knexFactory from 'knex';
import type { Knex } from 'knex';
import type { Router } from 'express';
import type { Registry } from 'prom-client';
import { builtinPlugins } from '../plugins/builtin.js';
import { DeliveryService } from './deliveries/service.js';
import type { Delivery, UnconfirmedDecision } from './deliveries/types.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { createPostbackClient } from './dispatch/http-client.js';
import type { TestPostbackResult } from './dispatch/send-test.js';
import type { DriftQuery, DriftReport } from './drift/report.js';
import { DriftStore } from './drift/store.js';
import { EndpointService } from './endpoints/service.js';
import type { Endpoint, EndpointInput, EndpointPatch } from './endpoints/types.js';
import type { Adjustment, AdjustmentInput, Commission, CommissionInput, EventName, Lead, LeadInput, Recorded } from './events/types.js';
import { createDashboardRouter } from './dashboard/router.js';
import { createHealthRouter } from './health/health-router.js';
import { InvalidOptionError } from './errors.js';
import { Heartbeat, newInstanceId } from './fleet/heartbeat.js';
import { InstancesStore } from './fleet/instances-store.js';
import type { FleetView } from './fleet/instances-store.js';
import { pixelRouter } from './http/pixel-router.js';
import type { PixelOutcome } from './http/pixel-router.js';
import { createRelayRouter } from './http/router.js';
import { createRelayMetrics } from './metrics/metrics.js';
import { ObservedRecorder } from './metrics/observed-recorder.js';
import { resolveOptions } from './options.js';
import type { Logger } from './log.js';
import { createBrowserPixelLister } from './pixel/browser-pixels.js';
import type { PostbackRelayOptions } from './options.js';
import { createPluginRegistry } from './plugins/registry.js';
import { createPortal } from './portal/portal.js';
import type { PortalFactory } from './portal/portal.js';
import { isMySql, knexConfigForUrl } from './store/database.js';
import { DeliveryActivityStore } from './store/delivery-activity.js';
import { EndpointsStore } from './store/endpoints-store.js';
import { EventsStore } from './store/events-store.js';
import { migrateLatest, pendingMigrations } from './store/migrations/index.js';
import { OutboxStore } from './store/outbox-store.js';
import { RetentionStore } from './store/retention.js';
import { RetentionRunner } from './store/retention-runner.js';
import { KnexRateLimitStore } from './store/rate-limit-store.js';
import { KnexHostSlotsStore } from './store/host-slots-store.js';
import { KnexTrackerHostsStore } from './store/tracker-hosts-store.js';
import { outboxStats } from './store/outbox-stats.js';
import type { DeliveryFilter, OutboxStats } from './store/outbox-store.js';
import { tableNames } from './store/tables.js';
import { VERSION } from './version.js';

/** One relay instance: mount its `router`, call its methods in-process, `start()` it to send postbacks. */
export interface PostbackRelay {
  /** Mount it: `app.use('/postbacks', relay.router)`. Serves `/events/*`, `/endpoints`, `/deliveries`. */
  readonly router: Router;
  /**
   * The public form-fill pixel, separate from the authenticated `router`: mount it beside it,
   * `app.use('/postbacks', relay.pixel)`. Serves `/pixel.js`, `/pixel.gif` and `/pixel/lead`; it can only create leads.
   */
  readonly pixel: Router;
  /** Pixel hits since the relay was created, by outcome (rejected ones by reason). */
  pixelStats(): PixelStats;
  /**
   * The operators' dashboard (overview, endpoints with preview and test postbacks, the delivery log, replay).
   * It does no authentication of its own: mount it behind the host's, `app.use('/postbacks/admin', hostAuth, relay.dashboard)`.
   * Its forms carry CSRF tokens, so a cookie-based host login is safe to use.
   */
  readonly dashboard: Router;
  /**
   * The affiliate self-service portal. `relay.portal({ affiliateOf })` is a router the host mounts behind its own
   * affiliate login; `relay.portal.link(affiliateId, { ttlSeconds })` a signed, expiring URL that opens it without
   * one. Affiliates see and change only their own endpoints and deliveries. See docs/portal.md.
   */
  readonly portal: PortalFactory;
  /** Mount it where probes look: `GET /healthz` (alive) and `GET /readyz` (database, migrations, dispatcher), without authentication. */
  readonly health: Router;
  /** The prom-client registry holding the relay's metrics (the host's own when it gave `metrics.registry`). */
  readonly metrics: Registry;
  /** The knex instance the relay stores into (the host's own when it gave one). */
  readonly knex: Knex;
  /** This instance's id in the fleet (the instances table), new for every relay created. */
  readonly instanceId: string;
  /** Every instance on this database, alive or dead, and the deliveries still leased to dead ones. */
  fleet(): Promise<FleetView>;
  /** Runs pending migrations; returns the names of those it ran. */
  migrate(): Promise<string[]>;
  /** Records a lead (form fill) and queues its `lead_created` postbacks. Idempotent by `id`. */
  recordLead(input: LeadInput): Promise<Recorded<Lead>>;
  /** Records a commission on a lead and queues its `commission_earned` postbacks. Idempotent by `id`. */
  recordCommission(input: CommissionInput): Promise<Recorded<Commission>>;
  /** Records a change to a commission and queues its `commission_adjusted` postbacks. Idempotent by `id`. */
  adjustCommission(input: AdjustmentInput): Promise<Recorded<Adjustment>>;
  /** Affiliates' postback endpoints. */
  readonly endpoints: {
    create(input: EndpointInput): Promise<Endpoint>;
    update(id: string, patch: EndpointPatch): Promise<Endpoint>;
    get(id: string): Promise<Endpoint>;
    list(filter?: { affiliateId?: string }): Promise<Endpoint[]>;
    /** The endpoint's drift report (docs/drift.md): per click, what its tracker should show beside the truth. */
    drift(id: string, query?: DriftQuery): Promise<DriftReport>;
    /** Sends one sample postback of `event` (default `lead_created`) to the endpoint now, recording nothing. */
    sendTest(id: string, event?: EventName): Promise<TestPostbackResult>;
  };
  /** The delivery log. */
  readonly deliveries: {
    /** Every postback for a lead (by the host's id), with its attempts. */
    listForLead(leadId: string): Promise<Delivery[]>;
    /** Deliveries by lead, click ID, endpoint, status and creation time, oldest first (at most 500). */
    list(filter: DeliveryFilter): Promise<Delivery[]>;
    /** One delivery with all its attempts; throws a NotFoundError when there is none. */
    get(id: string): Promise<Delivery>;
    /** Sends a delivery again (any status) with a fresh round of retries. */
    replay(id: string): Promise<Delivery>;
    /** An operator's decision on an `unconfirmed` delivery: `send-again` or `mark-delivered`. */
    decide(id: string, decision: UnconfirmedDecision): Promise<Delivery>;
    /** Sends again every `failed` delivery of an endpoint that failed at or after `since`; returns how many. */
    replayFailed(endpointId: string, since?: Date): Promise<number>;
    /** Sends a test `lead_created` postback to an endpoint the way real ones go, and returns what the tracker answered. */
    sendTest(endpointId: string): Promise<TestPostbackResult>;
    /** Pending, failed and delivered counts, disabled endpoints, and when the oldest pending delivery was queued. */
    stats(): Promise<OutboxStats>;
  };
  /**
   * Registers the instance in the fleet, starts pruning finished deliveries past their retention, and starts sending
   * postbacks (unless dispatching is off). Refuses when migrations are pending.
   */
  start(): Promise<void>;
  /**
   * Stops claiming work and pruning, lets requests in flight finish (bounded), removes the instance from the fleet,
   * and closes the database if the relay opened it.
   */
  stop(): Promise<void>;
}

/** Counts of pixel hits by outcome. */
export interface PixelStats {
  recorded: number;
  replayed: number;
  rejected: Record<string, number>;
}

/** Creates a relay. Every option is checked here; a bad one throws an `InvalidOptionError` naming it. */
export function createPostbackRelay(options: PostbackRelayOptions): PostbackRelay {
  const resolved = resolveOptions(options, VERSION);
  const { logger } = resolved;
  const ownsKnex = typeof resolved.database !== 'function';
  const knex = openKnex(resolved.database, logger);
  const tables = tableNames(resolved.tablePrefix);
  const plugins = createPluginRegistry([...builtinPlugins(), ...resolved.plugins]);
  const events = new EventsStore(knex, tables);
  const outbox = new OutboxStore(knex, tables);
  const endpointsStore = new EndpointsStore(knex, tables, plugins);
  const endpointService = new EndpointService(endpointsStore, plugins, new DriftStore(knex, tables));
  const instanceId = newInstanceId();
  const metrics = createRelayMetrics(resolved.metrics, {
    stats: () => outboxStats(knex, tables, new Date()),
    openHosts: () => dispatcher.openHosts(),
  });
  const heartbeat: Heartbeat = new Heartbeat({
    id: instanceId,
    store: new InstancesStore(knex, tables),
    settings: resolved.fleet,
    logger,
    version: VERSION,
    report: () => ({ dispatching: resolved.dispatch.enabled, held: dispatcher.held }),
  });
  const dispatcher: Dispatcher = new Dispatcher({
    outbox,
    plugins,
    logger,
    client: createPostbackClient({
      timeoutMs: resolved.dispatch.requestTimeoutMs,
      userAgent: resolved.userAgent,
      // Overdue requests stop counting against the concurrency, up to as many again (docs/delivery.md).
      maxSockets: resolved.dispatch.concurrency * 2,
      policy: resolved.targetPolicy,
    }),
    settings: {
      concurrency: resolved.dispatch.concurrency,
      batchSize: resolved.dispatch.batchSize,
      // Renewed every third of its length while held; long enough that a renewal can miss once or twice.
      leaseMs: resolved.dispatch.requestTimeoutMs * 3,
      leaseOwner: instanceId,
      requestTimeoutMs: resolved.dispatch.requestTimeoutMs,
      // Trackers answer in well under a second; a request still open at a tenth of its timeout (1 s by default) is a
      // tracker hanging or struggling, and should not keep the healthy ones waiting.
      overdueAfterMs: Math.max(1, Math.floor(resolved.dispatch.requestTimeoutMs / 10)),
      idlePollMs: resolved.dispatch.idlePollMs,
      stopTimeoutMs: resolved.dispatch.stopTimeoutMs,
      retry: {
        schedule: resolved.dispatch.retrySchedule,
        jitter: resolved.dispatch.retryJitter,
        retryAfterMaxMs: resolved.dispatch.retryAfterMaxMs,
      },
      hosts: {
        maxPerHost: resolved.dispatch.perHostConcurrency,
        breakerThreshold: resolved.dispatch.breakerThreshold,
        breakerCooldownMs: resolved.dispatch.breakerCooldownMs,
        // A slot usually frees within a request's time; waiting longer would only slow a busy host further.
        busyDelayMs: Math.min(resolved.dispatch.requestTimeoutMs, 1_000),
      },
      disableAfterMs: resolved.dispatch.disableAfterMs,
    },
    hostSharing: {
      stores: { slots: new KnexHostSlotsStore(knex, tables), hosts: new KnexTrackerHostsStore(knex, tables) },
      fleetSize: () => heartbeat.summary.sending ?? 1,
    },
    onAttempt(attempt) {
      metrics.attemptFinished(attempt);
      // One line per attempt, with ids and outcome; never the URL, which can hold the tracker's tokens.
      logger.info('postback attempt', { ...attempt });
    },
    onStaleWrite(write, count) {
      metrics.staleLeaseWrites(write, count);
    },
  });
  const recorder = new ObservedRecorder({
    knex,
    events,
    endpoints: endpointsStore,
    outbox,
    defaultCurrency: resolved.defaultCurrency,
    amountLimits: resolved.amounts,
    onQueued: () => {
      dispatcher.notify();
    },
    handoff: dispatcher,
    maxQueued: resolved.ingest.maxQueued,
  }, (type, result) => {
    metrics.eventReceived(type, result);
  });
  const retention = new RetentionRunner({
    store: new RetentionStore(knex, tables),
    windows: resolved.retention,
    intervalMs: resolved.retention.intervalMs,
    logger,
    onPruned: (pruned) => {
      metrics.rowsPruned(pruned);
    },
  });
  // Each limiter gets its own store instance (express-rate-limit wants that) under its own key prefix.
  const rateLimit = resolved.rateLimit === false || resolved.rateLimit.store !== 'database'
    ? resolved.rateLimit
    : { ...resolved.rateLimit, store: (limiter: string) => new KnexRateLimitStore(knex, tables.rateLimits, `${limiter}:`) };
  const pixelStats: PixelStats = { recorded: 0, replayed: 0, rejected: {} };
  const pixel = pixelRouter({
    recordLead: (input, source) => recorder.recordLead(input, source),
    browserPixels: createBrowserPixelLister({ knex, endpoints: endpointsStore, plugins, logger }),
    pixel: resolved.pixel,
    rateLimit,
    version: VERSION,
    logger,
    onHit: (outcome: PixelOutcome) => {
      if (outcome.kind === 'rejected') pixelStats.rejected[outcome.reason] = (pixelStats.rejected[outcome.reason] ?? 0) + 1;
      else pixelStats[outcome.kind] += 1;
    },
  });
  const sendTest = async (endpointId: string, event: EventName = 'lead_created') => dispatcher.sendTest(await endpointService.get(endpointId), event);
  const deliveries = new DeliveryService(
    outbox,
    () => {
      dispatcher.notify();
    },
    (endpointId) => sendTest(endpointId),
  );
  if (!ownsKnex && isMySql(knex)) warnUnlessUtc(knex, logger.warn.bind(logger));

  return {
    router: createRelayRouter({ recorder, plugins, endpoints: endpointService, deliveries, apiKeys: resolved.apiKeys, authentication: resolved.authentication, signing: resolved.signing, rateLimit, bodyLimit: resolved.bodyLimit, logger }),
    pixel,
    dashboard: createDashboardRouter({
      endpoints: endpointService,
      deliveries,
      activity: new DeliveryActivityStore(knex, tables),
      plugins,
      sendTest,
      fleet: () => heartbeat.view(),
      ...(resolved.secret === undefined ? {} : { secret: resolved.secret }),
      bodyLimit: resolved.bodyLimit,
      logger,
    }),
    portal: createPortal({
      endpoints: endpointService,
      deliveries,
      plugins,
      sendTest,
      policy: resolved.targetPolicy,
      options: resolved.portal,
      bodyLimit: resolved.bodyLimit,
      logger,
    }),
    pixelStats: () => structuredClone(pixelStats),
    health: createHealthRouter({
      database: async () => {
        await knex.raw('select 1');
        return undefined;
      },
      migrations: async () => {
        const pending = await pendingMigrations(knex, resolved.tablePrefix);
        return pending.length === 0 ? undefined : `${pending.length} pending migration(s)`;
      },
      dispatcher: () => Promise.resolve(resolved.dispatch.enabled ? dispatcher.problem : undefined),
    }, { fleet: () => heartbeat.summary }),
    metrics: metrics.registry,
    knex,
    instanceId,
    fleet: () => heartbeat.view(),
    migrate: () => migrateLatest(knex, resolved.tablePrefix),
    recordLead: (input) => recorder.recordLead(input),
    recordCommission: (input) => recorder.recordCommission(input),
    adjustCommission: (input) => recorder.adjustCommission(input),
    endpoints: {
      create: (input) => endpointService.create(input),
      update: (id, patch) => endpointService.update(id, patch),
      get: (id) => endpointService.get(id),
      list: (filter) => endpointService.list(filter),
      drift: (id, query) => endpointService.drift(id, query),
      sendTest,
    },
    deliveries: {
      listForLead: (leadId) => outbox.listForLead(leadId),
      list: (filter) => deliveries.list(filter),
      get: (id) => deliveries.get(id),
      replay: (id) => deliveries.replay(id),
      decide: (id, decision) => deliveries.decide(id, decision),
      replayFailed: (endpointId, since) => deliveries.replayFailed(endpointId, since),
      stats: () => deliveries.stats(),
      sendTest: (endpointId) => deliveries.sendTest(endpointId),
    },
    async start() {
      const pending = await pendingMigrations(knex, resolved.tablePrefix);
      if (pending.length > 0) throw new InvalidOptionError('database', `has ${pending.length} pending migration(s) (${pending.join(', ')}); run relay.migrate() first`);
      // Every instance prunes, dispatching or not: the deletes are idempotent, and an ingest-only fleet still grows.
      retention.start();
      await heartbeat.start();
      if (!resolved.dispatch.enabled) {
        logger.info('dispatching is off on this instance: events are queued for other instances to deliver');
        return;
      }
      dispatcher.start();
      logger.info('dispatcher started', { concurrency: resolved.dispatch.concurrency });
    },
    async stop() {
      await retention.stop();
      await dispatcher.stop();
      await heartbeat.stop();
      if (ownsKnex) await knex.destroy();
    },
  };
}

function openKnex(database: Knex | string | Knex.Config, logger: Logger): Knex {
  if (typeof database === 'function') return database;
  const config = typeof database === 'string' ? knexConfigForUrl(database) : database;
  // knex would print its warnings (a failed connection, with its stack) on the console, past the host's logger.
  const line = (message: unknown) => String(message).split('\n')[0] ?? '';
  const log = {
    warn: (message: unknown) => { logger.warn(`knex: ${line(message)}`); },
    error: (message: unknown) => { logger.error(`knex: ${line(message)}`); },
    deprecate: (method: unknown, alternative: unknown) => { logger.warn(`knex: ${String(method)} is deprecated; use ${String(alternative)}`); },
    debug: () => undefined,
  };
  return knexFactory({ log, ...config });
}

// The relay writes UTC instants; a host connection in another zone would shift every stored time.
function warnUnlessUtc(knex: Knex, warn: (message: string) => void): void {
  const connection = (knex.client as { config?: { connection?: { timezone?: string } } }).config?.connection;
  const zone = typeof connection === 'object' ? connection.timezone : undefined;
  if (zone !== 'Z' && zone !== '+00:00') warn('the host knex connection has no timezone "Z": stored times may be shifted from UTC');
}
