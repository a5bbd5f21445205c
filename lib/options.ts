// The options of createPostbackRelay: documented, validated once, resolved into a frozen internal form.

import type { Knex } from 'knex';
import { createTargetPolicy } from './dispatch/target-guard.js';
import type { TargetPolicy } from './dispatch/target-guard.js';
import { checkedOption, rejectUnknown, resolveOptionGroup } from './config/resolve-options.js';
import { FLEET_DEFAULTS, INGEST_DEFAULTS, RETENTION_DEFAULTS, optionSetting } from './config/settings.js';
import { resolveAmountLimits } from './events/amount-limits.js';
import type { AmountLimitOptions, AmountLimits } from './events/amount-limits.js';
import { InvalidOptionError } from './errors.js';
import { parseApiKey } from './http/auth.js';
import type { ScopedKey } from './http/auth.js';
import { resolveRateLimit } from './http/rate-limit.js';
import type { RateLimitOptions, ResolvedRateLimit } from './http/rate-limit.js';
import type { SigningSettings } from './http/signing.js';
import { createWarningLogger, fromHostLogger, isHostLogger } from './log.js';
import type { HostLogger, Logger } from './log.js';
import { resolvePixelOptions } from './pixel/options.js';
import type { PixelOptions, ResolvedPixelOptions } from './pixel/options.js';
import type { MetricsOptions } from './metrics/metrics.js';
import type { FormatterPlugin } from './plugins/types.js';
import { resolvePortalOptions } from './portal/options.js';
import type { PortalOptions, ResolvedPortalOptions } from './portal/options.js';

/** How the dispatcher sends postbacks. */
export interface DispatchOptions {
  /**
   * False for an instance that only takes events: `start()` sends nothing, and other instances on the same
   * database deliver what it queues (their claims see its outbox rows). @default true
   */
  enabled?: boolean;
  /** Postback requests in flight at once; one still unanswered after a tenth of the request timeout stops counting (up to as many again), so hanging trackers cannot hold every place. @default 16 */
  concurrency?: number;
  /** A request that has not completed in this time counts as failed. @default 10000 */
  requestTimeoutMs?: number;
  /** Deliveries claimed from the outbox per query. @default 100 */
  batchSize?: number;
  /** How often to look for due work when nothing woke the dispatcher (retries, work queued by another process). @default 1000 */
  idlePollMs?: number;
  /** How long `stop()` waits for requests in flight. @default 10000 */
  stopTimeoutMs?: number;
  /**
   * Waits before the 2nd, 3rd, ... attempt, in ms. The first attempt is made at once; after the last
   * retry fails the delivery is `failed` (a dead letter, replayable). At most 50 entries.
   * @default [5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000] (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)
   */
  retrySchedule?: readonly number[];
  /** Each wait is lengthened by a random 0..`retryJitter` fraction of itself (never shortened), to spread retries. @default 0.2 */
  retryJitter?: number;
  /**
   * Requests in flight to one destination host (name and port) at once, from every instance on the database
   * together (they share its slots, docs/scaling.md), so a slow tracker cannot take every slot. @default 4
   */
  perHostConcurrency?: number;
  /** Consecutive failures (no answer or 5xx) to one host, seen by one instance, that open its breaker for the whole fleet. @default 5 */
  breakerThreshold?: number;
  /** How long an open breaker holds a host's postbacks back (without counting attempts) before one probe. @default 30000 */
  breakerCooldownMs?: number;
  /**
   * An endpoint whose every attempt has failed for this long (no success in between) is disabled; its
   * pending postbacks are kept and resume when it is enabled again. @default 432000000 (5 days)
   */
  disableAfterMs?: number;
  /** The longest `Retry-After` (on 429/503 and other retryable answers) honoured, in ms. @default 3600000 */
  retryAfterMaxMs?: number;
}

/** How much inbound work may wait for the database. */
export interface IngestOptions {
  /**
   * Events of one type (leads, commissions, adjustments) waiting to be stored at most; past it a request is
   * refused with `503`, `Retry-After` and `ERR_PB_INGEST_OVERLOADED`, and nothing of it is stored. @default 2000
   */
  maxQueued?: number;
}

/** How long finished deliveries and their attempts are kept (leads, commissions and adjustments are always kept). */
export interface RetentionOptions {
  /** Days a `delivered` or `skipped` delivery is kept after it finished; 0 or null keeps them forever. @default 30 */
  deliveredDays?: number | null;
  /** Days a `failed` delivery (a dead letter, replayable until then) is kept after it gave up; 0 or null keeps them forever. @default 90 */
  failedDays?: number | null;
  /** How often the started relay prunes, in ms. @default 600000 (10 min) */
  intervalMs?: number;
}

