// Stores endpoints, and finds which of them an event on a lead fires.

import type { Knex } from 'knex';
import { endpointKind } from '../endpoints/kind.js';
import type { EndpointKind } from '../endpoints/kind.js';
import type { Endpoint } from '../endpoints/types.js';
import type { EventName, Lead } from '../events/types.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { AdjustmentMode } from '../plugins/capabilities.js';
import { toDate, toId } from './tables.js';
import type { EndpointRow, TableNames } from './tables.js';

/** An endpoint as written: everything but the id and the times. */
export type EndpointValues = Omit<Endpoint, 'id' | 'createdAt' | 'updatedAt'>;

export class EndpointsStore {
  readonly #knex: Knex;
  readonly #t: TableNames;
  readonly #plugins: PluginRegistry;

  constructor(knex: Knex, tables: TableNames, plugins: PluginRegistry) {
    this.#knex = knex;
    this.#t = tables;
    this.#plugins = plugins;
  }

  async create(values: EndpointValues, now: Date): Promise<Endpoint> {
    const [pk] = await this.#knex(this.#t.endpoints).insert({ ...toRow(values), created_at: now, updated_at: now });
    return { ...values, id: toId(pk as number), createdAt: now, updatedAt: now };
  }

  async update(id: string, values: EndpointValues, now: Date): Promise<void> {
    // An edited endpoint (a fix, or enabled again) starts a fresh auto-disable window.
    await this.#knex(this.#t.endpoints).where({ pk: id }).update({ ...toRow(values), updated_at: now, failing_since: null });
  }

  async get(id: string): Promise<Endpoint | undefined> {
    if (!/^\d{1,19}$/.test(id)) return undefined;
    const row = await this.#knex<EndpointRow>(this.#t.endpoints).where({ pk: id }).first();
    return row && fromRow(row);
  }

  async list(filter: { affiliateId?: string | undefined }): Promise<Endpoint[]> {
    const query = this.#knex<EndpointRow>(this.#t.endpoints).orderBy('pk');
    if (filter.affiliateId !== undefined) void query.where({ affiliate_id: filter.affiliateId });
    return (await query).map(fromRow);
  }

  /**
   * The endpoints of `kind` an event on `lead` fires, by the offer-over-affiliate rule documented on
   * {@link Endpoint}, applied within the kind (a browser pixel never hides an S2S postback, nor the reverse).
   */
  async firing(db: Knex | Knex.Transaction, lead: Lead, event: EventName, kind: EndpointKind = 's2s'): Promise<Endpoint[]> {
    return (await this.firingForEach(db, [lead], event, kind))[0] ?? [];
  }

  /** {@link firing} for many leads at once, in one query: the endpoints of each lead, in the order given. */
  async firingForEach(db: Knex | Knex.Transaction, leads: readonly Lead[], event: EventName, kind: EndpointKind = 's2s'): Promise<Endpoint[][]> {
    const rows = await db<EndpointRow>(this.#t.endpoints)
      .whereIn('affiliate_id', [...new Set(leads.map((lead) => lead.affiliateId))])
      .andWhere({ enabled: true })
      .orderBy('pk');
    const subscribed = rows.map(fromRow).filter((endpoint) => endpoint.events.includes(event) && endpointKind(endpoint, this.#plugins) === kind);
    return leads.map((lead) => {
      const own = subscribed.filter((endpoint) => endpoint.affiliateId === lead.affiliateId && (endpoint.offerId === null || endpoint.offerId === lead.offerId));
      const forOffer = own.filter((endpoint) => endpoint.offerId !== null);
      return forOffer.length > 0 ? forOffer : own;
    });
  }
}

function toRow(values: EndpointValues): Omit<EndpointRow, 'pk' | 'created_at' | 'updated_at'> {
  return {
    affiliate_id: values.affiliateId,
    offer_id: values.offerId,
    name: values.name,
    plugin: values.plugin,
    settings: JSON.stringify(values.settings),
    events: values.events.join(','),
    enabled: values.enabled,
    adjustment_mode: values.adjustmentMode,
  };
}

/** Reads a stored endpoint back (also used when the dispatcher loads endpoints for a batch). */
export function fromRow(row: EndpointRow): Endpoint {
  return {
    id: toId(row.pk),
    affiliateId: row.affiliate_id,
    offerId: row.offer_id,
    name: row.name,
    plugin: row.plugin,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    events: row.events.split(',') as EventName[],
    enabled: Boolean(row.enabled),
    adjustmentMode: (row.adjustment_mode ?? null) as AdjustmentMode | null,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
