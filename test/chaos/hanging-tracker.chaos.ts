// Chaos 2: a tracker that hangs (accepts requests, never answers) for a while, then recovers.

import { startCluster, useChaosSuite } from './cluster.js';

const HANG_MS = 3_000;

describe('chaos: a hanging tracker', function () {
  this.timeout(120_000);
  const closeAfter = useChaosSuite();

  it('delivers every postback once the tracker recovers; each repeat follows an attempt recorded as ambiguous', async () => {
    const cluster = closeAfter(await startCluster('hanging tracker', { concurrency: 4, batchSize: 20, requestTimeoutMs: 500 }));
    let hangUntil = 0;
    cluster.tracker.answerWith(() => (Date.now() < hangUntil ? 'hang' : 200));
    await cluster.startInstance();
    await cluster.recordLeads('warm', 10);
    await cluster.tracker.waitFor(10, 30_000);
    hangUntil = Date.now() + HANG_MS;
    await cluster.recordLeads('hang', 40);
    await cluster.ledger.check({ timeoutMs: 60_000, extra: { hangMs: HANG_MS } });
  });
});