/** Options of {@link createPostbackRelay}. */
export interface PostbackRelayOptions {
  /**
   * Where to store events and the outbox: the host's own knex instance (never destroyed by the relay;
   * on MySQL give it `timezone: 'Z'`), a database URL (`mysql://user:pass@host:3306/db`, or a SQLite
   * file path), or a knex config.
   */
  database: Knex | string | Knex.Config;
  /** Prefix of every table the relay creates, so they sit beside the host's own. @default 'pb_' */
  tablePrefix?: string;
  /**
   * API keys accepted as `Authorization: Bearer <key>`; several at once allow rotation. `key` may do
   * everything; `key:events` only send events (`/events/*`); `key:admin` only manage endpoints and read
   * deliveries. At least one unless `authentication` is `'host'`.
   * @example ['k3y-for-the-crm:events', 'k3y-for-the-back-office:admin']
   */
  apiKeys?: readonly string[];
  /**
   * `'apiKeys'`: the router checks `apiKeys`. `'host'`: the host app authenticates before the router
   * (`app.use('/postbacks', hostAuth, relay.router)`) and may narrow the scopes through
   * `res.locals.postbackRelayScopes` (e.g. `['events']`); unset, every scope is granted.
   * @default 'apiKeys'
   */
  authentication?: 'apiKeys' | 'host';
  /** Requires HMAC-SHA256 request signatures (see docs/security.md). @default off */
  signing?: {
    /** Secrets a signature may be made with; several allow rotation. Each at least 16 characters. */
    secrets: readonly string[];
    /** How far a request's timestamp may be from now, either way; older ones are refused as replays. @default 300 */
    toleranceSeconds?: number;
  };
  /** Per-client-address rate limit of the router and the pixel's hits, or `false` for none (when the host limits itself). @default { max: 600, windowMs: 60000, store: 'memory' } */
  rateLimit?: RateLimitOptions | false;
  /** Formatter plugins in addition to the built-in ones. */
  plugins?: readonly FormatterPlugin[];
  /** Currency of a commission that names none (ISO 4217). @default 'USD' */
  defaultCurrency?: string;
  /** Largest accepted request body, in body-parser notation. @default '100kb' */
  bodyLimit?: string;
  /** The User-Agent of postback requests. @default 'postback-relay/<version>' */
  userAgent?: string;
  /**
   * Where the relay logs: pino, or any logger with pino's methods (`logger.warn(fields, message)`).
   * @default each distinct warning or error once, as a Node process warning (`process.emitWarning`); nothing else
   * @example pino({ level: 'info' })
   */
  logger?: HostLogger;
  dispatch?: DispatchOptions;
  /** The form-fill pixel's parameter names and cookie. */
  pixel?: PixelOptions;
  /** Prometheus metrics: the host's registry to register them in, and a name prefix. @default the relay's own registry */
  metrics?: MetricsOptions;
  /**
   * Non-public postback targets the SSRF guard lets through: host names (matched exactly), IP addresses or
   * CIDR ranges. Everything that resolves to loopback, private, link-local, CGNAT, multicast, reserved or
   * IPv4-mapped addresses is refused otherwise, checked when the socket connects.
   * @default []
   * @example ['tracker.internal', '10.20.0.0/16']
   */
  targetAllowlist?: readonly string[];
  /** Precision and range of commission amounts and adjustments. @default { maxDecimals: 2, maxAmount: '1000000' } */
  amounts?: AmountLimitOptions;
  /** The affiliate self-service portal (`relay.portal`): what affiliates may do, and the secrets of its links. */
  portal?: PortalOptions;
  /** The bound of the ingest queue. */
  ingest?: IngestOptions;
  /** How long finished deliveries and their attempts are kept. */
  retention?: RetentionOptions;
  /**
   * A secret every instance of a fleet shares, at least 32 characters: it signs the dashboard's form tokens, so a
   * form fetched from one instance can be posted through another behind a load balancer. Unset, each process picks
   * a random one (fine for a single instance; its forms then expire at a restart). @default random per process
   */
  secret?: string;
  /** This instance's place in the fleet (the instances table, see docs/scaling.md). */
  fleet?: FleetOptions;
}

/** How an instance makes itself known to the others on the same database. */
export interface FleetOptions {
  /** How often the instance writes its heartbeat row; one missing three beats is listed as dead. @default 10000 */
  heartbeatMs?: number;
}

