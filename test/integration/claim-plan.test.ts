// The claim reads the due index in its own order: no sort of every pending row, and no plan driven from the endpoints table
// (the endpoint, lead, commission and adjustment of each row are read by primary key, in the same query).

import { expect } from 'chai';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { isMySql } from '../../lib/store/database.js';
import { OutboxStore } from '../../lib/store/outbox-store.js';
import type { ClaimedDelivery } from '../../lib/store/outbox-store.js';
import { tableNames } from '../../lib/store/tables.js';
import type { TableNames } from '../../lib/store/tables.js';

const ROWS = 3_000;

// Deliveries written directly (with no click of their own unless given), many at a time: a backlog of this size recorded event by event would take a while.
async function writeBacklog(
  knex: Knex, t: TableNames, endpointPk: string, rows: (i: number) => { click?: string; status: string; lockedUntil?: Date }, options: { analyze: boolean },
): Promise<void> {
  const now = new Date(Date.now() - 1_000);
  for (let start = 0; start < ROWS; start += 100) {
    const leads = Array.from({ length: 100 }, (_, i) => ({
      external_id: `L-${start + i}`, click_id: rows(start + i).click ?? 'c', affiliate_id: 'aff-1', source: 'api', payload_hash: 'h', occurred_at: now, recorded_at: now,
    }));
    await knex(t.leads).insert(leads);
    const pks = (await knex(t.leads).whereIn('external_id', leads.map((lead) => lead.external_id)).pluck('pk')) as Array<string | number>;
    await knex(t.deliveries).insert(pks.map((pk, i) => {
      const row = rows(start + i);
      return {
        endpoint_pk: endpointPk, event: 'lead_created', lead_pk: pk, click_id: row.click ?? null, dedupe_key: `${endpointPk}:lead_created:${pk}`,
        status: row.status, attempt_count: 0, next_attempt_at: now, locked_until: row.lockedUntil ?? null, created_at: now, updated_at: now,
      };
    }));
  }
  if (options.analyze) await knex.raw(isMySql(knex) ? `analyze table ${t.deliveries}` : 'analyze');
}

// The statements `run` sends, with their bindings, to explain afterwards.
async function capture(knex: Knex, run: () => Promise<unknown>): Promise<Array<{ sql: string; bindings: readonly unknown[] }>> {
  const queries: Array<{ sql: string; bindings: readonly unknown[] }> = [];
  const onQuery = (query: { sql: string; bindings?: readonly unknown[] }) => queries.push({ sql: query.sql, bindings: query.bindings ?? [] });
  knex.on('query', onQuery);
  try {
    await run();
  } finally {
    knex.off('query', onQuery);
  }
  return queries;
}

