// Reads and writes leads, commissions and adjustments; every write runs inside the caller's transaction.

import type { Knex } from 'knex';
import { normalizeDecimal } from '../money.js';
import type { DecimalString } from '../money.js';
import { isMySql } from './database.js';
import { toAdjustment, toCommission, toId, toLead } from './tables.js';
import type { AdjustmentRow, CommissionRow, LeadRow, TableNames } from './tables.js';
import type { Adjustment, Commission, Lead } from '../events/types.js';

/** A stored entity with its primary key and the hash of the event that created it. */
export interface Stored<T> {
  pk: string;
  payloadHash: string;
  value: T;
}

/** New rows, as the recorder builds them (all but the primary key). */
export type NewLeadRow = Omit<LeadRow, 'pk'>;
export type NewCommissionRow = Omit<CommissionRow, 'pk'>;
export type NewAdjustmentRow = Omit<AdjustmentRow, 'pk'>;

/** A stored commission with its lead's primary key and the amount it stands at after its adjustments. */
export type StoredCommission = Stored<Commission> & { leadPk: string; currentAmount: DecimalString };

export class EventsStore {
  readonly #knex: Knex;
  readonly #t: TableNames;

  constructor(knex: Knex, tables: TableNames) {
    this.#knex = knex;
    this.#t = tables;
  }