/** Retention with defaults filled in: a number of days, or null to keep forever. */
export interface ResolvedRetention {
  deliveredDays: number | null;
  failedDays: number | null;
  intervalMs: number;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  database: Knex | string | Knex.Config;
  tablePrefix: string;
  apiKeys: readonly ScopedKey[];
  authentication: 'apiKeys' | 'host';
  signing: SigningSettings | undefined;
  rateLimit: ResolvedRateLimit | false;
  plugins: readonly FormatterPlugin[];
  defaultCurrency: string;
  bodyLimit: string;
  userAgent: string;
  logger: Logger;
  dispatch: Required<DispatchOptions>;
  pixel: ResolvedPixelOptions;
  metrics: Readonly<MetricsOptions>;
  targetPolicy: TargetPolicy;
  amounts: AmountLimits;
  portal: ResolvedPortalOptions;
  ingest: Readonly<Required<IngestOptions>>;
  retention: Readonly<ResolvedRetention>;
  secret: string | undefined;
  fleet: Required<FleetOptions>;
}

const TOP_LEVEL = [
  'database', 'tablePrefix', 'apiKeys', 'plugins', 'defaultCurrency', 'bodyLimit', 'userAgent', 'logger', 'dispatch',
  'pixel', 'metrics', 'targetAllowlist', 'authentication', 'signing', 'rateLimit', 'amounts', 'portal', 'ingest', 'retention', 'secret', 'fleet',
];
/** Checks every option, naming the first bad one, and fills in defaults. */
export function resolveOptions(given: PostbackRelayOptions, version: string): ResolvedOptions {
  // Typed for TypeScript callers, but JavaScript callers can pass anything: check as unknown.
  const options = given as unknown as Partial<Record<keyof PostbackRelayOptions, unknown>> | null;
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'must be an object');
  rejectUnknown(options, TOP_LEVEL, '');
  const { database } = options;
  if (database === null || (typeof database !== 'string' && typeof database !== 'function' && typeof database !== 'object')) {
    throw new InvalidOptionError('database', 'is required: a knex instance, a database URL or a knex config');
  }
  const tablePrefix = checkedOption(optionSetting('tablePrefix'), options.tablePrefix) as string;
  const authentication = options.authentication ?? 'apiKeys';
  if (authentication !== 'apiKeys' && authentication !== 'host') throw new InvalidOptionError('authentication', `must be 'apiKeys' or 'host', got ${JSON.stringify(authentication)}`);
  const apiKeys: unknown = options.apiKeys ?? [];
  if (!Array.isArray(apiKeys) || (apiKeys.length === 0 && authentication === 'apiKeys')) {
    throw new InvalidOptionError('apiKeys', "must be a non-empty array of keys, each at least 8 characters without spaces (or set authentication: 'host')");
  }
  const scopedKeys = apiKeys.map((key, index) => parseApiKey(key, `apiKeys[${index}]`));
  const defaultCurrency = checkedOption(optionSetting('defaultCurrency'), options.defaultCurrency) as string;
  const bodyLimit = checkedOption(optionSetting('bodyLimit'), options.bodyLimit) as string;
  const userAgent = options.userAgent ?? `postback-relay/${version}`;
  if (typeof userAgent !== 'string' || userAgent === '') throw new InvalidOptionError('userAgent', 'must be a non-empty string');
  const plugins = options.plugins ?? [];
  if (!Array.isArray(plugins)) throw new InvalidOptionError('plugins', 'must be an array of formatter plugins');
  const dispatch: unknown = options.dispatch ?? {};
  if (typeof dispatch !== 'object' || dispatch === null) throw new InvalidOptionError('dispatch', 'must be an object');
  const resolvedDispatch = resolveOptionGroup(dispatch, 'dispatch') as unknown as Required<DispatchOptions>;
  const metrics = resolveMetrics(options.metrics);
  const rateLimit = options.rateLimit === false ? false : resolveRateLimit(options.rateLimit ?? {}, 'rateLimit');
  const targetAllowlist = options.targetAllowlist ?? [];
  if (!Array.isArray(targetAllowlist)) throw new InvalidOptionError('targetAllowlist', 'must be an array of host names, IP addresses or CIDR ranges');
  return Object.freeze({
    database: database as ResolvedOptions['database'],
    tablePrefix,
    apiKeys: Object.freeze(scopedKeys),
    authentication,
    signing: resolveSigning(options.signing),
    rateLimit,
    plugins: plugins as FormatterPlugin[],
    defaultCurrency,
    bodyLimit,
    userAgent,
    logger: resolveLogger(options.logger),
    dispatch: Object.freeze({ ...resolvedDispatch, retrySchedule: Object.freeze([...resolvedDispatch.retrySchedule]) }),
    pixel: resolvePixelOptions(given.pixel),
    metrics,
    amounts: resolveAmountLimits(options.amounts ?? {}, 'amounts'),
    portal: resolvePortalOptions(options.portal),
    ingest: resolveIngest(options.ingest),
    retention: resolveRetention(options.retention),
    targetPolicy: createTargetPolicy(targetAllowlist as unknown[] as string[], 'targetAllowlist'),
    secret: resolveSecret(options.secret),
    fleet: resolveFleet(options.fleet),
  });
}

