// Retention deletes old finished deliveries with their attempts, in small statements, and keeps everything else.

import { expect } from 'chai';
import type { Knex } from 'knex';
import { RetentionStore } from '../../lib/store/retention.js';
import { tableNames } from '../../lib/store/tables.js';
import type { TableNames } from '../../lib/store/tables.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { allAttempts } from '../helpers/attempts.js';
import { poll } from '../helpers/poll.js';

const DAY = 86_400_000;

interface Row {
  name: string;
  event: 'lead_created' | 'commission_earned';
  status: 'pending' | 'delivered' | 'skipped' | 'failed';
  ageDays: number;
  attempts: number;
  /** Whether the first attempt is on the delivery's row, as the relay writes it (default); false: all in the attempts table, as before migration 009. */
  firstOnRow?: boolean;
}

// Under the defaults (30 days delivered/skipped, 90 failed).
const ROWS: Row[] = [
  { name: 'old-delivered', event: 'lead_created', status: 'delivered', ageDays: 40, attempts: 2 },
  { name: 'old-skipped', event: 'lead_created', status: 'skipped', ageDays: 40, attempts: 0 },
  { name: 'recent-delivered', event: 'lead_created', status: 'delivered', ageDays: 10, attempts: 1 },
  { name: 'failed-within-window', event: 'lead_created', status: 'failed', ageDays: 40, attempts: 3 },
  { name: 'old-failed', event: 'lead_created', status: 'failed', ageDays: 100, attempts: 3, firstOnRow: false },
  { name: 'old-pending', event: 'lead_created', status: 'pending', ageDays: 100, attempts: 2 },
  { name: 'old-commission', event: 'commission_earned', status: 'delivered', ageDays: 40, attempts: 1 },
];
const PRUNED = ['old-delivered', 'old-skipped', 'old-failed'];

/** Writes one lead per row with its delivery (finished `ageDays` ago) and attempts; returns delivery pks by name. */
async function seed(knex: Knex, t: TableNames, endpointPk: string, rows: readonly Row[], now: number): Promise<Map<string, string>> {
  const pks = new Map<string, string>();
  for (const row of rows) {
    const at = new Date(now - row.ageDays * DAY);
    const [leadPk] = (await knex(t.leads).insert({ external_id: row.name, click_id: 'c', affiliate_id: 'aff-1', source: 'api', payload_hash: 'h', occurred_at: at, recorded_at: at })).map(pkOf);
    let commissionPk: string | undefined;
    if (row.event === 'commission_earned') {
      [commissionPk] = (await knex(t.commissions).insert({ external_id: `${row.name}-c`, lead_pk: leadPk, amount: '10', current_amount: '10', currency: 'USD', payload_hash: 'h', occurred_at: at, recorded_at: at })).map(pkOf);
    }
    const attemptAt = (i: number) => new Date(at.getTime() - (row.attempts - i) * 60_000);
    const onRow = row.attempts > 0 && row.firstOnRow !== false;
    const first = onRow ? { first_attempted_at: attemptAt(0), first_request_method: 'GET', first_request_url: 'http://127.0.0.1:9/pb', first_status_code: 200, first_latency_ms: 5 } : {};
    const [deliveryPk] = (await knex(t.deliveries).insert({
      endpoint_pk: endpointPk, event: row.event, lead_pk: leadPk, commission_pk: commissionPk ?? null, dedupe_key: row.name, status: row.status,
      attempt_count: row.attempts, next_attempt_at: at, created_at: at, updated_at: at, delivered_at: row.status === 'delivered' ? at : null, ...first,
    })).map(pkOf);
    for (let i = onRow ? 1 : 0; i < row.attempts; i++) {
      await knex(t.attempts).insert({ delivery_pk: deliveryPk, attempted_at: attemptAt(i), request_method: 'GET', request_url: 'http://127.0.0.1:9/pb', status_code: 200, latency_ms: 5 });
    }
    pks.set(row.name, String(deliveryPk));
  }
  return pks;
}

// knex returns inserted keys as numbers or `{ pk }` objects depending on the driver.
function pkOf(value: unknown): string {
  return String(typeof value === 'object' && value !== null ? (value as { pk: unknown }).pk : value);
}

