// One description of every setting: the library's options, the server's convict schema, docs/configuration.md
// and `postback-relay config` are all derived from the SETTINGS list below.
//
// To add a setting, add ONE entry to SETTINGS:
//   key      the server's config-file key (dots nest: 'dispatch.idlePollMs' is {"dispatch": {"idlePollMs": ...}})
//   option   the createPostbackRelay option it sets (dots nest the same way); leave it out for a server-only setting
//   env      the server's environment variable
//   format   one of FORMATS (add one there when no existing format fits: its check is shared by the library and convict)
//   default  the value when nothing is given, for the library and the server alike
//   doc      one sentence for docs/configuration.md and the option's reader
//   secret   'value' when the whole value is a secret, 'url-password' when only a URL's password is
// then document the option on its TypeScript interface (lib/options.ts or its module), and run `npm run docs:config`.
// resolveOptions() fills in and checks every entry that has an `option` from this list (options resolved by their own
// module, such as `pixel.*` and `amounts.*`, take their defaults from the same constants this list uses).
// A test (test/unit/settings.test.ts) checks that every entry reaches the library, the server and the docs.

import { isCurrencyCode } from '../currencies.js';
import { parseApiKey } from '../http/auth.js';
import { PARAM_NAME, PIXEL_DEFAULTS } from '../pixel/options.js';
import { AMOUNT_DEFAULTS } from '../events/amount-limits.js';
import { PORTAL_DEFAULTS } from '../portal/options.js';

/** How a setting's value is checked, and read from an environment variable's text. */
export interface SettingFormat {
  /** The convict format name it is registered under. */
  readonly name: string;
  /** Why `value` is not valid, or undefined when it is. Shared by the library's options and the server's config. */
  problem(value: unknown): string | undefined;
  /** An environment variable's text as the value (lists are comma-separated). */
  fromText?(text: string): unknown;
}

/** One setting. */
export interface Setting {
  readonly key: string;
  readonly option?: string;
  readonly env: string;
  readonly format: SettingFormat;
  readonly default: unknown;
  readonly doc: string;
  readonly secret?: 'value' | 'url-password';
}

const list = (text: string) => text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
const numberText = (text: string): unknown => (/^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text);
// JSON.stringify(undefined) is undefined, whatever its type says.
const shown = (value: unknown) => (value === undefined ? 'undefined' : JSON.stringify(value));

function integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER): SettingFormat {
  const range = max === Number.MAX_SAFE_INTEGER ? (min === 1 ? 'a positive integer' : `an integer >= ${min}`) : `an integer from ${min} to ${max}`;
  return {
    name,
    problem: (value) => (Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? undefined : `must be ${range}, got ${shown(value)}`),
    fromText: numberText,
  };
}

function matching(name: string, pattern: RegExp, hint: string): SettingFormat {
  return { name, problem: (value) => (typeof value === 'string' && pattern.test(value) ? undefined : `must be ${hint}, got ${shown(value)}`) };
}

function oneOf(name: string, values: readonly string[]): SettingFormat {
  return { name, problem: (value) => (values.includes(value as string) ? undefined : `must be one of ${values.join(', ')}, got ${shown(value)}`) };
}

// A secret's value never goes into a message.
function listOf(name: string, hint: string, valid: (entry: unknown) => boolean, bounds: { min?: number; max?: number; secret?: boolean } = {}): SettingFormat {
  return {
    name,
    problem: (value) =>
      Array.isArray(value) && value.length >= (bounds.min ?? 0) && value.length <= (bounds.max ?? Infinity) && value.every(valid)
        ? undefined
        : `must be ${hint}${bounds.secret === true ? '' : `, got ${shown(value)}`}`,
    fromText: (text) => list(text).map((entry) => (name === 'ms-list' ? numberText(entry) : entry)),
  };
}

