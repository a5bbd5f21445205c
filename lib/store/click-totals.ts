// The running net payout of a click as of each delivery: what one-conversion-per-click trackers must be sent.

import type { Knex } from 'knex';
import { addDecimal, normalizeDecimal } from '../money.js';
import type { DecimalString } from '../money.js';
import { toId } from './tables.js';
import type { DeliveryRow, TableNames } from './tables.js';

/**
 * For each delivery (absent: 0), the sum of the commission amounts and adjustment deltas queued to the same endpoint for
 * any lead with the same click ID up to and including it, in queue (primary key) order: a tracker keeping one
 * conversion per click ID must end at the click's total, whichever of its leads earned it. Built from stored rows
 * only, so a retry gets the same total. One query per batch.
 */
export async function clickNetPayouts(knex: Knex, t: TableNames, rows: ReadonlyArray<Pick<DeliveryRow, 'pk' | 'endpoint_pk' | 'click_id'>>): Promise<Map<string, DecimalString>> {
  const totals = new Map<string, DecimalString>();
  if (rows.length === 0) return totals;
  const endpointPks = [...new Set(rows.map((row) => toId(row.endpoint_pk)))];
  const clickIds = [...new Set(rows.map((row) => row.click_id))];
  const maxPk = rows.reduce((max, row) => (BigInt(row.pk) > max ? BigInt(row.pk) : max), 0n);
  const history = await knex(t.deliveries)
    .leftJoin(t.commissions, function joinEarned() {
      this.on(`${t.commissions}.pk`, '=', `${t.deliveries}.commission_pk`).andOnVal(`${t.deliveries}.event`, '=', 'commission_earned');
    })
    .leftJoin(t.adjustments, `${t.adjustments}.pk`, `${t.deliveries}.adjustment_pk`)
    .whereIn(`${t.deliveries}.endpoint_pk`, endpointPks)
    .whereIn(`${t.deliveries}.click_id`, clickIds)
    .andWhere(`${t.deliveries}.pk`, '<=', maxPk.toString())
    .orderBy(`${t.deliveries}.pk`)
    .select<Array<{ pk: string | number; endpoint_pk: string | number; click_id: string; earned: unknown; delta: unknown }>>(
      `${t.deliveries}.pk`,
      `${t.deliveries}.endpoint_pk`,
      `${t.deliveries}.click_id`,
      `${t.commissions}.amount as earned`,
      `${t.adjustments}.delta as delta`,
    );
  const running = new Map<string, DecimalString>();
  for (const row of history) {
    const click = `${toId(row.endpoint_pk)}\n${row.click_id}`;
    const change = row.delta ?? row.earned;
    const total = addDecimal(running.get(click) ?? '0', change == null ? '0' : normalizeDecimal(change as string | number));
    running.set(click, total);
    totals.set(toId(row.pk), total);
  }
  return totals;
}
