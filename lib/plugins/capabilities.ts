// What a plugin's tracker can store and how it keeps its books: the core asks this, it never checks a plugin's name.

import { InvalidPluginError } from '../errors.js';
import { parseDecimal, signOf } from '../money.js';
import type { DecimalString } from '../money.js';
import type { AdjustmentFamily } from './types.js';

/**
 * How an endpoint sends a commission adjustment, chosen among what its plugin supports:
 * - `replace`: the new absolute payout, under the commission's transaction key (or the click's running total, for
 *   a tracker that keeps one conversion per click).
 * - `delta`: the difference, as a conversion of its own (`adj-<id>`).
 * - `status`: only a full clawback, as the tracker's rejected status; any other change is recorded as skipped.
 * - `skip`: every adjustment is recorded as skipped.
 * - `correction`: the signed difference as a conversion of its own (`adj-<id>`) with the plugin's correction
 *   conversion type, for trackers whose docs describe correction conversions (opt-in).
 */
export type AdjustmentMode = 'replace' | 'delta' | 'status' | 'skip' | 'correction';

/** The adjustment modes, for validation and listings. */
export const ADJUSTMENT_MODES = ['replace', 'delta', 'status', 'skip', 'correction'] as const satisfies readonly AdjustmentMode[];

/**
 * How a tracker tells a repeat from a new conversion, which decides whether sending a postback again is safe:
 * - `txid`: by a transaction key we send (a repeat of one conversion is counted once);
 * - `click`: it keeps one conversion per click and each postback overwrites it (a repeat changes nothing);
 * - `none`: every postback is added (a repeat counts twice).
 */
export type TrackerDedupe = 'txid' | 'click' | 'none';

/**
 * Whether the tracker keeps one conversion per click ID (`per-click`: Binom, Prosper202, PeerClick without
 * txid), so each postback must carry the click's running total across all its leads, or one per transaction key.
 */
export type ConversionFamily = 'per-click' | 'per-txid';

/** What a tracker can store and how it keeps its books. Every field is a declaration backed by the tracker's docs. */
export interface TrackerBooks {
  family: ConversionFamily;
  dedupe: TrackerDedupe;
  /** The largest amount (in size) the tracker stores exactly; null when it documents none. An amount past it is skipped. */
  maxAmount: DecimalString | null;
  /** Decimal places the tracker keeps; null when it documents none. An amount with more is skipped, never rounded. */
  decimals: number | null;
  /** The adjustment modes an endpoint may choose; the first is the default. Never empty. */
  adjustmentModes: readonly AdjustmentMode[];
}

/** A query plugin's declaration: fixed, or depending on the endpoint's parsed settings (Binom's Upsell box). */
export type BooksDeclaration<Settings> = TrackerBooks | ((settings: Settings) => TrackerBooks);

/**
 * The books of a plugin that declares none (a third-party plugin written before the declaration): one
 * conversion per transaction key, no known limit, and only its `adjustments` family as mode.
 */
export function defaultBooks(adjustments: AdjustmentFamily): TrackerBooks {
  return { family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: [adjustments === 'unsupported' ? 'skip' : adjustments] };
}

/** The books of one endpoint's tracker, from its plugin's declaration and parsed settings. */
export function booksOf<S>(plugin: { name: string; adjustments: AdjustmentFamily; books?(settings: S): TrackerBooks }, settings: S): TrackerBooks {
  return plugin.books ? checkBooks(plugin.books(settings), `plugin "${plugin.name}"`) : defaultBooks(plugin.adjustments);
}

/** The mode an endpoint's adjustments go by: its own choice, else its plugin's default. */
export function adjustmentModeOf(books: TrackerBooks, chosen: AdjustmentMode | null | undefined): AdjustmentMode {
  return chosen ?? books.adjustmentModes[0] ?? 'skip';
}

/** Refuses a declaration that is not {@link TrackerBooks}, naming what is wrong; `label` names the plugin. */
export function checkBooks(books: unknown, label: string): TrackerBooks {
  const fail = (message: string): never => {
    throw new InvalidPluginError(`${label}: books.${message}`);
  };
  if (typeof books !== 'object' || books === null) return fail('must be an object or a function of the settings');
  const b = books as Partial<Record<keyof TrackerBooks, unknown>>;
  if (b.family !== 'per-click' && b.family !== 'per-txid') fail(`family must be per-click or per-txid, got ${JSON.stringify(b.family)}`);
  if (b.dedupe !== 'txid' && b.dedupe !== 'click' && b.dedupe !== 'none') fail(`dedupe must be txid, click or none, got ${JSON.stringify(b.dedupe)}`);
  if (b.maxAmount !== null && !(typeof b.maxAmount === 'string' && parseDecimal(b.maxAmount).ok && signOf(b.maxAmount) > 0)) {
    fail(`maxAmount must be a positive decimal string or null, got ${JSON.stringify(b.maxAmount)}`);
  }
  if (b.decimals !== null && !(typeof b.decimals === 'number' && Number.isInteger(b.decimals) && b.decimals >= 0)) fail(`decimals must be a whole number or null, got ${JSON.stringify(b.decimals)}`);
  const modes = b.adjustmentModes;
  if (!Array.isArray(modes) || modes.length === 0 || !modes.every((mode) => ADJUSTMENT_MODES.includes(mode as AdjustmentMode))) {
    fail(`adjustmentModes must be a non-empty list of ${ADJUSTMENT_MODES.join(', ')}`);
  }
  return books as TrackerBooks;
}
