// Chaos 5: SIGKILL of one of two instances during a burst, five times in a row; SIGTERM with requests on the wire.

import { expect } from 'chai';
import { isAlive, killHard, startCluster, useChaosSuite } from './cluster.js';

const CONCURRENCY = 4;
const BATCH = 10;
const KILLS = 5;
// What a killed instance can have sent without recording it: every request in flight and two claim batches.
const KILL_BOUND = CONCURRENCY + 2 * BATCH;

describe('chaos: instances killed and stopped', function () {
  this.timeout(150_000);
  const closeAfter = useChaosSuite();

  it(`SIGKILL of one of two instances mid-burst, ${KILLS} times: every postback delivered, unexplained repeats within ${KILL_BOUND} per kill`, async () => {
    const cluster = closeAfter(await startCluster('SIGKILL of one of two instances, 5 times', { concurrency: CONCURRENCY, batchSize: BATCH, requestTimeoutMs: 500 }));
    cluster.tracker.answerWith(() => ({ status: 200, delayMs: 20 + Math.floor(Math.random() * 60) }));
    let victim = await cluster.startInstance();
    await cluster.startInstance();
    for (let kill = 0; kill < KILLS; kill++) {
      const before = cluster.tracker.received.length;
      const burst = cluster.recordLeads(`kill${kill}`, 40);
      await cluster.tracker.waitFor(before + 8, 30_000);
      await killHard(victim);
      await burst;
      victim = await cluster.startInstance();
    }
    await cluster.ledger.check({ timeoutMs: 90_000, kills: KILLS, killBound: KILL_BOUND, extra: { kills: KILLS, boundPerKill: KILL_BOUND } });
  });

  it('SIGTERM with requests on the wire: exits 0, and nothing goes on the wire twice without a recorded failed attempt', async () => {
    const cluster = closeAfter(await startCluster('SIGTERM with requests on the wire', { concurrency: CONCURRENCY, batchSize: BATCH, requestTimeoutMs: 3_000 }));
    cluster.tracker.answerWith(() => ({ status: 200, delayMs: 1_000 }));
    const first = await cluster.startInstance();
    const burst = cluster.recordLeads('term', 30);
    await cluster.tracker.waitFor(CONCURRENCY, 30_000);
    expect(await first.stop()).to.equal(0);
    expect(isAlive(first)).to.equal(false);
    await burst;
    await cluster.startInstance();
    await cluster.ledger.check({ timeoutMs: 60_000 });
  });
});
