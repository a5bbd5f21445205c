// The formatter plugin contract: a pure function from one of our events to the HTTP request a tracker expects.

import type { Adjustment, Commission, EventName, Lead } from '../events/types.js';
import type { DecimalString } from '../money.js';
import type { UrlRecognizer } from './recognize.js';
import type { AdjustmentMode, TrackerBooks } from './capabilities.js';

/** Everything a formatter may use to build one postback. Built by the core; plugins never query anything. */
export interface PostbackContext {
  event: EventName;
  lead: Lead;
  /** Set for `commission_earned` and `commission_adjusted`. */
  commission: Commission | null;
  /** Set for `commission_adjusted`. */
  adjustment: Adjustment | null;
  /**
   * Stable per conversion, distinct across conversions of one click: `lead-<id>`, `com-<id>` or `adj-<id>`
   * from the host's ids, so a retry is deduplicated by the tracker and two commissions count twice. For an
   * adjustment it follows the endpoint's {@link AdjustmentMode}: `com-<commission id>` under `replace` and
   * `status` (the conversion to change), `adj-<id>` under `delta` and `correction` (a conversion of its own).
   */
  transactionId: string;
  /**
   * The payout the conversion now stands at: `0` for a lead, the amount for a commission, the new amount after an
   * adjustment; under `correction`, the correction conversion's own payout, which is the signed change.
   */
  payout: DecimalString;
  /** The change this event makes: `0` for a lead, the amount for a commission, the difference for an adjustment. */
  delta: DecimalString;
  /** ISO 4217, or null for a lead. */
  currency: string | null;
  /** When the event happened. */
  occurredAt: Date;
  /**
   * The click's running net payout once this event applies: every commission queued to this endpoint for any
   * lead with this click ID so far, with their adjustments. For trackers that keep one conversion per click and
   * overwrite its payout (Binom without Upsell, Prosper202, PeerClick without txid). Computed by the core from
   * the stored deliveries in queue order, so a retry sees the same value; events queued before the endpoint
   * existed are not counted.
   */
  clickNetPayout: DecimalString;
  /** How this adjustment goes (the endpoint's choice among the plugin's modes); null for other events. */
  adjustmentMode: AdjustmentMode | null;
}

/**
 * How a plugin's tracker takes a commission adjustment. The core shapes the context to fit:
 * - `replace`: the tracker updates a conversion by key. `transactionId` is the commission's own (`com-<id>`),
 *   `payout` the new absolute amount.
 * - `delta`: the tracker adds. `transactionId` is the adjustment's own (`adj-<id>`), `delta` the difference.
 * - `status`: the tracker can only reject a conversion. Only a full clawback (new payout 0) reaches `format`,
 *   with the commission's `transactionId`; any other adjustment is recorded as skipped.
 * - `unsupported`: every adjustment is recorded as skipped, `format` never sees one.
 */
export type AdjustmentFamily = 'replace' | 'delta' | 'status' | 'unsupported';

/** The adjustment families, for validation and listings. */
export const ADJUSTMENT_FAMILIES: readonly AdjustmentFamily[] = ['replace', 'delta', 'status', 'unsupported'];

/**
 * Where a plugin's requests go, which decides its endpoints' kind:
 * - `postback`: the dispatcher sends them server to server, with retries.
 * - `browser`: the pixel script loads the URL in the visitor's browser after a form fill; only `lead_created`
 *   fires, and the dispatcher never sends it.
 */
export type PluginKind = 'postback' | 'browser';

/** The plugin kinds, for validation and listings. */
export const PLUGIN_KINDS: readonly PluginKind[] = ['postback', 'browser'];

/** What `format` returns to send nothing: the delivery is recorded as `skipped` with this reason. */
export interface PostbackSkip {
  /** Why, in words the delivery log shows, e.g. "Voluum takes no payout change by postback". */
  skip: string;
}

/** One setting of a plugin, as listed in its {@link FormatterPlugin.settingsSchema}. */
export interface SettingSpec {
  /** What it is, shown in errors and listings. */
  doc: string;
  /** The value when not given. Without one the setting is required. */
  default?: string;
  /** True when the default is our best guess, not the tracker's documentation. */
  guessed?: boolean;
  /** The only values accepted. */
  oneOf?: readonly string[];
}

/** A tracker's answer, for {@link FormatterPlugin.judgeResponse}. */
export interface PostbackResponse {
  statusCode: number;
  /** The start of the body. */
  bodyExcerpt: string | null;
}

/** The HTTP request a formatter asks the dispatcher to send. */
export interface PostbackRequest {
  method: 'GET' | 'POST';
  /** Absolute http(s) URL, every value already encoded. */
  url: string;
  headers?: Readonly<Record<string, string>>;
  body?: string;
}

/**
 * A formatter plugin for one tracker. Implementations are pure: no I/O, no clock, no randomness,
 * so the same event always yields the same request.
 */
export interface FormatterPlugin<Settings = unknown> {
  /** Unique registry key, used as an endpoint's `plugin`. Lower case, e.g. `voluum`. */
  readonly name: string;
  /** The contract version this plugin was written for. Only `1` exists. */
  readonly apiVersion: 1;
  /** One line for listings. */
  readonly description?: string;
  /** Where its requests go; see {@link PluginKind}. Optional: `postback` when left out. */
  readonly kind?: PluginKind;
  /**
   * Checks an endpoint's settings when it is saved, returning them in the form `format` takes.
   * Throws a `PluginSettingsError` naming the bad setting.
   */
  parseSettings(settings: Readonly<Record<string, unknown>>): Settings;
  /** The settings `parseSettings` takes, for listings and docs. Optional: `parseSettings` is what validates. */
  readonly settingsSchema?: Readonly<Record<string, SettingSpec>>;
  /** How this tracker takes a commission adjustment by default; see {@link AdjustmentFamily}. */
  readonly adjustments: AdjustmentFamily;
  /**
   * What the tracker can store (largest amount, decimals), how it dedupes, whether it keeps one conversion per
   * click, and the adjustment modes an endpoint may choose, for an endpoint's parsed settings (Binom's Upsell box
   * changes them). Pure. Optional: without it, one conversion per transaction key, no known limit, and
   * `adjustments` as the only mode.
   */
  books?(settings: Settings): TrackerBooks;
  /** Builds the request for one event, or a skip when this tracker cannot be told about it correctly. */
  format(context: PostbackContext, settings: Settings): PostbackRequest | PostbackSkip;
  /**
   * Judges a 2xx answer, for trackers that answer 200 to a refused postback (TUNE: `success=false`).
   * Returns the reason it was refused, or null when it was accepted. Without it, any 2xx is delivered.
   */
  judgeResponse?(response: PostbackResponse): string | null;
  /**
   * The secret strings in an endpoint's settings as saved (a postback key, a token), e.g.
   * `(settings) => [String(settings.token ?? '')]`. They are stored as given but masked in API answers,
   * in the delivery log and in logs. Optional: a plugin without it has no secrets.
   */
  secretValues?(settings: Readonly<Record<string, unknown>>): readonly string[];
  /** How affiliates recognise this tracker: its name, where to find its postback URL, and how a pasted one maps to settings. */
  readonly recognize?: UrlRecognizer;
}

/** True when `format` asked to send nothing. */
export function isSkip(result: PostbackRequest | PostbackSkip): result is PostbackSkip {
  return 'skip' in result;
}
