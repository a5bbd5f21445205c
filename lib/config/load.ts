// The server's configuration: a convict schema derived from the settings list (lib/config/settings.ts), read from
// environment variables and an optional JSON file.

import convict from 'convict';
import { ConfigError } from '../errors.js';
import { redactUrl } from '../store/database.js';
import { FORMATS, SETTINGS, setValueAt, valueAt } from './settings.js';
import type { DISPATCH_DEFAULTS, SettingFormat } from './settings.js';

/** A pino level name. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** The resolved, frozen configuration of the standalone server (one field per entry of the settings list). */
export interface RelayConfig {
  env: 'production' | 'development' | 'test';
  database: { url: string; tablePrefix: string; migrate: boolean };
  http: { host: string; port: number; mountPath: string; bodyLimit: string; trustProxy: string };
  apiKeys: string[];
  plugins: string[];
  defaultCurrency: string;
  dispatch: { -readonly [K in keyof DispatchDefaults]: K extends 'retrySchedule' ? number[] : DispatchDefaults[K] };
  log: { level: LogLevel };
  pixel: { clickIdParams: string[]; affiliateParams: string[]; offerParams: string[]; cookieDays: number };
  targetAllowlist: string[];
  signing: { secrets: string[]; toleranceSeconds: number };
  rateLimit: { enabled: boolean; max: number; windowMs: number; store: 'memory' | 'database' };
  amounts: { maxDecimals: number; maxAmount: string };
  ingest: { maxQueued: number };
  retention: { deliveredDays: number; failedDays: number; intervalMs: number };
  portal: { linkSecrets: string[]; publicUrl: string; plugins: string[]; maxEndpoints: number; allowReplay: boolean; frameAncestors: string[]; testsPerMinute: number };
  secret: string;
  fleet: { heartbeatMs: number };
}

type DispatchDefaults = typeof DISPATCH_DEFAULTS;

let formatsAdded = false;

// convict keeps formats globally: they are added when the server first loads its config, never on import.
function addFormats(): void {
  if (formatsAdded) return;
  formatsAdded = true;
  const formats = Object.values(FORMATS).map((format: SettingFormat) => [
    format.name,
    {
      validate(value: unknown) {
        const problem = format.problem(value);
        if (problem !== undefined) throw new Error(problem);
      },
      ...(format.fromText === undefined ? {} : { coerce: (text: string) => format.fromText?.(text) }),
    },
  ]);
  convict.addFormats(Object.fromEntries(formats) as Record<string, convict.Format>);
}

/** The convict schema, derived from the settings list: every key with its doc, format, default and environment variable. */
export function configSchema(): convict.Schema<RelayConfig> {
  const schema: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const value = Array.isArray(setting.default) ? [...(setting.default as unknown[])] : setting.default;
    // `sensitive` keeps a secret's value out of convict's messages.
    setValueAt(schema, setting.key, { doc: setting.doc, format: setting.format.name, default: value, env: setting.env, sensitive: setting.secret !== undefined });
  }
  return schema as unknown as convict.Schema<RelayConfig>;
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

/**
 * The configuration as {@link loadConfig} resolves it, secrets masked: a secret value (API keys, signing secrets)
 * as "[Sensitive]" when set, a database URL with its password replaced (a SQLite path shows as it is).
 */
export function maskedConfig(source: ConfigSource): Record<string, unknown> {
  const masked = structuredClone(loadConfig(source)) as unknown as Record<string, unknown>;
  for (const setting of SETTINGS) {
    const value = valueAt(masked, setting.key);
    if (setting.secret === 'url-password' && typeof value === 'string') setValueAt(masked, setting.key, redactUrl(value));
    if (setting.secret === 'value' && !(Array.isArray(value) && value.length === 0)) setValueAt(masked, setting.key, '[Sensitive]');
  }
  return masked;
}

function validatedConfig(source: ConfigSource): convict.Config<RelayConfig> {
  addFormats();
  const config = convict(configSchema(), { env: source.env, args: [] });
  const file = source.file ?? source.env.POSTBACK_RELAY_CONFIG_FILE;
  try {
    if (file) config.loadFile(file);
    config.validate({ allowed: 'strict' });
  } catch (error) {
    const names = new Map(SETTINGS.map((setting) => [setting.key, setting.env]));
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
