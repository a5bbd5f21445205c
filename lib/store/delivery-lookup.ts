// Finds which lead a delivery belongs to, so one delivery can be shown from the per-lead delivery log.

import type { Knex } from 'knex';
import type { TableNames } from './tables.js';

/** The host's id of the lead a delivery was queued for; undefined when there is no such delivery. */
export async function leadOfDelivery(knex: Knex, tables: TableNames, deliveryId: string): Promise<string | undefined> {
  if (!/^\d{1,19}$/.test(deliveryId)) return undefined;
  const row = await knex(tables.deliveries)
    .join(tables.leads, `${tables.leads}.pk`, `${tables.deliveries}.lead_pk`)
    .where(`${tables.deliveries}.pk`, deliveryId)
    .first<{ lead_id: string } | undefined>(`${tables.leads}.external_id as lead_id`);
  return row?.lead_id;
}