describeEachDatabase('retention', (target) => {
  let fx: RelayFixture;
  let t: TableNames;
  let endpointPk: string;

  async function remaining(pks: Map<string, string>) {
    const deliveries = new Set(((await fx.relay.knex(t.deliveries).pluck('pk')) as unknown[]).map(String));
    const attempts = new Map<string, number>();
    const { knex } = fx.relay;
    for (const pk of (await knex.from(allAttempts(knex, t)).pluck('delivery_pk')) as unknown[]) attempts.set(String(pk), (attempts.get(String(pk)) ?? 0) + 1);
    return Object.fromEntries([...pks].map(([name, pk]) => [name, { kept: deliveries.has(pk), attempts: attempts.get(pk) ?? 0 }]));
  }

  afterEach(async () => {
    await fx.close();
  });

  async function setUp(relay: Parameters<typeof startRelay>[1]) {
    fx = await startRelay(target, relay);
    t = tableNames(fx.prefix);
    endpointPk = (await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb' } })).id;
  }

  it('deletes old finished lead postbacks with their attempts; keeps recent, pending and still-replayable failed ones, and commission rows (their attempts go)', async () => {
    await setUp({ start: false });
    const now = Date.now();
    const pks = await seed(fx.relay.knex, t, endpointPk, ROWS, now);
    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => statements.push(query.sql);
    fx.relay.knex.on('query', onQuery);
    // A batch of 2 rows a statement: the 2 + 3 old attempts and the 2 old lead postbacks take several statements.
    const pruned = await new RetentionStore(fx.relay.knex, t).prune({ deliveredDays: 30, failedDays: 90 }, new Date(now), { batchSize: 2 });
    fx.relay.knex.off('query', onQuery);
    expect(pruned).to.deep.equal({ deliveries: 3, attempts: 2 + 3 + 1 });
    const deletes = statements.filter((sql) => /^delete/i.test(sql));
    expect(deletes.length).to.be.at.least(5);
    // The first attempts on the pruned and the kept rows were cleared from them, a batch at a time.
    expect(statements.filter((sql) => new RegExp(`^update [\`"]?${t.deliveries}[\`"]? set .*first_attempted_at`, 'i').test(sql)).length).to.be.at.least(1);
    expect(await remaining(pks)).to.deep.equal({
      'old-delivered': { kept: false, attempts: 0 },
      'old-skipped': { kept: false, attempts: 0 },
      'recent-delivered': { kept: true, attempts: 1 },
      'failed-within-window': { kept: true, attempts: 3 },
      'old-failed': { kept: false, attempts: 0 },
      'old-pending': { kept: true, attempts: 2 },
      'old-commission': { kept: true, attempts: 0 },
    });
    // The host's books are kept whole.
    expect(await count(t.leads)).to.equal(ROWS.length);
    expect(await count(t.commissions)).to.equal(1);
  });

  it('keeps everything with both windows at 0 (forever)', async () => {
    await setUp({ start: false, relay: { retention: { deliveredDays: 0, failedDays: null } } });
    const pks = await seed(fx.relay.knex, t, endpointPk, ROWS, Date.now());
    const store = new RetentionStore(fx.relay.knex, t);
    expect(await store.prune({ deliveredDays: null, failedDays: null }, new Date())).to.deep.equal({ deliveries: 0, attempts: 0 });
    expect(Object.values(await remaining(pks)).every((row) => row.kept)).to.equal(true);
  });

  it('prunes on its own once the relay is started, and counts the rows in retention_pruned_rows_total', async () => {
    await setUp({ start: false, relay: { retention: { intervalMs: 50 }, dispatch: { enabled: false } } });
    const pks = await seed(fx.relay.knex, t, endpointPk, ROWS, Date.now());
    await fx.relay.start();
    const pruned = async () => {
      const metric = await fx.relay.metrics.getSingleMetric('postback_relay_retention_pruned_rows_total')?.get();
      return Object.fromEntries((metric?.values ?? []).map((value) => [String(value.labels.table), value.value]));
    };
    await poll(pruned, (counts) => counts.deliveries === PRUNED.length, 'the old deliveries pruned', 15_000);
    expect(await pruned()).to.deep.equal({ deliveries: 3, attempts: 6 });
    const left = await remaining(pks);
    expect(Object.keys(left).filter((name) => !(left[name]?.kept ?? false))).to.deep.equal(PRUNED);
  });

  async function count(table: string): Promise<number> {
    const [row] = await fx.relay.knex(table).count<Array<{ n: number | string }>>({ n: '*' });
    return Number(row?.n);
  }
});
