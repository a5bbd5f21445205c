// Ordering per lead and endpoint: a lead's postback before its commissions', a commission's before its adjustments'.

import { expect } from 'chai';
import request from 'supertest';
import { describeEachDatabase } from '../helpers/databases.js';
import { auth } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';
import { relayWithTracker, waitForDeliveries } from '../helpers/delivery.js';

describeEachDatabase('delivery ordering', (target) => {
  let tracker: TestTracker;
  let fx: RelayFixture;
  afterEach(async () => {
    await tracker.close();
    await fx.close();
  });

  async function recordStory() {
    await fx.relay.recordLead({ id: 'L-1', clickId: 'click-1', affiliateId: 'aff-1' });
    await fx.relay.recordCommission({ id: 'C-1', leadId: 'L-1', amount: '10' });
    await fx.relay.adjustCommission({ id: 'A-1', commissionId: 'C-1', delta: '-1' });
    await fx.relay.recordCommission({ id: 'C-2', leadId: 'L-1', amount: '5' });
    await fx.relay.recordLead({ id: 'L-2', clickId: 'click-2', affiliateId: 'aff-1' });
    await fx.relay.recordCommission({ id: 'C-3', leadId: 'L-2', amount: '7' });
  }

  it('holds a lead\'s commissions and adjustments back while its lead postback fails, and that lead\'s only', async () => {
    ({ tracker, fx } = await relayWithTracker(target, { retrySchedule: [60, 60, 60, 60, 60] }));
    let leadFailures = 4;
    tracker.answerWith((req) => (req.query.txid === 'lead-L-1' && leadFailures-- > 0 ? 500 : 200));
    await recordStory();
    await waitForDeliveries(fx, 'L-1', (list) => list.length === 4 && list.every((d) => d.status === 'delivered'));
    await waitForDeliveries(fx, 'L-2', (list) => list.length === 2 && list.every((d) => d.status === 'delivered'));
    const order = tracker.received.map((r) => `${r.query.txid}:${r.query.cid}`);
    const leadDelivered = order.lastIndexOf('lead-L-1:click-1');
    expect(order.filter((txid) => txid === 'lead-L-1:click-1')).to.have.length(5);
    for (const later of ['com-C-1:click-1', 'adj-A-1:click-1', 'com-C-2:click-1']) {
      expect(order.indexOf(later), later).to.be.greaterThan(leadDelivered);
    }
    expect(order.indexOf('adj-A-1:click-1')).to.be.greaterThan(order.indexOf('com-C-1:click-1'));
    // The other lead was not held back by the first one's trouble.
    expect(order.indexOf('com-C-3:click-2')).to.be.lessThan(leadDelivered);
    expect(tracker.received).to.have.length(5 + 3 + 2);
  });

  it('keeps later postbacks pending, unsent, behind a dead letter, and sends them in order once it is replayed', async () => {
    ({ tracker, fx } = await relayWithTracker(target, { retrySchedule: [] }));
    tracker.answerWith((req) => (req.query.txid === 'lead-L-1' ? 404 : 200));
    await recordStory();
    await waitForDeliveries(fx, 'L-2', (list) => list.length === 2 && list.every((d) => d.status === 'delivered'));
    const held = await waitForDeliveries(fx, 'L-1', (list) => list[0]?.status === 'failed');
    expect(held.map((d) => [d.event, d.status, d.attemptCount])).to.deep.equal([
      ['lead_created', 'failed', 1],
      ['commission_earned', 'pending', 0],
      ['commission_adjusted', 'pending', 0],
      ['commission_earned', 'pending', 0],
    ]);
    tracker.respondWith(200);
    const replay = await request(fx.app).post(`/postbacks/deliveries/${held[0]?.id}/replay`).set(auth).send({});
    expect(replay.status).to.equal(202);
    await waitForDeliveries(fx, 'L-1', (list) => list.every((d) => d.status === 'delivered'));
    const forLead1 = tracker.received.filter((r) => r.query.cid === 'click-1').map((r) => r.query.txid);
    expect(forLead1).to.deep.equal(['lead-L-1', 'lead-L-1', 'com-C-1', 'adj-A-1', 'com-C-2']);
  });
});
