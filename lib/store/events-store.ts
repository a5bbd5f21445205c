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

export class EventsStore {
  readonly #knex: Knex;
  readonly #t: TableNames;

  constructor(knex: Knex, tables: TableNames) {
    this.#knex = knex;
    this.#t = tables;
  }

  async findLead(db: Knex | Knex.Transaction, externalId: string): Promise<Stored<Lead> | undefined> {
    const row = await db<LeadRow>(this.#t.leads).where({ external_id: externalId }).first();
    return row && { pk: toId(row.pk), payloadHash: row.payload_hash, value: toLead(row) };
  }

  async insertLead(trx: Knex.Transaction, row: NewLeadRow): Promise<Stored<Lead>> {
    const [pk] = await trx(this.#t.leads).insert(row);
    return { pk: toId(pk as number), payloadHash: row.payload_hash, value: toLead({ ...row, pk: pk as number }) };
  }

  /** A commission by the host's id, with its lead's primary key. `lock` takes a row lock on MySQL for an update to follow. */
  async findCommission(
    db: Knex | Knex.Transaction,
    externalId: string,
    options: { lock?: boolean } = {},
  ): Promise<(Stored<Commission> & { leadPk: string; currentAmount: DecimalString }) | undefined> {
    const query = db(this.#t.commissions)
      .join(this.#t.leads, `${this.#t.leads}.pk`, `${this.#t.commissions}.lead_pk`)
      .where(`${this.#t.commissions}.external_id`, externalId)
      .first<(CommissionRow & { lead_external_id: string }) | undefined>(`${this.#t.commissions}.*`, `${this.#t.leads}.external_id as lead_external_id`);
    // SQLite has one writer at a time, so only MySQL needs (and supports) the row lock.
    if (options.lock && isMySql(this.#knex)) void query.forUpdate();
    const row = await query;
    return (
      row && {
        pk: toId(row.pk),
        leadPk: toId(row.lead_pk),
        currentAmount: normalizeDecimal(row.current_amount),
        payloadHash: row.payload_hash,
        value: toCommission(row, row.lead_external_id),
      }
    );
  }

  async insertCommission(trx: Knex.Transaction, row: NewCommissionRow, leadExternalId: string): Promise<Stored<Commission>> {
    const [pk] = await trx(this.#t.commissions).insert(row);
    return { pk: toId(pk as number), payloadHash: row.payload_hash, value: toCommission({ ...row, pk: pk as number }, leadExternalId) };
  }

  async findAdjustment(db: Knex | Knex.Transaction, externalId: string): Promise<Stored<Adjustment> | undefined> {
    const row = await db(this.#t.adjustments)
      .join(this.#t.commissions, `${this.#t.commissions}.pk`, `${this.#t.adjustments}.commission_pk`)
      .where(`${this.#t.adjustments}.external_id`, externalId)
      .first<(AdjustmentRow & { commission_external_id: string; currency: string }) | undefined>(
        `${this.#t.adjustments}.*`,
        `${this.#t.commissions}.external_id as commission_external_id`,
        `${this.#t.commissions}.currency`,
      );
    return (
      row && {
        pk: toId(row.pk),
        payloadHash: row.payload_hash,
        value: toAdjustment(row, { id: row.commission_external_id, currency: row.currency }),
      }
    );
  }

  async insertAdjustment(
    trx: Knex.Transaction,
    row: NewAdjustmentRow,
    commission: { pk: string; id: string; currency: string },
  ): Promise<Stored<Adjustment>> {
    const [pk] = await trx(this.#t.adjustments).insert(row);
    await trx(this.#t.commissions).where({ pk: commission.pk }).update({ current_amount: row.amount_after });
    return { pk: toId(pk as number), payloadHash: row.payload_hash, value: toAdjustment({ ...row, pk: pk as number }, commission) };
  }
}
