// Records the three inbound events: validate, store the event and its outbox rows in one transaction, wake the dispatcher.

import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { IdempotencyConflictError, NegativeAmountError, UnknownReferenceError } from '../errors.js';
import { addDecimal, signOf, subtractDecimal } from '../money.js';
import type { EndpointsStore } from '../store/endpoints-store.js';
import type { EventsStore, Stored } from '../store/events-store.js';
import { isUniqueViolation, retryOnDeadlock } from '../store/errors.js';
import type { OutboxStore } from '../store/outbox-store.js';
import { checkAmount } from './amount-limits.js';
import type { AmountLimits } from './amount-limits.js';
import { adjustmentSchema, commissionSchema, leadSchema } from './schemas.js';
import type { Adjustment, Commission, EventName, Lead, LeadSource, Recorded } from './types.js';

/** What the recorder needs, passed in by the wiring function. */
export interface RecorderDeps {
  knex: Knex;
  events: EventsStore;
  endpoints: EndpointsStore;
  outbox: OutboxStore;
  defaultCurrency: string;
  amountLimits: AmountLimits;
  /** Called after a commit that queued deliveries. */
  onQueued: () => void;
}

export class EventRecorder {
  readonly #deps: RecorderDeps;

  constructor(deps: RecorderDeps) {
    this.#deps = deps;
  }