/** The formats settings use; each is one convict format. */
export const FORMATS = {
  positiveInt: integer('positive-int', 1),
  port: integer('tcp-port', 0, 65_535),
  decimals: integer('decimal-places', 0, 6),
  nonNegativeInt: integer('non-negative-int', 0),
  boolean: {
    name: 'flag',
    problem: (value: unknown) => (typeof value === 'boolean' ? undefined : `must be true or false, got ${shown(value)}`),
    fromText: (text: string): unknown => ({ true: true, false: false, 1: true, 0: false })[text.trim().toLowerCase()] ?? text,
  },
  fraction: {
    name: 'fraction',
    problem: (value: unknown) => (typeof value === 'number' && value >= 0 && value <= 1 ? undefined : `must be a fraction from 0 to 1, got ${shown(value)}`),
    fromText: numberText,
  },
  nonEmpty: { name: 'non-empty', problem: (value: unknown) => (typeof value === 'string' && value !== '' ? undefined : 'must be a non-empty string') },
  tablePrefix: matching('table-prefix', /^[A-Za-z0-9_]{0,32}$/, 'up to 32 letters, digits or underscores'),
  bodyLimit: matching('body-limit', /^\d+(b|kb|mb)$/i, 'a size such as "100kb"'),
  decimal: matching('decimal', /^\d+(\.\d+)?$/, 'a decimal such as "1000000"'),
  mountPath: matching('mount-path', /^\/[A-Za-z0-9/_-]*$/, 'a path starting with /'),
  trustProxy: matching('trust-proxy', /^[\w.:/, ]*$/, 'a hop count or comma-separated addresses'),
  host: matching('listen-host', /^[\w.:-]+$/, 'an address such as 0.0.0.0'),
  currency: { name: 'currency', problem: (value: unknown) => (typeof value === 'string' && isCurrencyCode(value) ? undefined : `must be an ISO 4217 code such as "USD", got ${shown(value)}`) },
  environment: oneOf('node-env', ['production', 'development', 'test']),
  logLevel: oneOf('log-level', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  rateLimitStore: oneOf('rate-limit-store', ['memory', 'database']),
  msList: listOf('ms-list', 'a list (comma-separated in a variable) of at most 50 waits in ms (integers >= 0), such as 5000,300000', (ms) => Number.isInteger(ms) && (ms as number) >= 0, { max: 50 }),
  stringList: listOf('string-list', 'a comma-separated list', (entry) => typeof entry === 'string' && entry !== ''),
  secrets: listOf('secret-list', 'a comma-separated list of secrets, each at least 16 characters', (entry) => typeof entry === 'string' && entry.length >= 16, { secret: true }),
  linkSecrets: listOf('link-secret-list', 'a comma-separated list of secrets, each at least 32 characters', (entry) => typeof entry === 'string' && entry.length >= 32, { secret: true }),
  origins: listOf('origin-list', 'a comma-separated list of origins such as https://partners.example.com', (entry) => typeof entry === 'string' && /^https?:\/\/[a-z0-9*.-]+(:\d{1,5})?$/i.test(entry)),
  publicUrl: matching('public-url', /^(https?:\/\/[^\s?#]+)?$/, 'an absolute http(s) URL without query, or empty'),
  sharedSecret: {
    name: 'shared-secret',
    // The value never goes into the message: it is a secret.
    problem: (value: unknown) => (typeof value === 'string' && (value === '' || value.length >= 32) ? undefined : 'must be empty or at least 32 characters'),
  },
  pluginList: listOf('plugin-list', 'a comma-separated list of package names or paths', (entry) => typeof entry === 'string' && entry !== ''),
  paramNames: listOf('param-names', 'a non-empty comma-separated list of URL parameter names (letters, digits, "_", ".", "-")', (entry) => typeof entry === 'string' && PARAM_NAME.test(entry), { min: 1 }),
  apiKeys: {
    name: 'api-keys',
    // The message of parseApiKey names the rule, never the key.
    problem(value: unknown): string | undefined {
      if (!Array.isArray(value)) return 'must be a comma-separated list of keys';
      try {
        value.forEach((key, index) => parseApiKey(key, `apiKeys[${index}]`));
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
    fromText: list,
  },
  databaseUrl: {
    name: 'database-url',
    problem(value: unknown): string | undefined {
      if (typeof value !== 'string' || value === '') return 'must be a mysql:// URL or a SQLite file path';
      if (/^mysql2?:\/\//i.test(value)) {
        if (!URL.canParse(value)) return 'is not a valid mysql:// URL';
        if (new URL(value).pathname.replace(/^\//, '') === '') return 'the mysql:// URL must name a database, e.g. mysql://root@127.0.0.1:3306/app';
      } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !/^sqlite:/i.test(value)) {
        return 'must be a mysql:// URL or a SQLite file path';
      }
      return undefined;
    },
  },
} as const satisfies Record<string, SettingFormat>;

/** The dispatcher's defaults (also the documented `@default`s of DispatchOptions). */
export const DISPATCH_DEFAULTS = Object.freeze({
  enabled: true,
  concurrency: 16,
  requestTimeoutMs: 10_000,
  batchSize: 100,
  idlePollMs: 1_000,
  stopTimeoutMs: 10_000,
  retrySchedule: Object.freeze([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]),
  retryJitter: 0.2,
  retryAfterMaxMs: 3_600_000,
  perHostConcurrency: 4,
  breakerThreshold: 5,
  breakerCooldownMs: 30_000,
  disableAfterMs: 432_000_000,
});

/** How often an instance writes its heartbeat row (also the documented `@default` of FleetOptions). */
export const FLEET_DEFAULTS = Object.freeze({ heartbeatMs: 10_000 });

/** The ingest bound's default (also the documented `@default` of IngestOptions). */
export const INGEST_DEFAULTS = Object.freeze({ maxQueued: 2_000 });

/** How long finished deliveries are kept, in days (null: forever), and how often they are pruned. */
export const RETENTION_DEFAULTS: Readonly<{ deliveredDays: number | null; failedDays: number | null; intervalMs: number }> = Object.freeze({
  deliveredDays: 30,
  failedDays: 90,
  intervalMs: 600_000,
});

const dispatch = (name: keyof typeof DISPATCH_DEFAULTS, env: string, format: SettingFormat, doc: string): Setting => ({
  key: `dispatch.${name}`,
  option: `dispatch.${name}`,
  env,
  format,
  default: DISPATCH_DEFAULTS[name],
  doc,
});

/** Every setting, in the order the docs list them. */
export const SETTINGS: readonly Setting[] = Object.freeze([
  { key: 'env', env: 'NODE_ENV', format: FORMATS.environment, default: 'development', doc: 'The environment; production refuses to start without API keys.' },
  {
    key: 'database.url',
    env: 'DATABASE_URL',
    format: FORMATS.databaseUrl,
    default: './data/postback-relay.sqlite',
    doc: 'mysql://user:password@host:3306/database, or a SQLite file path (the embedded default, which needs the better-sqlite3 package).',
    secret: 'url-password',
  },
  { key: 'database.tablePrefix', option: 'tablePrefix', env: 'POSTBACK_RELAY_TABLE_PREFIX', format: FORMATS.tablePrefix, default: 'pb_', doc: 'Prefix of every table the relay creates.' },
  { key: 'database.migrate', env: 'POSTBACK_RELAY_MIGRATE', format: FORMATS.boolean, default: true, doc: 'Run pending migrations at start-up.' },
  { key: 'http.host', env: 'POSTBACK_RELAY_HOST', format: FORMATS.host, default: '0.0.0.0', doc: 'Address to listen on.' },
  { key: 'http.port', env: 'PORT', format: FORMATS.port, default: 3000, doc: 'Port to listen on (0 picks a free one).' },
  { key: 'http.mountPath', env: 'POSTBACK_RELAY_MOUNT_PATH', format: FORMATS.mountPath, default: '/postbacks', doc: 'Path the API is served under.' },
  {
    key: 'http.trustProxy',
    env: 'POSTBACK_RELAY_TRUST_PROXY',
    format: FORMATS.trustProxy,
    default: '',
    doc: "Express 'trust proxy': empty (the socket's address is the client's), a hop count such as 1, or comma-separated proxy addresses/CIDRs. The rate limit counts per client address, so set it behind a reverse proxy.",
  },
  { key: 'http.bodyLimit', option: 'bodyLimit', env: 'POSTBACK_RELAY_BODY_LIMIT', format: FORMATS.bodyLimit, default: '100kb', doc: 'Largest accepted request body.' },
  {
    key: 'apiKeys',
    option: 'apiKeys',
    env: 'POSTBACK_RELAY_API_KEYS',
    format: FORMATS.apiKeys,
    default: [],
    doc: 'Comma-separated API keys accepted as "Authorization: Bearer <key>": "key" may do everything, "key:events" only send events, "key:admin" only manage endpoints and deliveries. Required in production.',
    secret: 'value',
  },
  {
    key: 'plugins',
    env: 'POSTBACK_RELAY_PLUGINS',
    format: FORMATS.pluginList,
    default: [],
    doc: 'Comma-separated third-party formatter plugins: package names, or paths resolved from the working directory.',
  },
  { key: 'defaultCurrency', option: 'defaultCurrency', env: 'POSTBACK_RELAY_DEFAULT_CURRENCY', format: FORMATS.currency, default: 'USD', doc: 'Currency of a commission that names none (ISO 4217).' },
  dispatch('enabled', 'POSTBACK_RELAY_DISPATCH', FORMATS.boolean, 'Send postbacks from this instance; false for one that only takes events, leaving delivery to other instances on the same database.'),
  dispatch('concurrency', 'POSTBACK_RELAY_CONCURRENCY', FORMATS.positiveInt, 'Postback requests in flight at once; one still unanswered after a tenth of the request timeout stops counting (up to as many again), so hanging trackers cannot hold every place.'),
  dispatch('requestTimeoutMs', 'POSTBACK_RELAY_REQUEST_TIMEOUT_MS', FORMATS.positiveInt, 'Timeout of one postback request, in ms.'),
  dispatch('batchSize', 'POSTBACK_RELAY_BATCH_SIZE', FORMATS.positiveInt, 'Deliveries claimed per query.'),
  dispatch('idlePollMs', 'POSTBACK_RELAY_IDLE_POLL_MS', FORMATS.positiveInt, 'How often to look for due work when nothing woke the dispatcher (retries, work queued by another instance), in ms.'),
  dispatch('stopTimeoutMs', 'POSTBACK_RELAY_STOP_TIMEOUT_MS', FORMATS.positiveInt, 'How long stopping waits for postback requests in flight, in ms.'),
  dispatch('retrySchedule', 'POSTBACK_RELAY_RETRY_SCHEDULE_MS', FORMATS.msList, 'Comma-separated waits in ms before each retry after the first attempt; after the last one a delivery is failed.'),
  dispatch('retryJitter', 'POSTBACK_RELAY_RETRY_JITTER', FORMATS.fraction, 'Each retry wait is lengthened by a random 0..this fraction of itself, to spread retries.'),
  dispatch('retryAfterMaxMs', 'POSTBACK_RELAY_RETRY_AFTER_MAX_MS', FORMATS.positiveInt, "The longest tracker's Retry-After honoured, in ms."),
  dispatch('perHostConcurrency', 'POSTBACK_RELAY_PER_HOST_CONCURRENCY', FORMATS.positiveInt, 'Postback requests in flight at once to one tracker host, from all the instances on the database together.'),
  dispatch('breakerThreshold', 'POSTBACK_RELAY_BREAKER_THRESHOLD', FORMATS.positiveInt, 'Consecutive failures (no answer or 5xx) to one host, seen by one instance, that open its circuit breaker for every instance.'),
  dispatch('breakerCooldownMs', 'POSTBACK_RELAY_BREAKER_COOLDOWN_MS', FORMATS.positiveInt, 'How long an open breaker holds a host back before one probe, in ms.'),
  dispatch('disableAfterMs', 'POSTBACK_RELAY_DISABLE_AFTER_MS', FORMATS.positiveInt, 'An endpoint failing without a break for this long is disabled (its pending postbacks kept), in ms.'),
  {
    key: 'targetAllowlist',
    option: 'targetAllowlist',
    env: 'POSTBACK_RELAY_TARGET_ALLOWLIST',
    format: FORMATS.stringList,
    default: [],
    doc: 'Comma-separated host names, IP addresses or CIDR ranges that postbacks may reach although they are not public (trackers on a private network).',
  },
  {
    key: 'signing.secrets',
    option: 'signing.secrets',
    env: 'POSTBACK_RELAY_SIGNING_SECRETS',
    format: FORMATS.secrets,
    default: [],
    doc: 'Comma-separated HMAC-SHA256 secrets (16+ characters); when set, every request must be signed (X-Postback-Timestamp, X-Postback-Signature).',
    secret: 'value',
  },
  { key: 'signing.toleranceSeconds', option: 'signing.toleranceSeconds', env: 'POSTBACK_RELAY_SIGNING_TOLERANCE_SECONDS', format: FORMATS.positiveInt, default: 300, doc: "How far a signed request's timestamp may be from now, in seconds." },
  { key: 'rateLimit.enabled', env: 'POSTBACK_RELAY_RATE_LIMIT', format: FORMATS.boolean, default: true, doc: 'Limit requests per client address (the library: `rateLimit: false` turns it off).' },
  { key: 'rateLimit.max', option: 'rateLimit.max', env: 'POSTBACK_RELAY_RATE_LIMIT_MAX', format: FORMATS.positiveInt, default: 600, doc: 'Requests allowed per client address per window.' },
  { key: 'rateLimit.windowMs', option: 'rateLimit.windowMs', env: 'POSTBACK_RELAY_RATE_LIMIT_WINDOW_MS', format: FORMATS.positiveInt, default: 60_000, doc: 'The rate-limit window, in ms.' },
  {
    key: 'rateLimit.store',
    option: 'rateLimit.store',
    env: 'POSTBACK_RELAY_RATE_LIMIT_STORE',
    format: FORMATS.rateLimitStore,
    default: 'memory',
    doc: "Where the counts live: 'memory' (each instance counts alone) or 'database' (the relay's own database, shared by every instance on it; one write per request).",
  },
  { key: 'amounts.maxDecimals', option: 'amounts.maxDecimals', env: 'POSTBACK_RELAY_AMOUNT_MAX_DECIMALS', format: FORMATS.decimals, default: AMOUNT_DEFAULTS.maxDecimals, doc: 'Decimal places an amount may have (0 to 6).' },
  {
    key: 'amounts.maxAmount',
    option: 'amounts.maxAmount',
    env: 'POSTBACK_RELAY_AMOUNT_MAX',
    format: FORMATS.decimal,
    default: AMOUNT_DEFAULTS.maxAmount,
    doc: 'The largest commission amount, and the largest change an adjustment may make.',
  },
  {
    key: 'ingest.maxQueued',
    option: 'ingest.maxQueued',
    env: 'POSTBACK_RELAY_INGEST_MAX_QUEUED',
    format: FORMATS.positiveInt,
    default: INGEST_DEFAULTS.maxQueued,
    doc: 'Events of one type waiting to be stored at most; past it a request gets 503 with Retry-After and nothing is stored.',
  },
  {
    key: 'retention.deliveredDays',
    option: 'retention.deliveredDays',
    env: 'POSTBACK_RELAY_RETENTION_DELIVERED_DAYS',
    format: FORMATS.nonNegativeInt,
    default: RETENTION_DEFAULTS.deliveredDays,
    doc: 'Days delivered and skipped deliveries (with their attempts) are kept after they finished; 0 keeps them forever.',
  },
  {
    key: 'retention.failedDays',
    option: 'retention.failedDays',
    env: 'POSTBACK_RELAY_RETENTION_FAILED_DAYS',
    format: FORMATS.nonNegativeInt,
    default: RETENTION_DEFAULTS.failedDays,
    doc: 'Days failed deliveries (with their attempts) are kept after they gave up; 0 keeps them forever.',
  },
  { key: 'retention.intervalMs', option: 'retention.intervalMs', env: 'POSTBACK_RELAY_RETENTION_INTERVAL_MS', format: FORMATS.positiveInt, default: RETENTION_DEFAULTS.intervalMs, doc: 'How often finished deliveries are pruned, in ms.' },
  {
    key: 'portal.linkSecrets',
    option: 'portal.linkSecrets',
    env: 'POSTBACK_RELAY_PORTAL_LINK_SECRETS',
    format: FORMATS.linkSecrets,
    default: [],
    doc: 'Comma-separated secrets (32+ characters) that sign affiliate portal links; the first signs. When set, the server serves the portal at <mount path>/portal and makes links with POST <mount path>/portal-links or `postback-relay portal-link`.',
    secret: 'value',
  },
  {
    key: 'portal.publicUrl',
    option: 'portal.publicUrl',
    env: 'POSTBACK_RELAY_PORTAL_PUBLIC_URL',
    format: FORMATS.publicUrl,
    default: '',
    doc: "The portal's public URL for links, e.g. https://relay.example.com/postbacks/portal; empty: taken from the admin request.",
  },
  { key: 'portal.plugins', option: 'portal.plugins', env: 'POSTBACK_RELAY_PORTAL_PLUGINS', format: FORMATS.stringList, default: [], doc: 'Comma-separated plugins affiliates may choose in the portal; empty: every registered plugin.' },
  { key: 'portal.maxEndpoints', option: 'portal.maxEndpoints', env: 'POSTBACK_RELAY_PORTAL_MAX_ENDPOINTS', format: FORMATS.positiveInt, default: PORTAL_DEFAULTS.maxEndpoints, doc: 'Endpoints one affiliate may have.' },
  { key: 'portal.allowReplay', option: 'portal.allowReplay', env: 'POSTBACK_RELAY_PORTAL_ALLOW_REPLAY', format: FORMATS.boolean, default: PORTAL_DEFAULTS.allowReplay, doc: 'Whether affiliates may replay their own failed deliveries.' },
  { key: 'portal.frameAncestors', option: 'portal.frameAncestors', env: 'POSTBACK_RELAY_PORTAL_FRAME_ANCESTORS', format: FORMATS.origins, default: [], doc: 'Comma-separated origins that may frame the portal (CSP frame-ancestors); empty: none.' },
  { key: 'portal.testsPerMinute', option: 'portal.testsPerMinute', env: 'POSTBACK_RELAY_PORTAL_TESTS_PER_MINUTE', format: FORMATS.positiveInt, default: PORTAL_DEFAULTS.testsPerMinute, doc: 'Test postbacks one affiliate may send per minute.' },
  {
    key: 'secret',
    env: 'POSTBACK_RELAY_SECRET',
    format: FORMATS.sharedSecret,
    default: '',
    doc: "A secret of 32+ characters shared by every instance of a fleet: signs the dashboard's form tokens, so a form fetched from one instance posts through another. Required in production; unset elsewhere, each process picks a random one.",
    secret: 'value',
  },
  {
    key: 'fleet.heartbeatMs',
    option: 'fleet.heartbeatMs',
    env: 'POSTBACK_RELAY_HEARTBEAT_MS',
    format: FORMATS.positiveInt,
    default: FLEET_DEFAULTS.heartbeatMs,
    doc: 'How often the instance writes its row in the instances table, in ms; one missing three beats is listed as dead.',
  },
  { key: 'log.level', env: 'POSTBACK_RELAY_LOG_LEVEL', format: FORMATS.logLevel, default: 'info', doc: 'Least severe level logged (pino levels).' },
  { key: 'pixel.clickIdParams', option: 'pixel.clickIdParams', env: 'POSTBACK_RELAY_PIXEL_CLICK_ID_PARAMS', format: FORMATS.paramNames, default: PIXEL_DEFAULTS.clickIdParams, doc: 'Landing-URL parameters carrying the click ID, tried in order.' },
  { key: 'pixel.affiliateParams', option: 'pixel.affiliateParams', env: 'POSTBACK_RELAY_PIXEL_AFFILIATE_PARAMS', format: FORMATS.paramNames, default: PIXEL_DEFAULTS.affiliateParams, doc: "Landing-URL parameters carrying the affiliate's id." },
  { key: 'pixel.offerParams', option: 'pixel.offerParams', env: 'POSTBACK_RELAY_PIXEL_OFFER_PARAMS', format: FORMATS.paramNames, default: PIXEL_DEFAULTS.offerParams, doc: "Landing-URL parameters carrying the offer's id." },
  { key: 'pixel.cookieDays', option: 'pixel.cookieDays', env: 'POSTBACK_RELAY_PIXEL_COOKIE_DAYS', format: FORMATS.positiveInt, default: PIXEL_DEFAULTS.cookieDays, doc: "How long the landing site's cookie keeps the click, in days." },
] satisfies Setting[]);

/** The settings whose option path starts with `group.` (e.g. 'dispatch'), keyed by the rest of the path. */
export function optionGroup(group: string): ReadonlyMap<string, Setting> {
  return new Map(SETTINGS.filter((setting) => setting.option?.startsWith(`${group}.`)).map((setting) => [setting.option?.slice(group.length + 1) ?? '', setting]));
}

/** The setting of a top-level library option, such as 'tablePrefix'. */
export function optionSetting(option: string): Setting {
  const setting = SETTINGS.find((candidate) => candidate.option === option);
  if (setting === undefined) throw new Error(`no setting describes the option ${option}`);
  return setting;
}

/** The value at a dotted path of a nested object. */
export function valueAt(source: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, part) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined), source);
}

/** Sets the value at a dotted path, creating the objects on the way. */
export function setValueAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  const last = parts.pop() ?? path;
  let node = target;
  for (const part of parts) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[last] = value;
}
