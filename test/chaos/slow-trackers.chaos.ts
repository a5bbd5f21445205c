// Chaos 1: trackers answering between 0.5x and 1.5x the request timeout, at small and default settings, one and two instances.

import type { ReceivedPostback } from '../helpers/tracker.js';
import { startCluster, useChaosSuite } from './cluster.js';

const TIMEOUT_MS = 300;

const SETTINGS = [
  { instances: 1, concurrency: 1, batchSize: 10, leads: 20 },
  { instances: 2, concurrency: 4, batchSize: 20, leads: 60 },
  { instances: 2, concurrency: 16, batchSize: 100, leads: 100 },
];

describe('chaos: slow trackers', function () {
  this.timeout(120_000);
  const closeAfter = useChaosSuite();

  for (const { instances, concurrency, batchSize, leads } of SETTINGS) {
    const name = `slow trackers, ${instances} instance(s), concurrency ${concurrency}, batch ${batchSize}`;
    it(`${name}: every postback delivered, a repeat only after a recorded failed attempt`, async () => {
      const started = closeAfter(await startCluster(name, { concurrency, batchSize, requestTimeoutMs: TIMEOUT_MS }));
      // The first two requests of a postback answer anywhere in 0.5x..1.5x the timeout (about half time out); later
      // ones at 0.5x, so every postback ends delivered within the retry schedule.
      const seen = new Map<string, number>();
      started.tracker.answerWith(slowAnswers(seen));
      for (let i = 0; i < instances; i++) await started.startInstance();
      await started.recordLeads('slow', leads);
      await started.ledger.check({ timeoutMs: 90_000, extra: { instances, concurrency, batchSize } });
    });
  }
});

/** 200 after a delay: random for a postback's first two requests, short after that. */
function slowAnswers(seen: Map<string, number>) {
  return (request: ReceivedPostback) => {
    const key = request.query.txid ?? '';
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const factor = n <= 2 ? 0.5 + Math.random() : 0.5;
    return { status: 200, delayMs: Math.round(TIMEOUT_MS * factor) };
  };
}
