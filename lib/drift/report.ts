// The drift report of one endpoint: per click, what its tracker should show beside the platform's truth, and totals.

import type { Endpoint } from '../endpoints/types.js';
import { addDecimal, signOf } from '../money.js';
import type { DecimalString } from '../money.js';
import { adjustmentModeOf, booksOf } from '../plugins/capabilities.js';
import type { AdjustmentMode, TrackerBooks } from '../plugins/capabilities.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { clickDrift } from './books.js';
import type { ClickDrift } from './books.js';
import type { DriftFilter, DriftStore } from './store.js';

/** A drift report: totals over every click the filter covers, and the clicks that differ (a page of them). */
export interface DriftReport {
  endpointId: string;
  plugin: string;
  /** How the tracker keeps its books, as its plugin declares them for this endpoint's settings. */
  books: TrackerBooks;
  adjustmentMode: AdjustmentMode;
  totals: { clicks: number; clicksDiffering: number; truth: DecimalString; expected: DecimalString; difference: DecimalString };
  /** Clicks whose tracker books differ from the truth, in click ID order, after `after`; at most `limit`. */
  differing: ClickDrift[];
  /** The `after` for the next page of differing clicks, or null when this is the last. */
  next: string | null;
}

/** A report's paging on top of its filter. `limit` defaults to 100. */
export interface DriftQuery extends DriftFilter {
  after?: string | undefined;
  limit?: number | undefined;
}

// Clicks read per batch: one range read and one history query each, whatever the endpoint's size.
const BATCH = 500;

/** Builds the report from stored deliveries in batches of clicks; the totals cover the whole filter. */
export async function driftReport(store: DriftStore, plugins: PluginRegistry, endpoint: Endpoint, query: DriftQuery): Promise<DriftReport> {
  const plugin = plugins.get(endpoint.plugin);
  const books = booksOf(plugin, plugin.parseSettings(endpoint.settings));
  const mode = adjustmentModeOf(books, endpoint.adjustmentMode);
  const limit = query.limit ?? 100;
  const totals = { clicks: 0, clicksDiffering: 0, truth: '0', expected: '0', difference: '0' };
  const differing: ClickDrift[] = [];
  let next: string | null = null;
  let cursor: string | undefined;
  for (;;) {
    const clicks = await store.clicks(endpoint.id, query, cursor, BATCH);
    for (const history of await store.histories(endpoint.id, clicks)) {
      const drift = clickDrift(history.clickId, books, mode, history.deliveries, history.truth);
      totals.clicks += 1;
      totals.truth = addDecimal(totals.truth, drift.truth);
      totals.expected = addDecimal(totals.expected, drift.expected);
      totals.difference = addDecimal(totals.difference, drift.difference);
      if (signOf(drift.difference) === 0) continue;
      totals.clicksDiffering += 1;
      if (query.after !== undefined && drift.clickId <= query.after) continue;
      if (differing.length < limit) differing.push(drift);
      else next ??= differing.at(-1)?.clickId ?? null;
    }
    if (clicks.length < BATCH) break;
    cursor = clicks.at(-1);
  }
  return { endpointId: endpoint.id, plugin: plugin.name, books, adjustmentMode: mode, totals, differing, next };
}