function resolveIngest(given: unknown): Readonly<Required<IngestOptions>> {
  if (given === undefined) return INGEST_DEFAULTS;
  if (typeof given !== 'object' || given === null) throw new InvalidOptionError('ingest', 'must be an object: { maxQueued? }');
  return Object.freeze(resolveOptionGroup(given, 'ingest') as Required<IngestOptions>);
}

function resolveRetention(given: unknown): Readonly<ResolvedRetention> {
  if (given === undefined) return RETENTION_DEFAULTS;
  if (typeof given !== 'object' || given === null) throw new InvalidOptionError('retention', 'must be an object: { deliveredDays?, failedDays?, intervalMs? }');
  rejectUnknown(given, ['deliveredDays', 'failedDays', 'intervalMs'], 'retention.');
  const options = given as Partial<Record<keyof RetentionOptions, unknown>>;
  const days = (key: 'deliveredDays' | 'failedDays'): number | null => {
    const value = options[key] === undefined ? RETENTION_DEFAULTS[key] : options[key];
    if (value === null || value === 0) return null;
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
      throw new InvalidOptionError(`retention.${key}`, `must be a number of days > 0, or 0 or null to keep forever, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const { intervalMs = RETENTION_DEFAULTS.intervalMs } = options;
  if (typeof intervalMs !== 'number' || !Number.isInteger(intervalMs) || intervalMs <= 0) {
    throw new InvalidOptionError('retention.intervalMs', `must be a positive integer, got ${JSON.stringify(intervalMs)}`);
  }
  return Object.freeze({ deliveredDays: days('deliveredDays'), failedDays: days('failedDays'), intervalMs });
}

function resolveSecret(given: unknown): string | undefined {
  if (given === undefined) return undefined;
  if (typeof given !== 'string' || given.length < 32) throw new InvalidOptionError('secret', 'must be a string of at least 32 characters');
  return given;
}

function resolveFleet(given: unknown): Required<FleetOptions> {
  if (given === undefined) return FLEET_DEFAULTS;
  if (typeof given !== 'object' || given === null) throw new InvalidOptionError('fleet', 'must be an object such as { heartbeatMs: 10000 }');
  return Object.freeze(resolveOptionGroup(given, 'fleet') as Required<FleetOptions>);
}

function resolveSigning(given: unknown): SigningSettings | undefined {
  if (given === undefined) return undefined;
  if (typeof given !== 'object' || given === null) throw new InvalidOptionError('signing', 'must be an object such as { secrets: ["..."] }');
  const { secrets, toleranceSeconds } = resolveOptionGroup(given, 'signing') as { secrets: string[]; toleranceSeconds: number };
  if (secrets.length === 0) throw new InvalidOptionError('signing.secrets', 'must be a non-empty array of secrets, each at least 16 characters');
  return Object.freeze({ secrets: Object.freeze([...secrets]), toleranceSeconds });
}

function resolveLogger(given: unknown): Logger {
  if (given === undefined) return createWarningLogger();
  if (!isHostLogger(given)) throw new InvalidOptionError('logger', 'must be a pino-compatible logger with debug, info, warn and error methods (e.g. pino())');
  return fromHostLogger(given);
}

function resolveMetrics(given: unknown): Readonly<MetricsOptions> {
  if (given === undefined) return Object.freeze({});
  if (typeof given !== 'object' || given === null) throw new InvalidOptionError('metrics', 'must be an object: { registry?, prefix? }');
  const metrics = given as Partial<Record<keyof MetricsOptions, unknown>>;
  rejectUnknown(metrics, ['registry', 'prefix'], 'metrics.');
  const { registry, prefix } = metrics;
  if (registry !== undefined && (registry === null || typeof (registry as { registerMetric?: unknown }).registerMetric !== 'function')) {
    throw new InvalidOptionError('metrics.registry', 'must be a prom-client Registry (e.g. prom-client\'s `register`)');
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix))) {
    throw new InvalidOptionError('metrics.prefix', `must be a Prometheus name prefix such as "postback_relay_", got ${JSON.stringify(prefix)}`);
  }
  return Object.freeze({ ...(registry === undefined ? {} : { registry: registry as MetricsOptions['registry'] }), ...(prefix === undefined ? {} : { prefix }) });
}