  /** Records a lead and queues its `lead_created` postbacks. */
  async recordLead(input: unknown, source: LeadSource = 'api'): Promise<Recorded<Lead>> {
    const lead = leadSchema(input, '');
    const hash = payloadHash(lead);
    return this.#idempotent('lead', lead.id, hash, (db) => this.#deps.events.findLead(db, lead.id), async (trx, now) => {
      const stored = await this.#deps.events.insertLead(trx, {
        external_id: lead.id,
        click_id: lead.clickId,
        affiliate_id: lead.affiliateId,
        offer_id: lead.offerId ?? null,
        sub1: lead.sub1 ?? null,
        sub2: lead.sub2 ?? null,
        sub3: lead.sub3 ?? null,
        sub4: lead.sub4 ?? null,
        sub5: lead.sub5 ?? null,
        source,
        payload_hash: hash,
        occurred_at: lead.occurredAt ?? now,
        recorded_at: now,
      });
      const queued = await this.#queue(trx, now, stored.value, 'lead_created', { leadPk: stored.pk, commissionPk: null, adjustmentPk: null });
      return { stored, queued };
    });
  }

  /** Records a commission on a known lead and queues its `commission_earned` postbacks. */
  async recordCommission(input: unknown): Promise<Recorded<Commission>> {
    const commission = commissionSchema(input, '');
    checkAmount(this.#deps.amountLimits, commission.amount, 'amount');
    const hash = payloadHash(commission);
    const { events } = this.#deps;
    return this.#idempotent('commission', commission.id, hash, (db) => events.findCommission(db, commission.id), async (trx, now) => {
      const lead = await events.findLead(trx, commission.leadId);
      if (!lead) throw new UnknownReferenceError('leadId', commission.leadId);
      const stored = await events.insertCommission(
        trx,
        {
          external_id: commission.id,
          lead_pk: lead.pk,
          amount: commission.amount,
          current_amount: commission.amount,
          currency: commission.currency ?? this.#deps.defaultCurrency,
          payload_hash: hash,
          occurred_at: commission.occurredAt ?? now,
          recorded_at: now,
        },
        lead.value.id,
      );
      const queued = await this.#queue(trx, now, lead.value, 'commission_earned', { leadPk: lead.pk, commissionPk: stored.pk, adjustmentPk: null });
      return { stored, queued };
    });
  }

  /** Records an adjustment (a new amount or a delta) on a known commission and queues its `commission_adjusted` postbacks. */
  async adjustCommission(input: unknown): Promise<Recorded<Adjustment>> {
    const adjustment = adjustmentSchema(input, '');
    checkAmount(this.#deps.amountLimits, adjustment.amount, 'amount');
    checkAmount(this.#deps.amountLimits, adjustment.delta, 'delta');
    const hash = payloadHash(adjustment);
    const { events } = this.#deps;
    return this.#idempotent('adjustment', adjustment.id, hash, (db) => events.findAdjustment(db, adjustment.id), async (trx, now) => {
      // Locked, so two adjustments of one commission apply one after the other, each to the other's result.
      const commission = await events.findCommission(trx, adjustment.commissionId, { lock: true });
      if (!commission) throw new UnknownReferenceError('commissionId', adjustment.commissionId);
      const before = commission.currentAmount;
      const after = adjustment.amount ?? addDecimal(before, adjustment.delta ?? '0');
      if (signOf(after) < 0) throw new NegativeAmountError(after);
      const stored = await events.insertAdjustment(
        trx,
        {
          external_id: adjustment.id,
          commission_pk: commission.pk,
          delta: subtractDecimal(after, before),
          amount_before: before,
          amount_after: after,
          reason: adjustment.reason ?? null,
          payload_hash: hash,
          occurred_at: adjustment.occurredAt ?? now,
          recorded_at: now,
        },
        { pk: commission.pk, id: commission.value.id, currency: commission.value.currency },
      );
      const lead = await events.findLead(trx, commission.value.leadId);
      if (!lead) throw new UnknownReferenceError('leadId', commission.value.leadId);
      const queued = await this.#queue(trx, now, lead.value, 'commission_adjusted', {
        leadPk: lead.pk,
        commissionPk: commission.pk,
        adjustmentPk: stored.pk,
      });
      return { stored, queued };
    });
  }

  async #queue(
    trx: Knex.Transaction,
    now: Date,
    lead: Lead,
    event: EventName,
    refs: { leadPk: string; commissionPk: string | null; adjustmentPk: string | null },
  ): Promise<number> {
    const endpoints = await this.#deps.endpoints.firing(trx, lead, event);
    await this.#deps.outbox.enqueue(trx, endpoints.map((endpoint) => ({ endpointPk: endpoint.id, event, ...refs })), now);
    return endpoints.length;
  }

  /**
   * Runs `create` in a transaction unless the host's id was seen before. A repeat with the same body
   * answers with the first record; with another body it is a conflict. The UNIQUE index on the host's
   * id settles two copies racing each other.
   */
  async #idempotent<T>(
    kind: string,
    externalId: string,
    hash: string,
    find: (db: Knex | Knex.Transaction) => Promise<Stored<T> | undefined>,
    create: (trx: Knex.Transaction, now: Date) => Promise<{ stored: Stored<T>; queued: number }>,
  ): Promise<Recorded<T>> {
    const replay = (existing: Stored<T>): Recorded<T> => {
      if (existing.payloadHash !== hash) throw new IdempotencyConflictError(kind, externalId);
      return { record: existing.value, replayed: true, deliveriesQueued: 0 };
    };
    const existing = await find(this.#deps.knex);
    if (existing) return replay(existing);
    let created: { stored: Stored<T>; queued: number };
    try {
      // An event's insert can lose a deadlock to concurrent claims on MariaDB; its retry answers the client, not a 500.
      created = await retryOnDeadlock(() => this.#deps.knex.transaction((trx) => create(trx, new Date())));
    } catch (error) {
      const raced = isUniqueViolation(error) ? await find(this.#deps.knex) : undefined;
      if (raced) return replay(raced);
      throw error;
    }
    if (created.queued > 0) this.#deps.onQueued();
    return { record: created.stored.value, replayed: false, deliveriesQueued: created.queued };
  }
}

// The validated event in canonical form (amounts normalised, keys in schema order), so "12.50" and "12.5" match.
function payloadHash(event: object): string {
  return createHash('sha256').update(JSON.stringify(event)).digest('hex');
}
