// Chaos 6: ingest past the queue bound while the database stalls: 503s with Retry-After, flat memory, no partial rows.

import { expect } from 'chai';
import { tableNames } from '../../lib/store/tables.js';
import { CHAOS_API_KEY, rssMb, startCluster, startProxiedDatabase, useChaosSuite } from './cluster.js';
import { poll } from '../helpers/poll.js';

const MAX_QUEUED = 50;
const ROUNDS = 4;
const PER_ROUND = 400;
// While the database stalls, two batches wait on it (one event each: nothing queued when they began) and
// MAX_QUEUED events behind them; every other request is refused at once.
const TAKEN_WHILE_STALLED = 2 + MAX_QUEUED;
// Generous: a leak of what 1,200 refused requests carry would show; the heap settling would not.
const RSS_GROWTH_MB = 64;

describe('chaos: ingest past the queue bound', function () {
  this.timeout(150_000);
  const closeAfter = useChaosSuite();

  it('refuses past the bound with 503 and Retry-After, stores nothing of what it refused, delivers what it took, and keeps its memory flat', async () => {
    const { proxy: db, url } = await startProxiedDatabase();
    const cluster = closeAfter(await startCluster('ingest past the queue bound', { concurrency: 16, batchSize: 100, requestTimeoutMs: 1_000 }, { proxy: db }));
    const server = await cluster.startInstance({ databaseUrl: url, env: { POSTBACK_RELAY_INGEST_MAX_QUEUED: String(MAX_QUEUED) } });
    const send = async (id: string) => {
      const res = await fetch(`${server.url}/events/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CHAOS_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id, clickId: `c-${id}`, affiliateId: 'aff-1' }),
      });
      const body = (await res.json()) as { error?: { code: string } };
      return { id, status: res.status, retryAfter: res.headers.get('retry-after'), code: body.error?.code };
    };
    let rssBefore = 0;
    const refused: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // The first round warms the process up (JIT, sockets, heap) to the size this load needs: sampled after it.
      if (round === 1) rssBefore = rssMb(server);
      db.stall();
      const answers: Array<Awaited<ReturnType<typeof send>>> = [];
      const all = Array.from({ length: PER_ROUND }, (_, i) => send(`r${round}-${i}`).then((answer) => answers.push(answer)));
      await poll(() => answers.length, (n) => n >= PER_ROUND - TAKEN_WHILE_STALLED, 'the refusals while stalled', 60_000);
      db.restore();
      await Promise.all(all);
      for (const answer of answers) {
        if (answer.status === 201) {
          cluster.ledger.acknowledge(answer.id);
          continue;
        }
        expect(answer, JSON.stringify(answer)).to.deep.include({ status: 503, retryAfter: '1', code: 'ERR_PB_INGEST_OVERLOADED' });
        refused.push(answer.id);
      }
    }
    const rssAfter = rssMb(server);
    expect(refused).to.have.length(ROUNDS * (PER_ROUND - TAKEN_WHILE_STALLED));
    expect(rssAfter - rssBefore, `RSS ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MB`).to.be.below(RSS_GROWTH_MB);
    // No partial rows: nothing of a refused event was stored, neither the lead nor a delivery.
    const t = tableNames(cluster.fx.prefix);
    const stored = await cluster.fx.relay.knex(t.leads).whereIn('external_id', refused).count<Array<{ n: number | string }>>({ n: '*' });
    expect(Number(stored[0]?.n)).to.equal(0);
    await cluster.ledger.check({
      timeoutMs: 60_000,
      extra: { sent: ROUNDS * PER_ROUND, refused: refused.length, rssBeforeMb: Math.round(rssBefore), rssAfterMb: Math.round(rssAfter) },
    });
  });
});
