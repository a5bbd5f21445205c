// The drift report's reads: the clicks of an endpoint page by page, then each page's deliveries and truth in one query.

import type { Knex } from 'knex';
import type { DeliveryStatus } from '../deliveries/types.js';
import type { EventName } from '../events/types.js';
import { addDecimal, normalizeDecimal } from '../money.js';
import type { DecimalString } from '../money.js';
import { toId } from '../store/tables.js';
import type { TableNames } from '../store/tables.js';
import type { DriftDelivery } from './books.js';

/** Which clicks a drift report covers: those with a delivery queued in [since, until), or the one click named. */
export interface DriftFilter {
  since?: Date | undefined;
  until?: Date | undefined;
  clickId?: string | undefined;
}

/** One click's deliveries in queue order (with the running total each carried) and the platform's truth. */
export interface ClickHistory {
  clickId: string;
  deliveries: DriftDelivery[];
  truth: DecimalString;
}

type Money = string | number;

export class DriftStore {
  readonly #knex: Knex;
  readonly #t: TableNames;

  constructor(knex: Knex, tables: TableNames) {
    this.#knex = knex;
    this.#t = tables;
  }

  /** Up to `size` click IDs of the endpoint after `after` (in click ID order) matching `filter`: one index range read. */
  async clicks(endpointPk: string, filter: DriftFilter, after: string | undefined, size: number): Promise<string[]> {
    const query = this.#knex(this.#t.deliveries).where('endpoint_pk', endpointPk).distinct('click_id').orderBy('click_id').limit(size);
    if (filter.clickId !== undefined) void query.andWhere('click_id', filter.clickId);
    if (after !== undefined) void query.andWhere('click_id', '>', after);
    if (filter.since !== undefined) void query.andWhere('created_at', '>=', filter.since);
    if (filter.until !== undefined) void query.andWhere('created_at', '<', filter.until);
    return (await query.select<Array<{ click_id: string }>>()).map((row) => row.click_id);
  }

  /**
   * Every delivery of the endpoint for these clicks (whenever queued: a click's books need all of it), with the
   * commission and adjustment each carried, in queue order; one query for the page.
   */
  async histories(endpointPk: string, clickIds: readonly string[]): Promise<ClickHistory[]> {
    if (clickIds.length === 0) return [];
    const t = this.#t;
    const rows = await this.#knex(t.deliveries)
      .leftJoin(t.commissions, `${t.commissions}.pk`, `${t.deliveries}.commission_pk`)
      .leftJoin(t.adjustments, `${t.adjustments}.pk`, `${t.deliveries}.adjustment_pk`)
      .where(`${t.deliveries}.endpoint_pk`, endpointPk)
      .whereIn(`${t.deliveries}.click_id`, clickIds)
      .orderBy(`${t.deliveries}.pk`)
      .select<
        Array<{
          pk: string | number;
          event: EventName;
          status: DeliveryStatus;
          last_error: string | null;
          click_id: string;
          commission_id: string | null;
          earned: Money | null;
          current_amount: Money | null;
          adjustment_id: string | null;
          delta: Money | null;
          amount_after: Money | null;
        }>
      >(
        `${t.deliveries}.pk`,
        `${t.deliveries}.event`,
        `${t.deliveries}.status`,
        `${t.deliveries}.last_error`,
        `${t.deliveries}.click_id`,
        `${t.commissions}.external_id as commission_id`,
        `${t.commissions}.amount as earned`,
        `${t.commissions}.current_amount`,
        `${t.adjustments}.external_id as adjustment_id`,
        `${t.adjustments}.delta`,
        `${t.adjustments}.amount_after`,
      );
    const byClick = new Map<string, { deliveries: DriftDelivery[]; running: DecimalString; truth: Map<string, DecimalString> }>(
      clickIds.map((clickId) => [clickId, { deliveries: [], running: '0', truth: new Map() }]),
    );
    for (const row of rows) {
      const click = byClick.get(row.click_id);
      if (!click) continue;
      const money = (value: Money | null) => (value === null ? '0' : normalizeDecimal(value));
      const adjusted = row.event === 'commission_adjusted';
      const earned = row.event === 'commission_earned';
      const delta = adjusted ? money(row.delta) : earned ? money(row.earned) : '0';
      click.running = addDecimal(click.running, delta);
      // The truth counts the commissions this endpoint was told about, at their amount now.
      if (earned && row.commission_id !== null) click.truth.set(row.commission_id, money(row.current_amount));
      click.deliveries.push({
        id: toId(row.pk),
        event: row.event,
        status: row.status,
        lastError: row.last_error,
        commissionId: row.commission_id,
        adjustmentId: row.adjustment_id,
        amount: adjusted ? money(row.amount_after) : earned ? money(row.earned) : '0',
        delta,
        clickNetPayout: click.running,
      });
    }
    return clickIds.map((clickId) => {
      const click = byClick.get(clickId);
      return { clickId, deliveries: click?.deliveries ?? [], truth: [...(click?.truth.values() ?? [])].reduce(addDecimal, '0') };
    });
  }
}
