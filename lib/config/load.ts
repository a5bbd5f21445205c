// The server's configuration: one convict schema (the single source of truth), read from env and an optional file.

import convict from 'convict';
import { ConfigError } from '../errors.js';
import { parseApiKey } from '../http/auth.js';
import { LOG_LEVELS } from '../log.js';
import { DISPATCH_DEFAULTS, FLEET_DEFAULTS } from '../options.js';
import type { LogLevel } from '../log.js';
import { PARAM_NAME, PIXEL_DEFAULTS } from '../pixel/options.js';

/** The resolved, frozen configuration of the standalone server. */
export interface RelayConfig {
  env: 'production' | 'development' | 'test';
  database: { url: string; tablePrefix: string; migrate: boolean };
  http: { host: string; port: number; mountPath: string; bodyLimit: string; trustProxy: string };
  apiKeys: string[];
  plugins: string[];
  defaultCurrency: string;
  dispatch: {
    enabled: boolean;
    concurrency: number;
    requestTimeoutMs: number;
    batchSize: number;
    retrySchedule: number[];
    perHostConcurrency: number;
    breakerThreshold: number;
    breakerCooldownMs: number;
    disableAfterMs: number;
  };
  log: { level: LogLevel };
  pixel: { clickIdParams: string[]; affiliateParams: string[]; offerParams: string[]; cookieDays: number };
  targetAllowlist: string[];
  signing: { secrets: string[]; toleranceSeconds: number };
  rateLimit: { enabled: boolean; max: number; windowMs: number };
  amounts: { maxDecimals: number; maxAmount: string };
  secret: string;
  fleet: { heartbeatMs: number };
}

/** A convict format (a validator function) for strings matching `pattern`. */
function matching(pattern: RegExp, hint: string): (value: unknown) => void {
  return (value) => {
    if (typeof value !== 'string' || !pattern.test(value)) throw new Error(`must be ${hint}`);
  };
}

const positiveInt = (name: string) => ({
  name,
  validate(value: unknown) {
    if (!Number.isInteger(value) || (value as number) <= 0) throw new Error('must be a positive integer');
  },
  coerce: (value: string) => (/^\d+$/.test(value) ? Number(value) : value),
});

convict.addFormats({
  'positive-int': positiveInt('positive-int'),
  'ms-list': {
    validate(value: unknown) {
      if (!Array.isArray(value) || value.length > 50 || !value.every((ms) => Number.isInteger(ms) && (ms as number) >= 0)) {
        throw new Error('must be a comma-separated list of at most 50 waits in ms, such as 5000,300000');
      }
    },
    coerce: (value: string) => value.split(',').map((ms) => (/^\s*\d+\s*$/.test(ms) ? Number(ms) : ms)),
  },
  'string-list': {
    validate(value: unknown) {
      if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) throw new Error('must be a comma-separated list');
    },
    coerce: (value: string) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''),
  },
  'database-url': {
    validate(value: unknown) {
      if (typeof value !== 'string' || value === '') throw new Error('must be a mysql:// URL or a SQLite file path');
      validateDatabaseUrl(value);
    },
  },
  'api-keys': {
    validate(value: unknown) {
      if (!Array.isArray(value)) throw new Error('must be a comma-separated list of keys');
      // The message of parseApiKey names the rule, never the key.
      for (const key of value) parseApiKey(key, 'apiKeys');
    },
    coerce: (value: string) => value.split(',').map((key) => key.trim()).filter((key) => key !== ''),
  },
  'plugin-list': {
    validate(value: unknown) {
      if (!Array.isArray(value) || !value.every((name) => typeof name === 'string' && name.length > 0)) throw new Error('must be a comma-separated list of package names or paths');
    },
    coerce: (value: string) => value.split(',').map((name) => name.trim()).filter((name) => name !== ''),
  },
  'param-names': {
    validate(value: unknown) {
      if (!Array.isArray(value) || value.length === 0 || !value.every((name) => typeof name === 'string' && PARAM_NAME.test(name))) {
        throw new Error('must be a comma-separated list of URL parameter names (letters, digits, "_", ".", "-")');
      }
    },
    coerce: (value: string) => value.split(',').map((name) => name.trim()).filter((name) => name !== ''),
  },
});

