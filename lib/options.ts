// The options of createPostbackRelay: documented, validated once, resolved into a frozen internal form.

import type { Knex } from 'knex';
import { InvalidOptionError } from './errors.js';
import type { Logger } from './log.js';
import { resolvePixelOptions } from './pixel/options.js';
import type { PixelOptions, ResolvedPixelOptions } from './pixel/options.js';
import type { MetricsOptions } from './metrics/metrics.js';
import type { FormatterPlugin } from './plugins/types.js';

/** How the dispatcher sends postbacks. */
export interface DispatchOptions {
  /** Postback requests in flight at once. @default 16 */
  concurrency?: number;
  /** A request that has not completed in this time counts as failed. @default 10000 */
  requestTimeoutMs?: number;
  /** Deliveries claimed from the outbox per query. @default 100 */
  batchSize?: number;
  /** How often to look for due work when nothing woke the dispatcher (retries, work queued by another process). @default 1000 */
  idlePollMs?: number;
  /** How long `stop()` waits for requests in flight. @default 10000 */
  stopTimeoutMs?: number;
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
  /** API keys accepted as `Authorization: Bearer <key>`. At least one; several allow rotation. */
  apiKeys: readonly string[];
  /** Formatter plugins in addition to the built-in ones. */
  plugins?: readonly FormatterPlugin[];
  /** Currency of a commission that names none (ISO 4217). @default 'USD' */
  defaultCurrency?: string;
  /** Largest accepted request body, in body-parser notation. @default '100kb' */
  bodyLimit?: string;
  /** The User-Agent of postback requests. @default 'postback-relay/<version>' */
  userAgent?: string;
  /** Where the relay logs. @default a logger that writes nothing */
  logger?: Logger;
  dispatch?: DispatchOptions;
  /** The form-fill pixel's parameter names and cookie. */
  pixel?: PixelOptions;
  /** Prometheus metrics: the host's registry to register them in, and a name prefix. @default the relay's own registry */
  metrics?: MetricsOptions;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  database: Knex | string | Knex.Config;
  tablePrefix: string;
  apiKeys: readonly string[];
  plugins: readonly FormatterPlugin[];
  defaultCurrency: string;
  bodyLimit: string;
  userAgent: string;
  logger: Logger | undefined;
  dispatch: Required<DispatchOptions>;
  pixel: ResolvedPixelOptions;
  metrics: Readonly<MetricsOptions>;
}

const TOP_LEVEL = ['database', 'tablePrefix', 'apiKeys', 'plugins', 'defaultCurrency', 'bodyLimit', 'userAgent', 'logger', 'dispatch', 'pixel', 'metrics'];
const DISPATCH = ['concurrency', 'requestTimeoutMs', 'batchSize', 'idlePollMs', 'stopTimeoutMs'] as const;
const DISPATCH_DEFAULTS: Required<DispatchOptions> = {
  concurrency: 16,
  requestTimeoutMs: 10_000,
  batchSize: 100,
  idlePollMs: 1_000,
  stopTimeoutMs: 10_000,
};

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
  const tablePrefix = options.tablePrefix ?? 'pb_';
  if (typeof tablePrefix !== 'string' || !/^[A-Za-z0-9_]{0,32}$/.test(tablePrefix)) {
    throw new InvalidOptionError('tablePrefix', `must be up to 32 letters, digits or underscores, got ${JSON.stringify(tablePrefix)}`);
  }
  const apiKeys: unknown = options.apiKeys;
  if (!Array.isArray(apiKeys) || apiKeys.length === 0 || !apiKeys.every((key) => typeof key === 'string' && key.length >= 8 && !/\s/.test(key))) {
    throw new InvalidOptionError('apiKeys', 'must be a non-empty array of keys, each at least 8 characters without spaces');
  }
  const defaultCurrency = options.defaultCurrency ?? 'USD';
  if (typeof defaultCurrency !== 'string' || !/^[A-Z]{3}$/.test(defaultCurrency)) {
    throw new InvalidOptionError('defaultCurrency', `must be an ISO 4217 code such as "USD", got ${JSON.stringify(defaultCurrency)}`);
  }
  const bodyLimit = options.bodyLimit ?? '100kb';
  if (typeof bodyLimit !== 'string' || !/^\d+(b|kb|mb)$/i.test(bodyLimit)) {
    throw new InvalidOptionError('bodyLimit', `must look like "100kb", got ${JSON.stringify(bodyLimit)}`);
  }
  const userAgent = options.userAgent ?? `postback-relay/${version}`;
  if (typeof userAgent !== 'string' || userAgent === '') throw new InvalidOptionError('userAgent', 'must be a non-empty string');
  const plugins = options.plugins ?? [];
  if (!Array.isArray(plugins)) throw new InvalidOptionError('plugins', 'must be an array of formatter plugins');
  const dispatch = (options.dispatch ?? {}) as Partial<Record<keyof DispatchOptions, unknown>>;
  if (typeof dispatch !== 'object') throw new InvalidOptionError('dispatch', 'must be an object');
  rejectUnknown(dispatch, DISPATCH, 'dispatch.');
  const resolvedDispatch = { ...DISPATCH_DEFAULTS };
  for (const key of DISPATCH) {
    const value = dispatch[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new InvalidOptionError(`dispatch.${key}`, `must be a positive integer, got ${JSON.stringify(value)}`);
    }
    resolvedDispatch[key] = value;
  }
  const metrics = resolveMetrics(options.metrics);
  return Object.freeze({
    database: database as ResolvedOptions['database'],
    tablePrefix,
    apiKeys: Object.freeze([...(apiKeys as string[])]),
    plugins: plugins as FormatterPlugin[],
    defaultCurrency,
    bodyLimit,
    userAgent,
    logger: given.logger,
    dispatch: Object.freeze(resolvedDispatch),
    pixel: resolvePixelOptions(given.pixel),
    metrics,
  });
}

function rejectUnknown(given: object, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const near = known.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    throw new InvalidOptionError(`${prefix}${key}`, `is not an option${near ? `; did you mean ${prefix}${near}?` : ` (options: ${known.join(', ')})`}`);
  }
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
