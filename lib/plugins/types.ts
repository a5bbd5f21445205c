// The formatter plugin contract: a pure function from one of our events to the HTTP request a tracker expects.

import type { Adjustment, Commission, EventName, Lead } from '../events/types.js';
import type { DecimalString } from '../money.js';

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
   * from the host's ids, so a retry is deduplicated by the tracker and two commissions count twice.
   */
  transactionId: string;
  /** The payout the conversion now stands at: `0` for a lead, the amount for a commission, the new amount after an adjustment. */
  payout: DecimalString;
  /** The change this event makes: `0` for a lead, the amount for a commission, the difference for an adjustment. */
  delta: DecimalString;
  /** ISO 4217, or null for a lead. */
  currency: string | null;
  /** When the event happened. */
  occurredAt: Date;
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
  /**
   * Checks an endpoint's settings when it is saved, returning them in the form `format` takes.
   * Throws a `PluginSettingsError` naming the bad setting.
   */
  parseSettings(settings: Readonly<Record<string, unknown>>): Settings;
  /** Builds the request for one event. */
  format(context: PostbackContext, settings: Settings): PostbackRequest;
  /**
   * The secret strings in an endpoint's settings as saved (a postback key, a token), e.g.
   * `(settings) => [String(settings.token ?? '')]`. They are stored as given but masked in API answers,
   * in the delivery log and in logs. Optional: a plugin without it has no secrets.
   */
  secretValues?(settings: Readonly<Record<string, unknown>>): readonly string[];
}
