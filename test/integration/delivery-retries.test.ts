// Retries end to end against real trackers: the schedule (shrunk to ms), timeouts, redirects, 4xx, Retry-After, dead letters and replay.

import { expect } from 'chai';
import request from 'supertest';
import type { Delivery } from '../../lib/deliveries/types.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { claimsSince } from '../helpers/claims.js';
import { relayWithTracker, waitForDeliveries } from '../helpers/delivery.js';
import { auth } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';

const lead = (id: string, clickId = `click-${id}`) => ({ id, clickId, affiliateId: 'aff-1' });
const gaps = (d: Delivery) => d.attempts.slice(1).map((a, i) => a.attemptedAt.getTime() - (d.attempts[i] as { attemptedAt: Date }).attemptedAt.getTime());

describeEachDatabase('delivery retries', (target) => {
  let tracker: TestTracker;
  let fx: RelayFixture;
  afterEach(async () => {
    await tracker.close();
    await fx.close();
  });

  it('delivers on the third attempt after 500, 500, at the scheduled times, logging every attempt', async () => {
    ({ tracker, fx } = await relayWithTracker(target, { retrySchedule: [150, 300], retryJitter: 0.2 }));
    tracker.answerWith((_req, index) => (index < 2 ? 500 : 200));
    await fx.relay.recordLead(lead('L-1'));
    const [delivery] = await waitForDeliveries(fx, 'L-1', (list) => list[0]?.status === 'delivered');
    expect(delivery?.attempts.map((a) => a.statusCode)).to.deep.equal([500, 500, 200]);
    expect(delivery?.attempts.map((a) => a.error)).to.deep.equal(['tracker answered HTTP 500', 'tracker answered HTTP 500', null]);
    expect(tracker.received).to.have.length(3);
    // Never early: each wait is at least the scheduled one; jitter adds at most 20%, plus scheduling slack.
    const [first, second] = gaps(delivery as Delivery);
    expect(first).to.be.at.least(150).and.below(150 * 1.2 + 400);
    expect(second).to.be.at.least(300).and.below(300 * 1.2 + 400);
    expect(tracker.received.map((r) => r.query.txid)).to.deep.equal(['lead-L-1', 'lead-L-1', 'lead-L-1']);
  });

  it('times out a tracker that never answers, retries, ends failed, and a replay delivers it', async () => {
    ({ tracker, fx } = await relayWithTracker(target, { retrySchedule: [30, 30], requestTimeoutMs: 200 }));
    tracker.answerWith(() => 'hang');
    await fx.relay.recordLead(lead('L-1'));
    const [failed] = await waitForDeliveries(fx, 'L-1', (list) => list[0]?.status === 'failed');
    expect(failed?.attemptCount).to.equal(3);
    expect(tracker.received).to.have.length(3);
    for (const attempt of failed?.attempts ?? []) {
      expect(attempt.statusCode).to.equal(null);
      expect(attempt.error).to.match(/timeout/i);
      expect(attempt.latencyMs).to.be.at.least(190);
    }
    tracker.respondWith(200);
    const replayed = await request(fx.app).post(`/postbacks/deliveries/${failed?.id}/replay`).set(auth).send({});
    expect(replayed.status).to.equal(202);
    const [delivered] = await waitForDeliveries(fx, 'L-1', (list) => list[0]?.status === 'delivered');
    expect(delivered?.attempts.map((a) => a.statusCode)).to.deep.equal([null, null, null, 200]);
  });

  it('counts a 301 as a failed attempt and never follows it', async () => {
    ({ tracker, fx } = await relayWithTracker(target, { retrySchedule: [30] }));
    tracker.answerWith((req) => (req.path === '/pb' ? { status: 301, headers: { location: '/moved' } } : 200));
    await fx.relay.recordLead(lead('L-1'));
    const [delivery] = await waitForDeliveries(fx, 'L-1', (list) => list[0]?.status === 'failed');
    expect(delivery?.attempts.map((a) => a.statusCode)).to.deep.equal([301, 301]);
    expect(tracker.received.map((r) => r.path)).to.deep.equal(['/pb', '/pb']);
  });

  it('does not retry a 404: one attempt, then failed', async () => {
    ({ tracker, fx } = await relayWithTracker(target, { retrySchedule: [20, 20, 20] }));
    tracker.respondWith(404);
    await fx.relay.recordLead(lead('L-1'));
    const [failed] = await waitForDeliveries(fx, 'L-1', (list) => list[0]?.status === 'failed');
    // A claim made once a retry would have been due (20 ms, and at most 20% jitter) found nothing more to send.
    const lastAttempt = Math.max(...(failed as Delivery).attempts.map((a) => a.attemptedAt.getTime()));
    await claimsSince(fx.relay.knex, fx.prefix, { after: new Date(lastAttempt + 20 * 1.2) });
    const [delivery] = await fx.relay.deliveries.listForLead('L-1');
    expect(delivery).to.include({ status: 'failed', attemptCount: 1, lastStatusCode: 404 });
    expect(tracker.received).to.have.length(1);
  });

  it('waits as long as a 429 Retry-After asks, up to the configured bound', async () => {
    ({ tracker, fx } = await relayWithTracker(target, { retrySchedule: [10, 10], retryAfterMaxMs: 600 }));
    tracker.answerWith((_req, index) => [{ status: 429, headers: { 'retry-after': '0' } }, { status: 503, headers: { 'retry-after': '3600' } }, 200][index] ?? 200);
    await fx.relay.recordLead(lead('L-1'));
    const [delivery] = await waitForDeliveries(fx, 'L-1', (list) => list[0]?.status === 'delivered');
    expect(delivery?.attempts.map((a) => a.statusCode)).to.deep.equal([429, 503, 200]);
    const [first, second] = gaps(delivery as Delivery);
    // "0" cannot shorten the 10 ms schedule; an hour is cut to the 600 ms bound.
    expect(first).to.be.at.least(10).and.below(500);
    expect(second).to.be.at.least(600).and.below(600 + 600);
  });
});
