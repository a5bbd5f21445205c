// Records the three inbound events: validate, store the event and its outbox rows in one transaction (shared with the
// events that arrived meanwhile), wake the dispatcher.

import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import PQueue from 'p-queue';
import { IdempotencyConflictError, NegativeAmountError, UnknownReferenceError } from '../errors.js';
import { addDecimal, signOf, subtractDecimal } from '../money.js';
import type { EndpointsStore } from '../store/endpoints-store.js';
import type { EventsStore, Stored } from '../store/events-store.js';
import { isStoreUnavailable, isUniqueViolation, retryOnDeadlock } from '../store/errors.js';
import type { OutboxStore } from '../store/outbox-store.js';
import { HandoffSlip } from '../dispatch/handoff.js';
import type { DeliveryHandoff } from '../dispatch/handoff.js';
import { checkAmount } from './amount-limits.js';
import type { AmountLimits } from './amount-limits.js';
import { GroupCommit } from './group-commit.js';
import { check } from '../validation.js';
import type { Settled } from './group-commit.js';
import { adjustmentSchema, commissionSchema, leadSchema } from './schemas.js';
import type { ValidAdjustment, ValidCommission, ValidLead } from './schemas.js';
import type { Adjustment, Commission, EventName, Lead, LeadSource, Recorded } from './types.js';

/** What the recorder needs, passed in by the wiring function. */
export interface RecorderDeps {
  knex: Knex;
  events: EventsStore;
  endpoints: EndpointsStore;
  outbox: OutboxStore;
  defaultCurrency: string;
  amountLimits: AmountLimits;
  /** Called after a commit that queued deliveries for a claim (not all handed off). */
  onQueued: () => void;
  /** Where a new lead's postbacks go at once, when this instance dispatches. */
  handoff?: DeliveryHandoff | undefined;
  /** Events of one type waiting for a batch at most; past it they are refused with an IngestOverloadedError. */
  maxQueued: number;
}

/** One event waiting for its batch: the host's id, the validated event and the hash of its canonical form. */
interface Pending<E> {
  id: string;
  hash: string;
  event: E;
}

/** What committing an event gave: its new record, or the one stored before under its id. */
interface Outcome<T> {
  stored: Stored<T>;
  replayed: boolean;
  queued: number;
}

/** Deliveries to queue for one event, with the lead whose endpoints it fires. */
interface ToQueue {
  lead: Lead;
  refs: { leadPk: string; commissionPk: string | null; adjustmentPk: string | null };
}

// Each batch is one transaction on one connection; a few at once keep the database busy while one commits.
const GROUP_COMMIT = { maxBatch: 200, maxConcurrent: 2 };
// Events of a failed batch tried alone at once: a few connections of the pool, leaving the rest to the dispatcher's claims.
const ALONE_CONCURRENCY = 4;
// Rows per INSERT into the outbox: knex writes a multi-row SQLite insert as a compound SELECT, capped at 500 terms.
const OUTBOX_CHUNK = 400;

export class EventRecorder {
  readonly #deps: RecorderDeps;
  readonly #leads: GroupCommit<Pending<{ lead: ValidLead; source: LeadSource }>, Outcome<Lead>>;
  readonly #commissions: GroupCommit<Pending<ValidCommission>, Outcome<Commission>>;
  readonly #adjustments: GroupCommit<Pending<ValidAdjustment>, Outcome<Adjustment>>;

