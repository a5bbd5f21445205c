// An instance with dispatching off takes events and sends nothing; another instance on the same database delivers them.

import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { describeEachDatabase, mysqlTarget } from '../helpers/databases.js';
import { startRelay, useRelayAndTracker } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';

describeEachDatabase('an ingest-only instance (dispatch.enabled: false)', (target) => {
  let ingest: RelayFixture;
  let tracker: TestTracker;
  useRelayAndTracker(target, { relay: { dispatch: { enabled: false, idlePollMs: 50 } } }, (started) => ({ fx: ingest, tracker } = started));

  // Dispatching off, the instance still answers ready and stores the lead's postback for whoever sends.
  async function recordOneUnsent(): Promise<void> {
    const app = express();
    app.use(ingest.relay.health);
    const { fleet, ...ready } = (await request(app).get('/readyz')).body as { fleet: unknown };
    expect(ready).to.deep.equal({ status: 'ok', checks: { database: 'ok', migrations: 'ok', dispatcher: 'ok' } });
    expect(fleet).to.include({ instance: ingest.relay.instanceId, alive: 1 });
    await ingest.relay.endpoints.create({ affiliateId: 'aff-i', plugin: 'generic', settings: { url: `${tracker.origin}/pb?cid={click_id}` } });
    const recorded = await ingest.relay.recordLead({ id: 'I-1', clickId: 'ci-1', affiliateId: 'aff-i' });
    expect(recorded.deliveriesQueued).to.equal(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(tracker.received).to.have.length(0);
  }

  it('is ready, queues postbacks and sends none', async () => {
    await recordOneUnsent();
    expect((await ingest.relay.deliveries.listForLead('I-1'))[0]?.status).to.equal('pending');
  });

  // SQLite allows one writer per file, so a second instance is for the shared-database case.
  if (target === mysqlTarget) {
    it('leaves what it queued to a dispatching instance on the same database', async () => {
      await recordOneUnsent();
      const sender = await startRelay(target, { url: ingest.url, prefix: ingest.prefix });
      try {
        await tracker.waitFor(1);
        expect(tracker.received[0]?.query.cid).to.equal('ci-1');
      } finally {
        await sender.close({ drop: false });
      }
    });
  }
});
