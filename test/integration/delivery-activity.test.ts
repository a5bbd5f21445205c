// The overview's store queries on each database: counts by event and outcome, attempts per minute, endpoint health, the newest page, the log's click IDs.

import { expect } from 'chai';
import { DeliveryActivityStore } from '../../lib/store/delivery-activity.js';
import { tableNames } from '../../lib/store/tables.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { waitForDeliveries } from '../helpers/delivery.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

describeEachDatabase('delivery activity queries', (target) => {
  let tracker: TestTracker;
  let fx: RelayFixture;
  let store: DeliveryActivityStore;
  let good: string;
  let bad: string;
  let voluum: string;
  let started: Date;

  before(async () => {
    tracker = await startTestTracker();
    tracker.answerWith((req) => (req.path === '/bad' ? 503 : 200));
    fx = await startRelay(target, { relay: { dispatch: { idlePollMs: 20, retrySchedule: [] } } });
    store = new DeliveryActivityStore(fx.relay.knex, tableNames(fx.prefix));
    started = new Date(Date.now() - 1);
    good = (await fx.relay.endpoints.create({ affiliateId: 'a-good', plugin: 'generic', settings: { url: `${tracker.origin}/ok?cid={click_id}` } })).id;
    bad = (await fx.relay.endpoints.create({ affiliateId: 'a-bad', plugin: 'generic', settings: { url: `${tracker.origin}/bad?cid={click_id}` } })).id;
    voluum = (await fx.relay.endpoints.create({ affiliateId: 'a-good', plugin: 'voluum', settings: { baseUrl: tracker.origin } })).id;
    await fx.relay.recordLead({ id: 'L-1', clickId: 'c-1', affiliateId: 'a-good' });
    await fx.relay.recordCommission({ id: 'C-1', leadId: 'L-1', amount: '2.50' });
    await fx.relay.adjustCommission({ id: 'A-1', commissionId: 'C-1', delta: '-1' });
    await fx.relay.recordLead({ id: 'L-2', clickId: 'c-2', affiliateId: 'a-bad' });
    await waitForDeliveries(fx, 'L-1', (list) => list.length === 6 && list.every((d) => d.status !== 'pending'));
    await waitForDeliveries(fx, 'L-2', (list) => list[0]?.status === 'failed');
  });
  after(async () => {
    await fx.close();
    await tracker.close();
  });

  it('counts deliveries since a time by event and current status', async () => {
    const counts = await store.countsSince(started);
    const count = (event: string, status: string) => counts.find((c) => c.event === event && c.status === status)?.count ?? 0;
    // aff a-good: generic + voluum for the lead and the commission; the adjustment is sent by generic, skipped by voluum.
    expect(count('lead_created', 'delivered')).to.equal(2);
    expect(count('lead_created', 'failed')).to.equal(1);
    expect(count('commission_earned', 'delivered')).to.equal(2);
    expect(count('commission_adjusted', 'delivered')).to.equal(1);
    expect(count('commission_adjusted', 'skipped')).to.equal(1);
    expect(counts.reduce((sum, c) => sum + c.count, 0)).to.equal(7);
    expect(await store.countsSince(new Date(Date.now() + 60_000))).to.deep.equal([]);
  });

  it('buckets attempts per UTC minute by outcome', async () => {
    const minutes = await store.attemptsPerMinute(new Date(started.getTime() - 60_000), new Date(Date.now() + 60_000));
    const total = { delivered: 0, failed: 0, skipped: 0 };
    for (const bucket of minutes) {
      expect(bucket.minute.getTime() % 60_000).to.equal(0);
      expect(bucket.minute.getTime()).to.be.at.most(Date.now());
      total.delivered += bucket.delivered;
      total.failed += bucket.failed;
      total.skipped += bucket.skipped;
    }
    expect(total).to.deep.equal({ delivered: 5, failed: 1, skipped: 1 });
    expect(minutes.length).to.be.within(1, 2);
    expect(await store.attemptsPerMinute(new Date(Date.now() + 60_000), new Date(Date.now() + 120_000))).to.deep.equal([]);
  });

  it('reports each endpoint with its pending and failed deliveries and failure window', async () => {
    const health = await store.endpointHealth();
    expect(health.map((h) => h.endpointId)).to.deep.equal([good, bad, voluum]);
    expect(health[0]).to.deep.include({ pending: 0, failed: 0, failingSince: null });
    expect(health[1]).to.deep.include({ pending: 0, failed: 1 });
    expect(health[1]!.failingSince).to.be.instanceOf(Date);
    expect(health[1]!.failingSince!.getTime()).to.be.within(started.getTime() - 1000, Date.now());
  });

  it('reads the log newest first, a page at a time from a keyset cursor', async () => {
    const all = await fx.relay.deliveries.list({});
    const ids = all.map((d) => d.id).reverse();
    const first = await fx.relay.deliveries.list({ newestFirst: true, limit: 3 });
    expect(first.map((d) => d.id)).to.deep.equal(ids.slice(0, 3));
    const next = await fx.relay.deliveries.list({ newestFirst: true, limit: 3, beforeId: first.at(-1)!.id });
    expect(next.map((d) => d.id)).to.deep.equal(ids.slice(3, 6));
    const filtered = await fx.relay.deliveries.list({ newestFirst: true, endpointId: good, beforeId: ids[0] });
    expect(filtered.map((d) => d.id)).to.deep.equal(all.filter((d) => d.endpointId === good && d.id !== ids[0]).map((d) => d.id).reverse());
  });

  it("gives each delivery's click ID", async () => {
    const all = await fx.relay.deliveries.list({});
    const clicks = await store.clickIds(all.map((d) => d.id));
    expect(all.map((d) => clicks.get(d.id))).to.deep.equal(all.map((d) => (d.leadId === 'L-1' ? 'c-1' : 'c-2')));
    expect(await store.clickIds([])).to.deep.equal(new Map());
  });
});