function validateDatabaseUrl(value: string): void {
  if (/^mysql2?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new Error('is not a valid mysql:// URL');
    }
    if (url.pathname.replace(/^\//, '') === '') throw new Error('the mysql:// URL must name a database, e.g. mysql://root@127.0.0.1:3306/app');
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !/^sqlite:/i.test(value)) {
    throw new Error('must be a mysql:// URL or a SQLite file path');
  }
}

/** The convict schema: every key with its doc, format, default and environment variable. */
export const configSchema: convict.Schema<RelayConfig> = {
  env: { doc: 'The environment; production refuses unsafe defaults.', format: ['production', 'development', 'test'], default: 'development', env: 'NODE_ENV' },
  database: {
    url: {
      doc: 'mysql://user:password@host:3306/database, or a SQLite file path (the embedded default).',
      format: 'database-url',
      default: './data/postback-relay.sqlite',
      env: 'DATABASE_URL',
      sensitive: true,
    },
    tablePrefix: { doc: 'Prefix of every table the relay creates.', format: matching(/^[A-Za-z0-9_]{0,32}$/, 'up to 32 letters, digits or underscores'), default: 'pb_', env: 'POSTBACK_RELAY_TABLE_PREFIX' },
    migrate: { doc: 'Run pending migrations at start-up.', format: Boolean, default: true, env: 'POSTBACK_RELAY_MIGRATE' },
  },
  http: {
    host: { doc: 'Address to listen on.', format: String, default: '0.0.0.0', env: 'POSTBACK_RELAY_HOST' },
    port: { doc: 'Port to listen on (0 picks a free one).', format: 'port', default: 3000, env: 'PORT' },
    mountPath: { doc: 'Path the API is served under.', format: matching(/^\/[A-Za-z0-9/_-]*$/, 'a path starting with /'), default: '/postbacks', env: 'POSTBACK_RELAY_MOUNT_PATH' },
    trustProxy: {
      doc: "Express 'trust proxy': empty (the socket's address is the client's), a hop count such as 1, or comma-separated proxy addresses/CIDRs. The rate limit counts per client address, so set it behind a reverse proxy.",
      format: matching(/^[\w.:/, ]*$/, 'a hop count or comma-separated addresses'),
      default: '',
      env: 'POSTBACK_RELAY_TRUST_PROXY',
    },
    bodyLimit: { doc: 'Largest accepted request body.', format: matching(/^\d+(b|kb|mb)$/i, 'a size such as 100kb'), default: '100kb', env: 'POSTBACK_RELAY_BODY_LIMIT' },
  },
  apiKeys: {
    doc: 'Comma-separated API keys accepted as "Authorization: Bearer <key>": "key" may do everything, "key:events" only send events, "key:admin" only manage endpoints and deliveries. Required in production.',
    format: 'api-keys',
    default: [],
    env: 'POSTBACK_RELAY_API_KEYS',
    sensitive: true,
  },
  plugins: {
    doc: 'Comma-separated third-party formatter plugins: package names, or paths resolved from the working directory.',
    format: 'plugin-list',
    default: [],
    env: 'POSTBACK_RELAY_PLUGINS',
  },
  defaultCurrency: { doc: 'Currency of a commission that names none.', format: matching(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD'), default: 'USD', env: 'POSTBACK_RELAY_DEFAULT_CURRENCY' },
  dispatch: {
    enabled: {
      doc: 'Send postbacks from this instance; false for one that only takes events, leaving delivery to other instances on the same database.',
      format: Boolean,
      default: true,
      env: 'POSTBACK_RELAY_DISPATCH',
    },
    concurrency: { doc: 'Postback requests in flight at once.', format: 'positive-int', default: 16, env: 'POSTBACK_RELAY_CONCURRENCY' },
    requestTimeoutMs: { doc: 'Timeout of one postback request, in ms.', format: 'positive-int', default: 10_000, env: 'POSTBACK_RELAY_REQUEST_TIMEOUT_MS' },
    batchSize: { doc: 'Deliveries claimed per query.', format: 'positive-int', default: 100, env: 'POSTBACK_RELAY_BATCH_SIZE' },
    retrySchedule: {
      doc: 'Comma-separated waits in ms before each retry after the first attempt; after the last one a delivery is failed.',
      format: 'ms-list',
      default: [...DISPATCH_DEFAULTS.retrySchedule],
      env: 'POSTBACK_RELAY_RETRY_SCHEDULE_MS',
    },
    perHostConcurrency: {
      doc: 'Postback requests in flight at once to one tracker host.',
      format: 'positive-int',
      default: DISPATCH_DEFAULTS.perHostConcurrency,
      env: 'POSTBACK_RELAY_PER_HOST_CONCURRENCY',
    },
    breakerThreshold: {
      doc: 'Consecutive failures (no answer or 5xx) to one host that open its circuit breaker.',
      format: 'positive-int',
      default: DISPATCH_DEFAULTS.breakerThreshold,
      env: 'POSTBACK_RELAY_BREAKER_THRESHOLD',
    },
    breakerCooldownMs: {
      doc: 'How long an open breaker holds a host back before one probe, in ms.',
      format: 'positive-int',
      default: DISPATCH_DEFAULTS.breakerCooldownMs,
      env: 'POSTBACK_RELAY_BREAKER_COOLDOWN_MS',
    },
    disableAfterMs: {
      doc: 'An endpoint failing without a break for this long is disabled (its pending postbacks kept), in ms.',
      format: 'positive-int',
      default: DISPATCH_DEFAULTS.disableAfterMs,
      env: 'POSTBACK_RELAY_DISABLE_AFTER_MS',
    },
  },
  targetAllowlist: {
    doc: 'Comma-separated host names, IP addresses or CIDR ranges that postbacks may reach although they are not public (trackers on a private network).',
    format: 'string-list',
    default: [],
    env: 'POSTBACK_RELAY_TARGET_ALLOWLIST',
  },
  signing: {
    secrets: {
      doc: 'Comma-separated HMAC-SHA256 secrets (16+ characters); when set, every request must be signed (X-Postback-Timestamp, X-Postback-Signature).',
      format: 'string-list',
      default: [],
      env: 'POSTBACK_RELAY_SIGNING_SECRETS',
      sensitive: true,
    },
    toleranceSeconds: { doc: 'How far a signed request\'s timestamp may be from now.', format: 'positive-int', default: 300, env: 'POSTBACK_RELAY_SIGNING_TOLERANCE_SECONDS' },
  },
  rateLimit: {
    enabled: { doc: 'Limit requests per client address.', format: Boolean, default: true, env: 'POSTBACK_RELAY_RATE_LIMIT' },
    max: { doc: 'Requests allowed per client address per window.', format: 'positive-int', default: 600, env: 'POSTBACK_RELAY_RATE_LIMIT_MAX' },
    windowMs: { doc: 'The rate-limit window, in ms.', format: 'positive-int', default: 60_000, env: 'POSTBACK_RELAY_RATE_LIMIT_WINDOW_MS' },
  },
  amounts: {
    maxDecimals: { doc: 'Decimal places an amount may have (0 to 6).', format: 'int', default: 2, env: 'POSTBACK_RELAY_AMOUNT_MAX_DECIMALS' },
    maxAmount: { doc: 'The largest commission amount, and the largest change an adjustment may make.', format: matching(/^\d+(\.\d+)?$/, 'a decimal such as 1000000'), default: '1000000', env: 'POSTBACK_RELAY_AMOUNT_MAX' },
  },
  secret: {
    doc: 'A secret of 32+ characters shared by every instance of a fleet: signs the dashboard\'s form tokens, so a form fetched from one instance posts through another. Required in production; unset elsewhere, each process picks a random one.',
    format: (value: unknown) => {
      if (typeof value !== 'string' || (value !== '' && value.length < 32)) throw new Error('must be at least 32 characters');
    },
    default: '',
    env: 'POSTBACK_RELAY_SECRET',
    sensitive: true,
  },
  fleet: {
    heartbeatMs: { doc: 'How often the instance writes its row in the instances table, in ms; one missing three beats is listed as dead.', format: 'positive-int', default: FLEET_DEFAULTS.heartbeatMs, env: 'POSTBACK_RELAY_HEARTBEAT_MS' },
  },
  log: { level: { doc: 'Least severe level logged.', format: [...LOG_LEVELS], default: 'info', env: 'POSTBACK_RELAY_LOG_LEVEL' } },
  pixel: {
    clickIdParams: { doc: 'Landing-URL parameters carrying the click ID, tried in order.', format: 'param-names', default: [...PIXEL_DEFAULTS.clickIdParams], env: 'POSTBACK_RELAY_PIXEL_CLICK_ID_PARAMS' },
    affiliateParams: { doc: "Landing-URL parameters carrying the affiliate's id.", format: 'param-names', default: [...PIXEL_DEFAULTS.affiliateParams], env: 'POSTBACK_RELAY_PIXEL_AFFILIATE_PARAMS' },
    offerParams: { doc: "Landing-URL parameters carrying the offer's id.", format: 'param-names', default: [...PIXEL_DEFAULTS.offerParams], env: 'POSTBACK_RELAY_PIXEL_OFFER_PARAMS' },
    cookieDays: { doc: "How long the landing site's cookie keeps the click, in days.", format: 'positive-int', default: PIXEL_DEFAULTS.cookieDays, env: 'POSTBACK_RELAY_PIXEL_COOKIE_DAYS' },
  },
};

/** The environment variable of every config key, for error messages. */
function envNames(schema: object, prefix = ''): Map<string, string> {
  const names = new Map<string, string>();
  for (const [key, value] of Object.entries(schema) as Array<[string, unknown]>) {
    const path = `${prefix}${key}`;
    if (typeof value !== 'object' || value === null) continue;
    const { env } = value as { env?: unknown };
    if (typeof env === 'string') names.set(path, env);
    else for (const [child, name] of envNames(value, `${path}.`)) names.set(child, name);
  }
  return names;
}

/**
 * Loads the configuration from `env` (and the JSON file named by `file` or `POSTBACK_RELAY_CONFIG_FILE`;
 * environment variables win over the file), validates it strictly, and returns it frozen. A bad value
 * throws a ConfigError naming the key and its environment variable.
 */
export function loadConfig(source: ConfigSource): Readonly<RelayConfig> {
  const properties = validatedConfig(source).getProperties();
  if (properties.env === 'production' && properties.apiKeys.length === 0) {
    throw new ConfigError('invalid configuration: apiKeys (POSTBACK_RELAY_API_KEYS) must be set in production');
  }
  return deepFreeze(properties);
}

/** Where configuration comes from: the environment, and optionally a JSON file. */
export interface ConfigSource {
  env: Readonly<Record<string, string | undefined>>;
  file?: string;
}

/** The configuration as {@link loadConfig} resolves it, with every `sensitive` key (secrets) replaced by "[Sensitive]". */
export function maskedConfig(source: ConfigSource): Record<string, unknown> {
  loadConfig(source);
  return JSON.parse(validatedConfig(source).toString()) as Record<string, unknown>;
}

function validatedConfig(source: ConfigSource): convict.Config<RelayConfig> {
  const config = convict(configSchema, { env: source.env, args: [] });
  const file = source.file ?? source.env.POSTBACK_RELAY_CONFIG_FILE;
  try {
    if (file) config.loadFile(file);
    config.validate({ allowed: 'strict' });
  } catch (error) {
    const names = envNames(configSchema);
    const message = (error as Error).message
      .split('\n')
      .map((line) => line.replace(/^([\w.]+):/, (whole, key: string) => (names.has(key) ? `${key} (${names.get(key) ?? ''}):` : whole)))
      .join('; ');
    throw new ConfigError(`invalid configuration${file ? ` (file ${file})` : ''}: ${message}`, error);
  }
  return config;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
