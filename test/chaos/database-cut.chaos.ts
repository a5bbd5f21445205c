// Chaos 4: the database connection of a relay server cut for 5 s during completion writes, several times, then restored.

import { startCluster, startProxiedDatabase, useChaosSuite } from './cluster.js';

const CUTS = 3;
const CUT_MS = 5_000;

describe('chaos: the database cut during completion writes', function () {
  this.timeout(150_000);
  const closeAfter = useChaosSuite();

  it(`records everything and jams nothing after ${CUTS} cuts of ${CUT_MS / 1000} s`, async () => {
    const { proxy: db, url } = await startProxiedDatabase();
    const cluster = closeAfter(await startCluster('database cut during completion writes', { concurrency: 8, batchSize: 20, requestTimeoutMs: 1_000 }, { proxy: db }));
    // Answers take a moment, so completions are being written (or waiting to be) when the cut comes.
    cluster.tracker.respondAfter(50);
    await cluster.startInstance({ databaseUrl: url });
    for (let cut = 0; cut < CUTS; cut++) {
      const before = cluster.tracker.received.length;
      const burst = cluster.recordLeads(`cut${cut}`, 30);
      // Cut once postbacks of this burst are on the wire: their completions are what the cut hits.
      await cluster.tracker.waitFor(before + 5, 30_000);
      db.cut();
      // The fault lasts its 5 s: what is measured is how the relay comes back from it.
      await new Promise((resolve) => setTimeout(resolve, CUT_MS));
      db.restore();
      await burst;
    }
    await cluster.ledger.check({ timeoutMs: 90_000, extra: { cuts: CUTS, cutMs: CUT_MS } });
  });
});
