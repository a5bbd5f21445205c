// Per-postback accounting shared by every chaos scenario: requests that reached the tracker against attempts recorded.

import { appendFileSync, mkdirSync } from 'node:fs';
import { expect } from 'chai';
import { tableNames } from '../../lib/store/tables.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';
import { allAttempts } from '../helpers/attempts.js';
import { poll } from '../helpers/poll.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

/** One postback as the tracker and the database saw it. */
export interface PostbackTally {
  /** Its transaction ID (`lead-<lead id>`), what the tracker counts by. */
  key: string;
  status: string;
  leased: boolean;
  /** Requests that reached the tracker. */
  requests: number;
  /** Attempts recorded as failed after they may have reached the tracker (`ambiguous` or `rejected`): each allows one more request. */
  failedAttempts: number;
}

/** The line each scenario prints and appends to test-artifacts/chaos.jsonl. */
export interface Figures {
  scenario: string;
  postbacks: number;
  requests: number;
  /** Requests past the first, per postback. */
  repeats: number;
  /** Repeats allowed by an earlier attempt recorded as failed or ambiguous. */
  afterFailedAttempt: number;
  /** Repeats no recorded attempt explains: allowed only after an instance was killed, within the bound. */
  afterKill: number;
  /** From the first acknowledged event to nothing pending or leased. */
  drainMs: number;
  /** Failed attempts recorded, by failure kind. */
  failedAttempts: Record<string, number>;
  [extra: string]: unknown;
}

export class Ledger {
  readonly #scenario: string;
  readonly #fx: RelayFixture;
  readonly #tracker: TestTracker;
  readonly #acknowledged = new Set<string>();
  #startedAt: number | undefined;

  constructor(scenario: string, fx: RelayFixture, tracker: TestTracker) {
    this.#scenario = scenario;
    this.#fx = fx;
    this.#tracker = tracker;
  }

  /** An event the relay answered with success: each of its postbacks must reach the tracker. */
  acknowledge(leadId: string): void {
    this.#startedAt ??= Date.now();
    this.#acknowledged.add(leadId);
  }

  get acknowledged(): ReadonlySet<string> {
    return this.#acknowledged;
  }

  /** Polls the outbox until every delivery is finished and none is leased; throws with what is left after `timeoutMs`. */
  async waitDrained(timeoutMs: number): Promise<number> {
    const openRows = async () => (await this.tally()).filter((row) => row.status === 'pending' || row.leased);
    await poll(openRows, (open) => open.length === 0, `${this.#scenario}: every delivery closed`, timeoutMs);
    return Date.now() - (this.#startedAt ?? Date.now());
  }

  /** Every delivery with its requests at the tracker and its failed attempts in the database. */
  async tally(): Promise<PostbackTally[]> {
    const t = tableNames(this.#fx.prefix);
    const { knex } = this.#fx.relay;
    const rows = await knex(t.deliveries)
      .join(t.leads, `${t.leads}.pk`, `${t.deliveries}.lead_pk`)
      .select<Array<{ pk: number | string; external_id: string; status: string; locked_until: unknown }>>(`${t.deliveries}.pk`, `${t.leads}.external_id`, `${t.deliveries}.status`, `${t.deliveries}.locked_until`);
    // An attempt that never reached the tracker (`unreached`) explains no request there.
    const failedPks: unknown[] = await knex.from(allAttempts(knex, t)).whereIn('failure_kind', ['ambiguous', 'rejected']).pluck('delivery_pk');
    const failed = new Map<string, number>();
    for (const pk of failedPks.map(String)) failed.set(pk, (failed.get(pk) ?? 0) + 1);
    const requests = new Map<string, number>();
    for (const received of this.#tracker.received) {
      const key = received.query.txid ?? '';
      requests.set(key, (requests.get(key) ?? 0) + 1);
    }
    return rows.map((row) => {
      const key = `lead-${row.external_id}`;
      return { key, status: row.status, leased: row.locked_until !== null, requests: requests.get(key) ?? 0, failedAttempts: failed.get(String(row.pk)) ?? 0 };
    });
  }

  /**
   * Waits for the outbox to drain, then asserts the promise of the README for every acknowledged event: its
   * postback delivered and recorded; on the wire again only after an attempt recorded as failed, or, after
   * `kills` instances were killed, within `killBound` unexplained repeats per kill. Prints and saves the figures.
   */
  async check(options: { timeoutMs: number; kills?: number; killBound?: number; extra?: Record<string, unknown> }): Promise<Figures> {
    const drainMs = await this.waitDrained(options.timeoutMs);
    const tally = await this.tally();
    const byKey = new Map(tally.map((row) => [row.key, row]));
    const missing = [...this.#acknowledged].filter((id) => byKey.get(`lead-${id}`)?.status !== 'delivered' || (byKey.get(`lead-${id}`)?.requests ?? 0) === 0);
    expect(missing, `${this.#scenario}: acknowledged but not delivered`).to.deep.equal([]);
    let repeats = 0;
    let afterFailedAttempt = 0;
    let afterKill = 0;
    for (const row of tally) {
      const extra = Math.max(0, row.requests - 1);
      const explained = Math.min(extra, row.failedAttempts);
      repeats += extra;
      afterFailedAttempt += explained;
      afterKill += extra - explained;
    }
    const t = tableNames(this.#fx.prefix);
    const kinds = await this.#fx.relay.knex.from(allAttempts(this.#fx.relay.knex, t)).whereNotNull('failure_kind').groupBy('failure_kind').select<Array<{ failure_kind: string; n: number | string }>>('failure_kind', this.#fx.relay.knex.raw('count(*) as n'));
    const figures: Figures = {
      scenario: this.#scenario,
      postbacks: tally.length,
      requests: this.#tracker.received.length,
      repeats,
      afterFailedAttempt,
      afterKill,
      drainMs,
      failedAttempts: Object.fromEntries(kinds.map((row) => [row.failure_kind, Number(row.n)])),
      ...options.extra,
    };
    console.log(`      chaos ${JSON.stringify(figures)}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    appendFileSync(new URL('chaos.jsonl', ARTIFACTS), `${JSON.stringify({ at: new Date().toISOString(), ...figures })}\n`);
    const unexplained = tally.filter((row) => row.requests - 1 > row.failedAttempts);
    expect(afterKill, `${this.#scenario}: repeats without a recorded failed attempt: ${JSON.stringify(unexplained.slice(0, 10))}`).to.be.at.most((options.kills ?? 0) * (options.killBound ?? 0));
    // Requests for postbacks nobody queued would mean the tracker counted something the relay never had.
    expect(this.#tracker.received.filter((received) => !byKey.has(received.query.txid ?? ''))).to.deep.equal([]);
    return figures;
  }
}