  constructor(deps: RecorderDeps) {
    this.#deps = deps;
    const { events } = deps;
    this.#leads = this.#groupCommit(
      (db, ids) => events.findLeads(db, ids),
      (trx, now, fresh, slip) => this.#createLeads(trx, now, fresh, slip),
    );
    this.#commissions = this.#groupCommit(
      (db, ids) => events.findCommissions(db, ids),
      (trx, now, fresh) => this.#createCommissions(trx, now, fresh),
    );
    this.#adjustments = this.#groupCommit(
      (db, ids) => events.findAdjustments(db, ids),
      (trx, now, fresh) => this.#createAdjustments(trx, now, fresh),
    );
  }

  /** Records a lead and queues its `lead_created` postbacks. */
  async recordLead(input: unknown, source: LeadSource = 'api'): Promise<Recorded<Lead>> {
    const lead = check(leadSchema, input);
    return this.#record('lead', this.#leads, { id: lead.id, hash: payloadHash(lead), event: { lead, source } });
  }

  /** Records a commission on a known lead and queues its `commission_earned` postbacks. */
  async recordCommission(input: unknown): Promise<Recorded<Commission>> {
    const commission = check(commissionSchema, input);
    checkAmount(this.#deps.amountLimits, commission.amount, 'amount');
    return this.#record('commission', this.#commissions, { id: commission.id, hash: payloadHash(commission), event: commission });
  }

  /** Records an adjustment (a new amount or a delta) on a known commission and queues its `commission_adjusted` postbacks. */
  async adjustCommission(input: unknown): Promise<Recorded<Adjustment>> {
    const adjustment = check(adjustmentSchema, input);
    checkAmount(this.#deps.amountLimits, adjustment.amount, 'amount');
    checkAmount(this.#deps.amountLimits, adjustment.delta, 'delta');
    return this.#record('adjustment', this.#adjustments, { id: adjustment.id, hash: payloadHash(adjustment), event: adjustment });
  }

  // A repeat with the same body answers with the first record; with another body it is a conflict.
  async #record<E, T>(kind: string, group: GroupCommit<Pending<E>, Outcome<T>>, pending: Pending<E>): Promise<Recorded<T>> {
    const outcome = await group.submit(pending);
    if (!outcome.replayed) return { record: outcome.stored.value, replayed: false, deliveriesQueued: outcome.queued };
    if (outcome.stored.payloadHash !== pending.hash) throw new IdempotencyConflictError(kind, pending.id);
    return { record: outcome.stored.value, replayed: true, deliveriesQueued: 0 };
  }

  #groupCommit<E, T>(
    find: (db: Knex | Knex.Transaction, ids: readonly string[]) => Promise<Map<string, Stored<T>>>,
    create: (trx: Knex.Transaction, now: Date, fresh: Array<Pending<E>>, slip: HandoffSlip) => Promise<Array<Settled<Outcome<T>>>>,
  ): GroupCommit<Pending<E>, Outcome<T>> {
    return new GroupCommit((items: Array<Pending<E>>) => this.#commit(items, find, create), (pending) => pending.id, { ...GROUP_COMMIT, maxQueued: this.#deps.maxQueued });
  }

  /**
   * Commits a batch in one transaction: events whose id was seen before answer with the stored record, the
   * rest are created together. When the transaction fails, each event is tried alone, so one event's error
   * (or a copy racing it on another instance, settled by the UNIQUE index) is its own and not its batch's;
   * only a database that cannot be reached fails the whole batch at once.
   */
  async #commit<E, T>(
    items: Array<Pending<E>>,
    find: (db: Knex | Knex.Transaction, ids: readonly string[]) => Promise<Map<string, Stored<T>>>,
    create: (trx: Knex.Transaction, now: Date, fresh: Array<Pending<E>>, slip: HandoffSlip) => Promise<Array<Settled<Outcome<T>>>>,
  ): Promise<Array<Settled<Outcome<T>>>> {
    const { knex } = this.#deps;
    const existing = await find(knex, items.map((item) => item.id));
    const fresh = items.filter((item) => !existing.has(item.id));
    let created: Array<Settled<Outcome<T>>> = [];
    if (fresh.length > 0) {
      const slip = new HandoffSlip(this.#deps.handoff);
      try {
        // A batch can lose a deadlock to concurrent claims on MariaDB; nothing of it was applied, so it runs again.
        created = await retryOnDeadlock(() =>
          knex.transaction((trx) => {
            slip.cancel();
            return create(trx, new Date(), fresh, slip);
          }),
        );
        const handedOff = slip.settle();
        // Only postbacks left for a claim need the dispatcher to look; handed-off ones are on their way already.
        const queued = created.reduce((sum, outcome) => sum + (outcome.ok ? outcome.value.queued : 0), 0);
        if (queued > handedOff) this.#deps.onQueued();
      } catch (error) {
        slip.cancel();
        const [only] = fresh;
        if (only && fresh.length === 1) {
          const raced = isUniqueViolation(error) ? (await find(knex, [only.id])).get(only.id) : undefined;
          created = [raced ? { ok: true, value: { stored: raced, replayed: true, queued: 0 } } : { ok: false, error }];
        } else if (isStoreUnavailable(error)) {
          // No event of the batch could be stored alone either: each answers now instead of waiting out its own try.
          created = fresh.map(() => ({ ok: false, error }));
        } else {
          const alone = new PQueue({ concurrency: ALONE_CONCURRENCY });
          created = (await Promise.all(fresh.map((item) => alone.add(() => this.#commit([item], find, create))))).flat();
        }
      }
    }
    const byId = new Map(fresh.map((item, index) => [item.id, created[index]]));
    return items.map((item) => {
      const stored = existing.get(item.id);
      if (stored) return { ok: true, value: { stored, replayed: true, queued: 0 } };
      return byId.get(item.id) ?? { ok: false, error: new Error(`no outcome for event ${item.id}`) };
    });
  }

  async #createLeads(
    trx: Knex.Transaction,
    now: Date,
    fresh: Array<Pending<{ lead: ValidLead; source: LeadSource }>>,
    slip: HandoffSlip,
  ): Promise<Array<Settled<Outcome<Lead>>>> {
    const { leads: stored, sharedClicks } = await this.#deps.events.insertLeads(
      trx,
      fresh.map(({ hash, event: { lead, source } }) => ({
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
      })),
    );
    // A new lead's postbacks are first in line for their endpoints, so they may go to the dispatcher at once.
    const queued = await this.#queueEach(
      trx,
      now,
      'lead_created',
      stored.map((lead) => ({ lead: lead.value, refs: { leadPk: lead.pk, commissionPk: null, adjustmentPk: null } })),
      { slip, sharedClicks },
    );
    return stored.map((lead, index) => ({ ok: true, value: { stored: lead, replayed: false, queued: queued[index] ?? 0 } }));
  }

  async #createCommissions(trx: Knex.Transaction, now: Date, fresh: Array<Pending<ValidCommission>>): Promise<Array<Settled<Outcome<Commission>>>> {
    const { events } = this.#deps;
    const leads = await events.findLeads(trx, [...new Set(fresh.map((item) => item.event.leadId))]);
    const known = fresh.filter((item) => leads.has(item.event.leadId));
    const stored = await events.insertCommissions(
      trx,
      known.map(({ hash, event: commission }) => ({
        leadExternalId: commission.leadId,
        row: {
          external_id: commission.id,
          lead_pk: (leads.get(commission.leadId) as Stored<Lead>).pk,
          amount: commission.amount,
          current_amount: commission.amount,
          currency: commission.currency ?? this.#deps.defaultCurrency,
          payload_hash: hash,
          occurred_at: commission.occurredAt ?? now,
          recorded_at: now,
        },
      })),
    );
    const queued = await this.#queueEach(
      trx,
      now,
      'commission_earned',
      known.map((item, index) => {
        const lead = leads.get(item.event.leadId) as Stored<Lead>;
        return { lead: lead.value, refs: { leadPk: lead.pk, commissionPk: (stored[index] as Stored<Commission>).pk, adjustmentPk: null } };
      }),
    );
    const outcomes = new Map(known.map((item, index) => [item.id, { stored: stored[index] as Stored<Commission>, replayed: false, queued: queued[index] ?? 0 }]));
    return fresh.map((item) => {
      const outcome = outcomes.get(item.id);
      return outcome ? { ok: true, value: outcome } : { ok: false, error: new UnknownReferenceError('leadId', item.event.leadId) };
    });
  }

  // One after another in the batch's transaction: two adjustments of one commission each apply to the other's result.
  async #createAdjustments(trx: Knex.Transaction, now: Date, fresh: Array<Pending<ValidAdjustment>>): Promise<Array<Settled<Outcome<Adjustment>>>> {
    const settled: Array<Settled<Outcome<Adjustment>>> = [];
    for (const item of fresh) {
      try {
        settled.push({ ok: true, value: await this.#createAdjustment(trx, now, item) });
      } catch (error) {
        // Only refusals made before the adjustment wrote anything land here; a database error fails the batch.
        if (!(error instanceof UnknownReferenceError || error instanceof NegativeAmountError)) throw error;
        settled.push({ ok: false, error });
      }
    }
    return settled;
  }

  async #createAdjustment(trx: Knex.Transaction, now: Date, { hash, event: adjustment }: Pending<ValidAdjustment>): Promise<Outcome<Adjustment>> {
    const { events } = this.#deps;
    // Locked, so adjustments of one commission in concurrent batches apply one after the other.
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
    const [queued = 0] = await this.#queueEach(trx, now, 'commission_adjusted', [
      { lead: lead.value, refs: { leadPk: lead.pk, commissionPk: commission.pk, adjustmentPk: stored.pk } },
    ]);
    return { stored, replayed: false, queued };
  }

  /**
   * One endpoint query for the whole batch; returns how many postbacks each event queued. With a `handoff` slip
   * (new leads), as many as the dispatcher has room for are stored under its lease and handed to it once the batch
   * commits, except those of leads whose click already had another lead (`sharedClicks`).
   */
  async #queueEach(trx: Knex.Transaction, now: Date, event: EventName, items: readonly ToQueue[], handoff?: { slip: HandoffSlip; sharedClicks: ReadonlySet<string> }): Promise<number[]> {
    const slip = handoff?.slip;
    const firing = await this.#deps.endpoints.firingForEach(trx, items.map((item) => item.lead), event);
    const planned = items.flatMap((item, index) => (firing[index] ?? []).map((endpoint) => ({ endpoint, item })));
    // A lead whose click already has another lead is not first in line for its click, nor is its click's total 0:
    // it waits for a claim, which orders it and counts the click's total.
    const eligible = planned.filter(({ item }) => !handoff?.sharedClicks.has(item.lead.clickId));
    const leased = new Set(eligible.slice(0, slip?.reserve(eligible.length) ?? 0));
    const lease = slip?.lease(now);
    const deliveries = planned.map((entry) => ({
      endpointPk: entry.endpoint.id,
      event,
      clickId: entry.item.lead.clickId,
      ...entry.item.refs,
      ...(leased.has(entry) && lease ? { lease } : {}),
    }));
    const leasedPks: string[] = [];
    for (let start = 0; start < deliveries.length; start += OUTBOX_CHUNK) {
      leasedPks.push(...(await this.#deps.outbox.enqueue(trx, deliveries.slice(start, start + OUTBOX_CHUNK), now)));
    }
    const handedOff = [...leased];
    slip?.add(
      leasedPks.map((pk, index) => {
        const { endpoint, item } = handedOff[index] as (typeof planned)[number];
        // Nothing is queued before a new lead's first postback, so its click's running payout is 0.
        return { pk, leaseToken: lease?.token ?? '', event, attemptCount: 0, roundAttempts: 0, endpoint, lead: item.lead, commission: null, adjustment: null, clickNetPayout: '0' };
      }),
    );
    return firing.map((endpoints) => endpoints.length);
  }
}

// The validated event in canonical form (amounts normalised, keys in schema order), so "12.50" and "12.5" match.
function payloadHash(event: object): string {
  return createHash('sha256').update(JSON.stringify(event)).digest('hex');
}
