// The shared shape of most tracker plugins: GET <base URL><path>?<params>, with declared string settings.

import { PluginSettingsError } from '../errors.js';
import { signOf } from '../money.js';
import type { UrlRecognizer } from './recognize.js';
import type { BooksDeclaration, TrackerBooks } from './capabilities.js';
import type { AdjustmentFamily, FormatterPlugin, PostbackContext, PostbackRequest, PostbackResponse, PostbackSkip, SettingSpec } from './types.js';

/** Query parameters in order; a `null` value leaves the parameter out. */
export type QueryParams = ReadonlyArray<readonly [string, string | null]>;

/** What a query plugin builds for one event: a path after the base URL (already encoded) and its parameters. */
export interface QueryPostback {
  path: string;
  params: QueryParams;
}

/** A tracker plugin of the "GET base URL + query params" shape. */
export interface QueryPluginSpec<K extends string> {
  name: string;
  description: string;
  adjustments: AdjustmentFamily;
  /**
   * What the tracker stores and how it keeps its books (see {@link FormatterPlugin.books}). Optional, as on the
   * plugin contract, so a plugin written before books existed (or by `plugin init`) still builds: without it the
   * core assumes the defaults of its `adjustments` family.
   */
  books?: BooksDeclaration<QuerySettings<K>>;
  /** Every setting but `baseUrl`, which every query plugin has. */
  settings: Readonly<Record<K, SettingSpec>>;
  /** Default for `baseUrl` when the tracker has one shared host; otherwise `baseUrl` is required. */
  defaultBaseUrl?: string;
  build(context: PostbackContext, settings: Readonly<Record<K, string>>): QueryPostback | PostbackSkip;
  judgeResponse?(response: PostbackResponse): string | null;
  /** How affiliates recognise the tracker's pasted postback URL (see lib/plugins/recognize.ts). */
  recognize?: UrlRecognizer;
}

/** Settings of a query plugin once parsed: the declared ones plus the base URL without a trailing slash. */
export type QuerySettings<K extends string> = Readonly<Record<K, string>> & { readonly baseUrl: string };

/** Creates a plugin from a {@link QueryPluginSpec}: settings checked by their specs, values URL-encoded. */
export function defineQueryPlugin<K extends string>(spec: QueryPluginSpec<K>): FormatterPlugin<QuerySettings<K>> {
  const known = ['baseUrl', ...Object.keys(spec.settings)];
  const baseUrl: SettingSpec = {
    doc: 'the tracking domain: scheme, host and an optional path prefix, no query',
    ...(spec.defaultBaseUrl === undefined ? {} : { default: spec.defaultBaseUrl }),
  };
  return {
    name: spec.name,
    apiVersion: 1,
    description: spec.description,
    adjustments: spec.adjustments,
    ...(spec.books === undefined ? {} : { books: booksFunction(spec.books) }),
    settingsSchema: { baseUrl, ...spec.settings },
    ...(spec.recognize ? { recognize: spec.recognize } : {}),
    ...(spec.judgeResponse ? { judgeResponse: (response: PostbackResponse) => spec.judgeResponse?.(response) ?? null } : {}),
    parseSettings(raw) {
      const unknown = Object.keys(raw).find((key) => !known.includes(key));
      if (unknown !== undefined) throw new PluginSettingsError(unknown, `is not a setting of the ${spec.name} plugin (settings: ${known.join(', ')})`);
      const parsed: Record<string, string> = { baseUrl: parseBaseUrl(raw.baseUrl ?? spec.defaultBaseUrl) };
      for (const [key, setting] of Object.entries<SettingSpec>(spec.settings)) parsed[key] = parseSetting(key, setting, raw[key]);
      return parsed as QuerySettings<K>;
    },
    format(context, settings): PostbackRequest | PostbackSkip {
      const built = spec.build(context, settings);
      if ('skip' in built) return built;
      const query = built.params
        .filter((param): param is readonly [string, string] => param[1] !== null)
        .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
        .join('&');
      return { method: 'GET', url: `${settings.baseUrl}${built.path}${query ? `?${query}` : ''}` };
    },
  };
}

const CONTROL = /\p{Cc}/u;

function parseSetting(key: string, setting: SettingSpec, value: unknown): string {
  if (value === undefined || value === null) {
    if (setting.default === undefined) throw new PluginSettingsError(key, `is required: ${setting.doc}`);
    return setting.default;
  }
  if (typeof value !== 'string') throw new PluginSettingsError(key, `must be a string (${setting.doc}), got ${JSON.stringify(value)}`);
  if (setting.default === undefined && value.trim() === '') throw new PluginSettingsError(key, `is required: ${setting.doc}`);
  if (value.length > 255) throw new PluginSettingsError(key, 'must be at most 255 characters');
  if (CONTROL.test(value)) throw new PluginSettingsError(key, 'must not contain control characters (CR, LF, TAB or others)');
  if (setting.oneOf && !setting.oneOf.includes(value)) {
    throw new PluginSettingsError(key, `must be one of ${setting.oneOf.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value;
}

// The base URL is fixed text chosen by the affiliate: scheme, host, port and an optional path prefix, never a query.
function parseBaseUrl(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new PluginSettingsError('baseUrl', 'is required: the tracker\'s tracking domain, e.g. "https://trk.example.com"');
  }
  // new URL() silently strips CR, LF and TAB: the saved setting would not be the URL used.
  if (CONTROL.test(value)) throw new PluginSettingsError('baseUrl', 'must not contain control characters (CR, LF, TAB or others)');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PluginSettingsError('baseUrl', `is not a valid URL: "${value.slice(0, 60)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PluginSettingsError('baseUrl', `must use http or https, got ${url.protocol.replace(/:$/, '')}`);
  if (url.username || url.password) throw new PluginSettingsError('baseUrl', 'must not carry a user name or password');
  if (url.search || url.hash) throw new PluginSettingsError('baseUrl', 'must have no query or fragment: the plugin adds the parameters');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The key of this very event (`lead-`, `com-` or `adj-<id>`), whatever the adjustment family made `transactionId`. */
export function eventKey(context: PostbackContext): string {
  if (context.adjustment) return `adj-${context.adjustment.id}`;
  if (context.commission) return `com-${context.commission.id}`;
  return `lead-${context.lead.id}`;
}

/** Leaves an optional parameter out when its setting is empty. */
export function optional(value: string): string | null {
  return value === '' ? null : value;
}

/**
 * The status for a one-conversion-per-click tracker, from the click's net total across all its leads: the lead's
 * until a commission, then the sale's, or the rejected one once the click's net is back to zero after an
 * adjustment. A second lead on a click that already earns keeps the sale's (the postback overwrites the click).
 */
export function clickStatus(context: PostbackContext, statuses: { lead: string; sale: string; rejected: string }): string {
  const earns = signOf(context.clickNetPayout) !== 0;
  if (context.event === 'lead_created') return earns ? statuses.sale : statuses.lead;
  return context.event === 'commission_adjusted' && !earns ? statuses.rejected : statuses.sale;
}

function booksFunction<S>(declared: BooksDeclaration<S>): (settings: S) => TrackerBooks {
  return (settings) => (typeof declared === 'function' ? declared(settings) : declared);
}