describeEachDatabase('claim query plan', (target) => {
  let fx: RelayFixture;
  let knex: Knex;
  let t: TableNames;
  let endpointId: string;
  // A relay that does not send, and one endpoint for the backlog.
  beforeEach(async function () {
    this.timeout(60_000);
    fx = await startRelay(target, { start: false });
    knex = fx.relay.knex;
    t = tableNames(fx.prefix);
    endpointId = (await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb?txid={transaction_id}' } })).id;
  });
  afterEach(async () => {
    await fx.close();
  });

  it('claims through the due index without a sort or a temporary table, with a large backlog half sent and a full queue held', async function () {
    this.timeout(60_000);
    await fx.relay.endpoints.create({ affiliateId: 'aff-2', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb' }, enabled: false });
    await writeBacklog(knex, t, endpointId, (i) => ({ status: i < ROWS / 2 ? 'delivered' : 'pending' }), { analyze: true });

    // An instance holding a full queue's worth already: the claim passes over those rows, still on the due index.
    const held = new Set(((await knex(t.deliveries).where('status', 'pending').orderBy('pk').limit(216).pluck('pk')) as Array<string | number>).map(String));
    let claimed: ClaimedDelivery[] = [];
    const queries = await capture(knex, async () => {
      claimed = await new OutboxStore(knex, t).claim(100, { until: new Date(Date.now() + 60_000), token: 'plan' }, new Date(), { deliveries: held });
    });
    expect(claimed).to.have.length(100);
    expect(claimed.filter((delivery) => held.has(delivery.pk))).to.deep.equal([]);
    const candidates = queries.find((query) => /not exists/i.test(query.sql) && /^select/i.test(query.sql));
    if (!candidates) throw new Error('no candidate query was run');

    if (isMySql(knex)) {
      const [plan = []] = await knex.raw<[Array<{ table: string; key: string | null; Extra: string | null }>]>(`explain ${candidates.sql}`, candidates.bindings as Knex.RawBinding[]);
      expect(plan.find((row) => row.table === t.deliveries)?.key).to.equal(`${t.deliveries}_due_ix`);
      expect(plan.map((row) => row.Extra ?? '').join(' ')).to.not.match(/filesort|temporary/i);
      // The deliveries drive the plan; every other table of the claim is read by its primary key.
      expect(plan[0]?.table).to.equal(t.deliveries);
      for (const table of [t.endpoints, t.leads, t.commissions, t.adjustments]) expect(plan.find((row) => row.table === table)?.key, table).to.equal('PRIMARY');
    } else {
      const plan = await knex.raw<Array<{ detail: string }>>(`explain query plan ${candidates.sql}`, candidates.bindings as Knex.RawBinding[]);
      const details = plan.map((row) => row.detail).join('\n');
      expect(details).to.include(`USING INDEX ${t.deliveries}_due_ix`);
      expect(details).to.not.match(/TEMP B-TREE/i);
    }
  });

  it('reads the earlier deliveries of a click by the click index, so a backlog held by other instances costs one index row each', async function () {
    this.timeout(60_000);
    // One endpoint, a click each, all but the last ten leased by another instance: the shape of a burst shared by two.
    // The statistics are left as the burst left them: MariaDB read them as cause to look up by endpoint.
    const leased = new Date(Date.now() + 600_000);
    await writeBacklog(knex, t, endpointId, (i) => ({ click: `c-${i}`, status: 'pending', ...(i < ROWS - 10 ? { lockedUntil: leased } : {}) }), { analyze: false });
    const outbox = new OutboxStore(knex, t);
    let claimed: ClaimedDelivery[] = [];
    const queries = await capture(knex, async () => {
      expect(await outbox.nextDueAt()).to.be.instanceOf(Date);
      claimed = await outbox.claim(100, { until: new Date(Date.now() + 60_000), token: 'plan' }, new Date(), { deliveries: new Set() });
    });
    expect(claimed).to.have.length(10);
    const lookups = queries.filter((query) => /not exists/i.test(query.sql) && /^select/i.test(query.sql));
    expect(lookups).to.have.length(2);
    for (const query of lookups) {
      if (isMySql(knex)) {
        // ANALYZE runs the statement: it shows the index the executor used, which EXPLAIN (the plan beforehand) did not.
        const [[row = {}] = []] = await knex.raw<[Array<Record<string, string>>]>(`analyze format=json ${query.sql}`, query.bindings as Knex.RawBinding[]);
        const analysis = Object.values(row)[0] ?? '';
        const subqueryKeys = [...analysis.matchAll(/"table_name": "(?:earlier|money)",[^}]*?"key": "([^"]+)"/g)].map((match) => match[1]);
        expect(subqueryKeys.length, analysis).to.be.at.least(1);
        expect(new Set(subqueryKeys), analysis).to.deep.equal(new Set([`${t.deliveries}_click_endpoint_ix`]));
        // Pages read in all: a few per row of the backlog, where a look through the endpoint's index read millions.
        const pages = [...analysis.matchAll(/"pages_accessed": (\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
        expect(pages, analysis).to.be.below(ROWS * 5);
      } else {
        const plan = await knex.raw<Array<{ detail: string }>>(`explain query plan ${query.sql}`, query.bindings as Knex.RawBinding[]);
        const details = plan.map((row) => row.detail).join('\n');
        expect(details).to.match(new RegExp(`SEARCH earlier USING COVERING INDEX ${t.deliveries}_click_endpoint_ix`));
      }
    }
  });
});
