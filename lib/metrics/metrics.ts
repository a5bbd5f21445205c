// The relay's Prometheus metrics (prom-client), registered in the host's registry or one of the relay's own.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { InvalidOptionError } from '../errors.js';
import type { OutboxStats } from '../store/outbox-stats.js';
import type { AttemptObservation, EventResult } from './instrumentation.js';

/** Where the relay's metrics go. */
export interface MetricsOptions {
  /** The host's prom-client registry. @default a registry of the relay's own (`relay.metrics`) */
  registry?: Registry;
  /** Prefix of every metric name, so two relays can share one registry. @default 'postback_relay_' */
  prefix?: string;
}

/** The metrics, fed by the recorder and the dispatcher; outbox gauges are read from the store at scrape time. */
export interface RelayMetrics {
  readonly registry: Registry;
  eventReceived(type: string, result: EventResult): void;
  attemptFinished(attempt: AttemptObservation): void;
  /** Fenced writes (complete, postpone, release) that changed nothing: the lease had passed to another claim. */
  staleLeaseWrites(write: string, count: number): void;
  /** Rows retention deleted, by table. */
  rowsPruned(pruned: { deliveries: number; attempts: number }): void;
}

// Postback round trips: from a fast local tracker (ms) to the request timeout (s).
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What the gauges read at scrape time. */
export interface MetricSources {
  /** The outbox's counts (one query per scrape). */
  stats: () => Promise<OutboxStats>;
  /** Tracker hosts whose circuit breaker holds their postbacks back, as this instance sees the fleet (from memory). */
  openHosts: () => readonly string[];
}

/** Registers the metrics; a name already in the registry is refused, naming `metrics.prefix`. */
export function createRelayMetrics(options: Readonly<MetricsOptions>, sources: MetricSources): RelayMetrics {
  const { stats } = sources;
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? 'postback_relay_';
  const taken = [`${prefix}events_received_total`, `${prefix}deliveries_pending`].find((name) => registry.getSingleMetric(name) !== undefined);
  if (taken) throw new InvalidOptionError('metrics.prefix', `the registry already has a metric "${taken}"; give each relay its own prefix`);
  const registers = [registry];
  const events = new Counter({ name: `${prefix}events_received_total`, help: 'Inbound events by type and result (recorded, replayed, rejected, failed).', labelNames: ['type', 'result'], registers });
  const sent = new Counter({ name: `${prefix}postbacks_sent_total`, help: 'Postback attempts by plugin and outcome (delivered, http_error, network_error, format_error).', labelNames: ['plugin', 'outcome'], registers });
  const stale = new Counter({
    name: `${prefix}stale_lease_writes_total`,
    help: 'Writes by an instance whose lease had passed to another claim, which therefore changed nothing, by write.',
    labelNames: ['write'],
    registers,
  });
  const pruned = new Counter({ name: `${prefix}retention_pruned_rows_total`, help: 'Rows deleted by retention, by table (deliveries, attempts).', labelNames: ['table'], registers });
  const latency = new Histogram({ name: `${prefix}attempt_duration_seconds`, help: 'Duration of postback attempts, by plugin.', labelNames: ['plugin'], buckets: LATENCY_BUCKETS, registers });

  // One query per scrape feeds the three gauges, however many of them are collected at once.
  let snapshot: Promise<OutboxStats> | undefined;
  const current = () => {
    snapshot ??= stats().finally(() => {
      snapshot = undefined;
    });
    return snapshot;
  };
  const gauge = (name: string, help: string, pick: (value: OutboxStats) => number) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers,
      async collect() {
        this.set(pick(await current()));
      },
    });
  gauge('deliveries_pending', 'Deliveries waiting to be sent or retried.', (value) => value.pending);
  gauge('deliveries_failed', 'Deliveries that gave up (dead letters).', (value) => value.failed);
  gauge('oldest_pending_delivery_age_seconds', 'Age of the oldest pending delivery; 0 when none is pending.', (value) => value.oldestPendingAgeSeconds);
  new Gauge({
    name: `${prefix}host_breaker_open`,
    help: "1 for each tracker host (name:port) whose circuit breaker holds its postbacks back, on this instance's view of the fleet.",
    labelNames: ['host'],
    registers,
    collect() {
      // Closed breakers leave the listing rather than stay at 0: hosts come and go with the endpoints.
      this.reset();
      for (const host of sources.openHosts()) this.set({ host }, 1);
    },
  });

  return {
    registry,
    eventReceived(type, result) {
      events.inc({ type, result });
    },
    attemptFinished(attempt) {
      sent.inc({ plugin: attempt.plugin, outcome: attempt.outcome });
      latency.observe({ plugin: attempt.plugin }, attempt.latencyMs / 1000);
    },
    staleLeaseWrites(write, count) {
      stale.inc({ write }, count);
    },
    rowsPruned(rows) {
      pruned.inc({ table: 'deliveries' }, rows.deliveries);
      pruned.inc({ table: 'attempts' }, rows.attempts);
    },
  };
}