  /** Leads by the host's ids; ids not stored are absent from the map. */
  async findLeads(db: Knex | Knex.Transaction, externalIds: readonly string[]): Promise<Map<string, Stored<Lead>>> {
    const rows = await db<LeadRow>(this.#t.leads).whereIn('external_id', externalIds);
    return new Map(rows.map((row) => [row.external_id, { pk: toId(row.pk), payloadHash: row.payload_hash, value: toLead(row) }]));
  }

  async findLead(db: Knex | Knex.Transaction, externalId: string): Promise<Stored<Lead> | undefined> {
    return (await this.findLeads(db, [externalId])).get(externalId);
  }

  /**
   * Inserts leads in one statement; returns them in the order given, and which of their click IDs more than one
   * stored lead carries (the new ones included): the read of the new keys brings the click's other leads along.
   */
  async insertLeads(trx: Knex.Transaction, rows: readonly NewLeadRow[]): Promise<{ leads: Array<Stored<Lead>>; sharedClicks: Set<string> }> {
    if (rows.length === 0) return { leads: [], sharedClicks: new Set() };
    await trx(this.#t.leads).insert(rows);
    const keys = await trx<{ pk: number | string; external_id: string; click_id: string }>(this.#t.leads)
      .whereIn('external_id', rows.map((row) => row.external_id))
      .orWhereIn('click_id', [...new Set(rows.map((row) => row.click_id))])
      .select('pk', 'external_id', 'click_id');
    const byId = new Map(keys.map((key) => [key.external_id, toId(key.pk)]));
    const perClick = new Map<string, number>();
    for (const { click_id: click } of keys) perClick.set(click, (perClick.get(click) ?? 0) + 1);
    return {
      leads: rows.map((row) => {
        const pk = byId.get(row.external_id) as string;
        return { pk, payloadHash: row.payload_hash, value: toLead(withPk(row, pk)) };
      }),
      sharedClicks: new Set([...perClick].filter(([, count]) => count > 1).map(([click]) => click)),
    };
  }

  /**
   * Commissions by the host's ids, each with its lead's primary key. `lock` takes row locks on MySQL for an
   * update to follow.
   */
  async findCommissions(
    db: Knex | Knex.Transaction,
    externalIds: readonly string[],
    options: { lock?: boolean } = {},
  ): Promise<Map<string, StoredCommission>> {
    const query = db(this.#t.commissions)
      .join(this.#t.leads, `${this.#t.leads}.pk`, `${this.#t.commissions}.lead_pk`)
      .whereIn(`${this.#t.commissions}.external_id`, externalIds)
      .select<Array<CommissionRow & { lead_external_id: string }>>(`${this.#t.commissions}.*`, `${this.#t.leads}.external_id as lead_external_id`);
    // SQLite has one writer at a time, so only MySQL needs (and supports) the row lock.
    if (options.lock && isMySql(this.#knex)) void query.forUpdate();
    const rows = await query;
    return new Map(
      rows.map((row) => [
        row.external_id,
        {
          pk: toId(row.pk),
          leadPk: toId(row.lead_pk),
          currentAmount: normalizeDecimal(row.current_amount),
          payloadHash: row.payload_hash,
          value: toCommission(row, row.lead_external_id),
        },
      ]),
    );
  }

  async findCommission(db: Knex | Knex.Transaction, externalId: string, options: { lock?: boolean } = {}): Promise<StoredCommission | undefined> {
    return (await this.findCommissions(db, [externalId], options)).get(externalId);
  }

  /** Inserts commissions in one statement, each given with its lead's id; returns them in the order given. */
  async insertCommissions(
    trx: Knex.Transaction,
    commissions: ReadonlyArray<{ row: NewCommissionRow; leadExternalId: string }>,
  ): Promise<Array<Stored<Commission>>> {
    const pks = await this.#insertMany(trx, this.#t.commissions, commissions.map((commission) => commission.row));
    return commissions.map(({ row, leadExternalId }, index) => {
      const pk = pks[index] as string;
      return { pk, payloadHash: row.payload_hash, value: toCommission(withPk(row, pk), leadExternalId) };
    });
  }

  /** Adjustments by the host's ids; ids not stored are absent from the map. */
  async findAdjustments(db: Knex | Knex.Transaction, externalIds: readonly string[]): Promise<Map<string, Stored<Adjustment>>> {
    const rows = await db(this.#t.adjustments)
      .join(this.#t.commissions, `${this.#t.commissions}.pk`, `${this.#t.adjustments}.commission_pk`)
      .whereIn(`${this.#t.adjustments}.external_id`, externalIds)
      .select<Array<AdjustmentRow & { commission_external_id: string; currency: string }>>(
        `${this.#t.adjustments}.*`,
        `${this.#t.commissions}.external_id as commission_external_id`,
        `${this.#t.commissions}.currency`,
      );
    return new Map(
      rows.map((row) => [
        row.external_id,
        { pk: toId(row.pk), payloadHash: row.payload_hash, value: toAdjustment(row, { id: row.commission_external_id, currency: row.currency }) },
      ]),
    );
  }

  async insertAdjustment(
    trx: Knex.Transaction,
    row: NewAdjustmentRow,
    commission: { pk: string; id: string; currency: string },
  ): Promise<Stored<Adjustment>> {
    const [pk] = await trx(this.#t.adjustments).insert(row);
    await trx(this.#t.commissions).where({ pk: commission.pk }).update({ current_amount: row.amount_after });
    return { pk: toId(pk as number), payloadHash: row.payload_hash, value: toAdjustment(withPk(row, pk as number), commission) };
  }

  /**
   * One multi-row INSERT, then the new primary keys read back by the host's ids (unique, and on an index): a
   * driver reports only one insert id, and whether a statement's ids are consecutive depends on server settings.
   */
  async #insertMany(trx: Knex.Transaction, table: string, rows: ReadonlyArray<{ external_id: string }>): Promise<string[]> {
    if (rows.length === 0) return [];
    await trx(table).insert(rows);
    const keys = await trx<{ pk: number | string; external_id: string }>(table)
      .whereIn('external_id', rows.map((row) => row.external_id))
      .select('pk', 'external_id');
    const byId = new Map(keys.map((key) => [key.external_id, toId(key.pk)]));
    return rows.map((row) => byId.get(row.external_id) as string);
  }
}

// A new row with its key, per event stored: not `{ ...row, pk }`, which V8 11 (Node 20) gives a hidden class of its
// own every time (docs/performance.md, "got's request options").
function withPk<R extends object & { pk?: never }, K>(row: R, pk: K): R & { pk: K } {
  return Object.assign({ pk }, row);
}
