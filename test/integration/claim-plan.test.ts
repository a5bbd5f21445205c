// The claim reads the due index in its own order: no sort of every pending row, and no plan driven from the endpoints table
// (the endpoint, lead, commission and adjustment of each row are read by primary key, in the same query).

import { expect } from 'chai';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { isMySql } from '../../lib/store/database.js';
import { OutboxStore } from '../../lib/store/outbox-store.js';
import { tableNames } from '../../lib/store/tables.js';

const ROWS = 3_000;

describeEachDatabase('claim query plan', (target) => {
  let fx: RelayFixture;
  afterEach(async () => {
    await fx.close();
  });

  it('claims through the due index without a sort or a temporary table, with a large backlog half sent and a full queue held', async function () {
    this.timeout(60_000);
    fx = await startRelay(target, { start: false });
    const { knex } = fx.relay;
    const t = tableNames(fx.prefix);
    const endpoint = await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb?txid={transaction_id}' } });
    await fx.relay.endpoints.create({ affiliateId: 'aff-2', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb' }, enabled: false });
    // Rows written directly, many at a time: a backlog of this size recorded event by event would take a while.
    const now = new Date(Date.now() - 1_000);
    for (let start = 0; start < ROWS; start += 100) {
      const leads = Array.from({ length: 100 }, (_, i) => ({
        external_id: `L-${start + i}`, click_id: 'c', affiliate_id: 'aff-1', source: 'api', payload_hash: 'h', occurred_at: now, recorded_at: now,
      }));
      await knex(t.leads).insert(leads);
      const pks = (await knex(t.leads).whereIn('external_id', leads.map((lead) => lead.external_id)).pluck('pk')) as Array<string | number>;
      await knex(t.deliveries).insert(pks.map((pk, i) => ({
        endpoint_pk: endpoint.id, event: 'lead_created', lead_pk: pk, dedupe_key: `${endpoint.id}:lead_created:${pk}`,
        status: start + i < ROWS / 2 ? 'delivered' : 'pending', attempt_count: 0, next_attempt_at: now, created_at: now, updated_at: now,
      })));
    }
    await knex.raw(isMySql(knex) ? `analyze table ${t.deliveries}` : 'analyze');

    const queries: Array<{ sql: string; bindings: readonly unknown[] }> = [];
    const onQuery = (query: { sql: string; bindings?: readonly unknown[] }) => queries.push({ sql: query.sql, bindings: query.bindings ?? [] });
    knex.on('query', onQuery);
    // An instance holding a full queue's worth already: the claim passes over those rows, still on the due index.
    const held = new Set(((await knex(t.deliveries).where('status', 'pending').orderBy('pk').limit(216).pluck('pk')) as Array<string | number>).map(String));
    const claimed = await new OutboxStore(knex, t).claim(100, { until: new Date(Date.now() + 60_000), token: 'plan' }, new Date(), { deliveries: held });
    knex.off('query', onQuery);
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
});
