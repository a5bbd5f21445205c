// Benchmark: what the click-net-payout query adds to claiming a batch. Prints figures; asserts nothing.
// Run: npx tsx test/bench/click-totals.ts [mysql://root@127.0.0.1:3306/test]

import { createPostbackRelay } from '../../lib/relay.js';
import { openDatabase } from '../../lib/store/database.js';
import { migrateRollbackAll } from '../../lib/store/migrations/index.js';
import { clickNetPayouts } from '../../lib/store/click-totals.js';
import { tableNames } from '../../lib/store/tables.js';
import type { DeliveryRow } from '../../lib/store/tables.js';

const url = process.argv[2] ?? ':memory:';
const LEADS = 500;
const COMMISSIONS_PER_LEAD = 4;
const BATCH = 100;
const ROUNDS = 30;

const prefix = `bench${Date.now().toString(36)}`;
const knex = openDatabase(url);
const relay = createPostbackRelay({ database: knex, tablePrefix: prefix, apiKeys: ['bench-key-0123456789'] });
await relay.migrate();
await relay.endpoints.create({ affiliateId: 'aff', plugin: 'binom', settings: { baseUrl: 'http://127.0.0.1:9' } });
for (let l = 0; l < LEADS; l++) {
  await relay.recordLead({ id: `L${l}`, clickId: `c${l}`, affiliateId: 'aff' });
  for (let c = 0; c < COMMISSIONS_PER_LEAD; c++) await relay.recordCommission({ id: `C${l}-${c}`, leadId: `L${l}`, amount: '1.25' });
}
const t = tableNames(prefix);
const total = await knex(t.deliveries).count<{ n: number }[]>({ n: '*' });
const times: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // A batch spread over the table, as a claim of due work after a backlog would be.
  const rows = await knex<DeliveryRow>(t.deliveries).orderBy('pk').offset((round * 37) % 2000).limit(BATCH);
  const started = performance.now();
  await clickNetPayouts(knex, t, rows);
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({
  database: url.startsWith('mysql') ? 'mysql' : 'sqlite',
  deliveriesInTable: Number(total[0]?.n),
  batch: BATCH,
  rounds: ROUNDS,
  medianMs: Number((times[Math.floor(ROUNDS / 2)] ?? 0).toFixed(2)),
  p90Ms: Number((times[Math.floor(ROUNDS * 0.9)] ?? 0).toFixed(2)),
}));
await relay.stop();
await migrateRollbackAll(knex, prefix);
await knex.destroy();
