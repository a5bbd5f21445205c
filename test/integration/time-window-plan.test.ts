// Every time-window query of the API, the dashboard and retention reads an index, never the whole table (MariaDB).

import { expect } from 'chai';
import type { Knex } from 'knex';
import { DeliveryActivityStore } from '../../lib/store/delivery-activity.js';
import { RetentionStore } from '../../lib/store/retention.js';
import { tableNames } from '../../lib/store/tables.js';
import { mysqlTarget, requireMySql } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ROWS = 3_000;

// Most rows a few days old, a few in the last hour, a few past the retention windows: the shape of a live outbox.
function ageOf(i: number): number {
  if (i % 60 === 0) return 40 * DAY + (i % 10) * DAY;
  if (i % 60 === 1) return (i % 50) * 60_000;
  return DAY + (i % 20) * DAY;
}

describe('time-window query plans [MariaDB/MySQL]', function () {
  this.timeout(120_000);
  let fx: RelayFixture;

  before(requireMySql('time-window query plans [MariaDB/MySQL]'));
  afterEach(async () => {
    await fx.close();
  });

  it('reads through an index, with no full scan, for the overview, the delivery list and retention', async () => {
    fx = await startRelay(mysqlTarget, { start: false });
    const { knex } = fx.relay;
    const t = tableNames(fx.prefix);
    const endpoint = await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb' } });
    const now = Date.now();
    // Rows written directly, many at a time: recording this backlog event by event would take a while.
    for (let start = 0; start < ROWS; start += 250) {
      const leads = Array.from({ length: 250 }, (_, i) => ({ external_id: `L-${start + i}`, click_id: 'c', affiliate_id: 'aff-1', source: 'api', payload_hash: 'h', occurred_at: new Date(now), recorded_at: new Date(now) }));
      await knex(t.leads).insert(leads);
      const pks = (await knex(t.leads).whereIn('external_id', leads.map((lead) => lead.external_id)).orderBy('pk').pluck('pk')) as Array<string | number>;
      // Half of them with their one attempt on their own row, as the relay writes a first attempt; half in the attempts table.
      await knex(t.deliveries).insert(pks.map((pk, i) => {
        const at = new Date(now - ageOf(start + i));
        const first = i % 2 === 0 ? { first_attempted_at: at, first_request_method: 'GET', first_request_url: 'http://127.0.0.1:9/pb', first_status_code: 200, first_latency_ms: 5 } : {};
        return { endpoint_pk: endpoint.id, event: 'lead_created', lead_pk: pk, dedupe_key: `d-${String(pk)}`, status: 'delivered', attempt_count: 1, next_attempt_at: at, created_at: at, updated_at: at, ...first };
      }));
      const deliveries = await knex(t.deliveries).whereIn('lead_pk', pks).whereNull('first_attempted_at').select<Array<{ pk: number; created_at: Date }>>('pk', 'created_at');
      await knex(t.attempts).insert(deliveries.map((row) => ({ delivery_pk: row.pk, attempted_at: row.created_at, request_method: 'GET', request_url: 'http://127.0.0.1:9/pb', status_code: 200, latency_ms: 5 })));
    }
    await knex.raw(`analyze table ${t.deliveries}, ${t.attempts}`);

    const queries: Array<{ sql: string; bindings: readonly unknown[] }> = [];
    const onQuery = (query: { sql: string; bindings?: readonly unknown[] }) => queries.push({ sql: query.sql, bindings: query.bindings ?? [] });
    const captured = async (run: () => Promise<unknown>) => {
      queries.length = 0;
      knex.on('query', onQuery);
      try {
        await run();
      } finally {
        knex.off('query', onQuery);
      }
      return queries.filter((query) => /^select/i.test(query.sql));
    };
    const explain = async (query: { sql: string; bindings: readonly unknown[] }) => {
      const [plan = []] = await knex.raw<[Array<{ table: string; type: string; key: string | null }>]>(`explain ${query.sql}`, query.bindings as Knex.RawBinding[]);
      return plan;
    };
    const activity = new DeliveryActivityStore(knex, t);
    const hourAgo = new Date(now - HOUR);
    const cases: Array<{ name: string; run: () => Promise<unknown>; indexes?: string[] }> = [
      { name: 'overview counts since an hour ago', run: () => activity.countsSince(hourAgo), indexes: [`${t.deliveries}_created_ix`] },
      { name: 'overview attempts per minute', run: () => activity.attemptsPerMinute(hourAgo, new Date(now)), indexes: [`${t.deliveries}_first_attempted_ix`, `${t.attempts}_attempted_ix`] },
      { name: 'delivery list since/until', run: () => fx.relay.deliveries.list({ since: hourAgo, until: new Date(now) }), indexes: [`${t.deliveries}_created_ix`] },
      // Windows of 30 and 90 days, asked about 60 days from now, so that every statement finds rows to delete.
      { name: 'retention', run: () => new RetentionStore(knex, t).prune({ deliveredDays: 30, failedDays: 90 }, new Date(now + 60 * DAY), { batchSize: 100 }) },
    ];
    for (const { name, run, indexes = [] } of cases) {
      const selects = await captured(run);
      expect(selects, name).to.not.have.length(0);
      for (const [i, query] of selects.entries()) {
        const plan = await explain(query);
        const where = `${name}: ${query.sql}\n${JSON.stringify(plan)}`;
        expect(plan.filter((row) => row.type === 'ALL' || row.key === null), where).to.deep.equal([]);
        const index = indexes[i];
        if (index !== undefined) expect(plan.map((row) => row.key), where).to.include(index);
      }
    }
  });
});
