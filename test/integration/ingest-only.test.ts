// An instance with dispatching off takes events and sends nothing; another instance on the same database delivers them.

import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { tableNames } from '../../lib/store/tables.js';
import { isClaimRead } from '../helpers/claims.js';
import { describeEachDatabase, mysqlTarget } from '../helpers/databases.js';
import { waitForDeliveries } from '../helpers/delivery.js';
import { startRelay, useRelayAndTracker } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';

describeEachDatabase('an ingest-only instance (dispatch.enabled: false)', (target) => {
  let ingest: RelayFixture;
  let tracker: TestTracker;
  let claimReads: number;
  useRelayAndTracker(target, { relay: { dispatch: { enabled: false, idlePollMs: 50 } } }, (started) => {
    ({ fx: ingest, tracker } = started);
    claimReads = 0;
    ingest.relay.knex.on('query', (query: { sql: string }) => {
      if (isClaimRead(query.sql, ingest.prefix)) claimReads += 1;
    });
  });

  // Dispatching off, the instance still answers ready and stores the lead's postback for whoever sends.
  // A dispatching instance takes its own new lead's postback in the event's write (stored under its lease) and sends
  // it once that commits; anything else it sends it claims first. So: stored unleased, and no claim read from here.
  async function recordOneUnsent(): Promise<void> {
    const app = express();
    app.use(ingest.relay.health);
    const { fleet, ...ready } = (await request(app).get('/readyz')).body as { fleet: unknown };
    expect(ready).to.deep.equal({ status: 'ok', checks: { database: 'ok', migrations: 'ok', dispatcher: 'ok' } });
    expect(fleet).to.include({ instance: ingest.relay.instanceId, alive: 1 });
    await ingest.relay.endpoints.create({ affiliateId: 'aff-i', plugin: 'generic', settings: { url: `${tracker.origin}/pb?cid={click_id}` } });
    const recorded = await ingest.relay.recordLead({ id: 'I-1', clickId: 'ci-1', affiliateId: 'aff-i' });
    expect(recorded.deliveriesQueued).to.equal(1);
    const rows = await ingest.relay.knex(tableNames(ingest.prefix).deliveries).select<Array<{ lease_token: string | null; locked_until: unknown }>>('lease_token', 'locked_until');
    expect(rows).to.deep.equal([{ lease_token: null, locked_until: null }]);
    expect(tracker.received).to.have.length(0);
  }

  it('is ready, queues postbacks and sends none', async () => {
    await recordOneUnsent();
    expect((await ingest.relay.deliveries.listForLead('I-1'))[0]?.status).to.equal('pending');
    expect(claimReads).to.equal(0);
  });

  // SQLite allows one writer per file, so a second instance is for the shared-database case.
  if (target === mysqlTarget) {
    it('leaves what it queued to a dispatching instance on the same database', async () => {
      await recordOneUnsent();
      const sender = await startRelay(target, { url: ingest.url, prefix: ingest.prefix });
      try {
        const [delivery] = await waitForDeliveries(ingest, 'I-1', (list) => list[0]?.status === 'delivered');
        expect(delivery?.attempts).to.have.length(1);
        expect(tracker.received.map((r) => r.query.cid)).to.deep.equal(['ci-1']);
        expect(claimReads).to.equal(0);
      } finally {
        await sender.close({ drop: false });
      }
    });
  }
});
