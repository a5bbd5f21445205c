// The dispatcher's one abort signal, listened on by every request in flight: no leak warning at the concurrency
// configured, and nothing left on it once the requests have ended.

import { expect } from 'chai';
import { waitForOutbox } from '../helpers/outbox.js';
import { poll } from '../helpers/poll.js';
import { relayWithTracker } from '../helpers/delivery.js';
import { sqliteTarget } from '../helpers/databases.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';

describe('requests in flight and the abort signal [SQLite]', () => {
  let tracker: TestTracker;
  let fx: RelayFixture;
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  beforeEach(() => {
    process.on('warning', onWarning);
  });
  afterEach(async () => {
    process.off('warning', onWarning);
    await tracker.close();
    await fx.close();
  });

  it('holds 24 requests in flight without a MaxListenersExceededWarning', async () => {
    ({ tracker, fx } = await relayWithTracker(sqliteTarget, { concurrency: 24, perHostConcurrency: 24 }));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    tracker.answerWith(() => ({ status: 200, until: held }));
    for (let i = 0; i < 24; i += 1) await fx.relay.recordLead({ id: `L-${i}`, clickId: `click-${i}`, affiliateId: 'aff-1' });
    // The tracker holds every answer, so all 24 are on the wire at once (its waitFor wakes on answers, not arrivals).
    await poll(() => Promise.resolve(tracker.maxConcurrent), (open) => open === 24, 'all 24 requests in flight', 10_000);
    release();
    // Node emits the warning on a later tick than the listener that crossed the limit: well before every attempt is recorded.
    await waitForOutbox(fx.relay, (stats) => stats.delivered === 24, 10_000);
    expect(warnings.map((warning) => `${warning.name}: ${warning.message}`)).to.deep.equal([]);
  });
});
