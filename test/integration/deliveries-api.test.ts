// The operations API: search the delivery log, show one delivery with its attempts, replay dead letters, read the signals.

import { expect } from 'chai';
import request from 'supertest';
import { describeEachDatabase } from '../helpers/databases.js';
import { relayWithTracker, waitForDeliveries } from '../helpers/delivery.js';
import { poll } from '../helpers/poll.js';
import { auth } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';

describeEachDatabase('deliveries API', (target) => {
  let tracker: TestTracker;
  let fx: RelayFixture;
  let endpointId: string;
  let between: string;

  before(async () => {
    ({ tracker, fx, endpointId } = await relayWithTracker(target, { retrySchedule: [] }));
    tracker.answerWith((req) => (req.query.cid === 'click-bad' ? 410 : 200));
    await fx.relay.recordLead({ id: 'L-1', clickId: 'click-ok', affiliateId: 'aff-1' });
    await fx.relay.recordCommission({ id: 'C-1', leadId: 'L-1', amount: '3' });
    const first = await waitForDeliveries(fx, 'L-1', (list) => list.length === 2 && list.every((d) => d.status === 'delivered'));
    // The first instant after L-1's postbacks were queued: every one of L-2's, queued from now on, is at or past it.
    const queued = Math.max(...first.map((d) => d.createdAt.getTime()));
    between = (await poll(() => new Date(), (now) => now.getTime() > queued, "a time after L-1's postbacks were queued")).toISOString();
    await fx.relay.recordLead({ id: 'L-2', clickId: 'click-bad', affiliateId: 'aff-1' });
    await waitForDeliveries(fx, 'L-2', (list) => list[0]?.status === 'failed');
  });
  after(async () => {
    await tracker.close();
    await fx.close();
  });

  const get = (path: string) => request(fx.app).get(`/postbacks${path}`).set(auth);
  const ids = (body: { data: Array<{ leadId: string; event: string }> }) => body.data.map((d) => `${d.leadId}/${d.event}`);

  it('refuses a request without the API key', async () => {
    const res = await request(fx.app).get('/postbacks/deliveries?status=failed');
    expect(res.status).to.equal(401);
    expect((await request(fx.app).post('/postbacks/deliveries/replay-failed').send({ endpointId })).status).to.equal(401);
  });

  it('lists deliveries by lead, click ID, endpoint, status and creation time', async () => {
    expect(ids((await get('/deliveries?leadId=L-1')).body)).to.deep.equal(['L-1/lead_created', 'L-1/commission_earned']);
    expect(ids((await get('/deliveries?clickId=click-bad')).body)).to.deep.equal(['L-2/lead_created']);
    expect(ids((await get(`/deliveries?endpointId=${endpointId}`)).body)).to.have.length(3);
    expect(ids((await get('/deliveries?endpointId=999999')).body)).to.deep.equal([]);
    expect(ids((await get('/deliveries?status=failed')).body)).to.deep.equal(['L-2/lead_created']);
    expect(ids((await get(`/deliveries?since=${between}`)).body)).to.deep.equal(['L-2/lead_created']);
    expect(ids((await get(`/deliveries?until=${between}&status=delivered&limit=1`)).body)).to.deep.equal(['L-1/lead_created']);
  });

  it('names the bad query parameter', async () => {
    for (const [query, field] of [['status=lost', 'status'], ['since=yesterday', 'since'], ['limit=0', 'limit'], ['limit=501', 'limit']]) {
      const res = await get(`/deliveries?${query}`);
      expect(res.status, query).to.equal(400);
      expect(res.body.error).to.include({ code: 'ERR_PB_VALIDATION', field });
    }
  });

  it('shows one delivery with its attempts, and 404s an unknown one', async () => {
    const [failed] = await fx.relay.deliveries.list({ status: 'failed' });
    const res = await get(`/deliveries/${failed?.id}`);
    expect(res.status).to.equal(200);
    expect(res.body.data).to.include({ id: failed?.id, status: 'failed', leadId: 'L-2', attemptCount: 1, lastStatusCode: 410 });
    expect(res.body.data.attempts).to.have.length(1);
    expect(res.body.data.attempts[0]).to.include({ statusCode: 410, responseExcerpt: 'tracker error', method: 'GET' });
    expect(res.body.data.attempts[0].latencyMs).to.be.a('number');
    for (const unknown of ['123456789', 'abc']) {
      const missing = await get(`/deliveries/${unknown}`);
      expect(missing.status).to.equal(404);
      expect(missing.body.error.code).to.equal('ERR_PB_NOT_FOUND');
    }
  });

  it('reads the outbox signals', async () => {
    const res = await get('/deliveries/stats');
    expect(res.body.data).to.deep.equal({ pending: 0, failed: 1, unconfirmed: 0, delivered: 2, disabledEndpoints: 0, oldestPendingAt: null });
  });

  it('replays every dead letter of an endpoint since a time', async () => {
    const none = await request(fx.app).post('/postbacks/deliveries/replay-failed').set(auth).send({ endpointId, since: new Date(Date.now() + 60_000).toISOString() });
    expect(none.body.data).to.deep.equal({ replayed: 0 });
    tracker.respondWith(200);
    const res = await request(fx.app).post('/postbacks/deliveries/replay-failed').set(auth).send({ endpointId, since: between });
    expect(res.status).to.equal(200);
    expect(res.body.data).to.deep.equal({ replayed: 1 });
    const [delivery] = await waitForDeliveries(fx, 'L-2', (list) => list[0]?.status === 'delivered');
    expect(delivery?.attempts.map((a) => a.statusCode)).to.deep.equal([410, 200]);
    const bad = await request(fx.app).post('/postbacks/deliveries/replay-failed').set(auth).send({ endpointId: 'x' });
    expect(bad.body.error).to.include({ code: 'ERR_PB_VALIDATION', field: 'endpointId' });
  });

  it('sends a test postback through the delivery path and answers what the tracker said, storing nothing', async () => {
    const before = await fx.countRows();
    const seen = tracker.received.length;
    tracker.answerWith(() => ({ status: 202, headers: {} }));
    const res = await request(fx.app).post('/postbacks/deliveries/test').set(auth).send({ endpointId });
    expect(res.status).to.equal(200);
    expect(res.body.data).to.include({ delivered: true, statusCode: 202, error: null, responseExcerpt: 'OK' });
    expect(tracker.received).to.have.length(seen + 1);
    expect(tracker.received.at(-1)?.query).to.include({ et: 'lead_created', cid: 'test-click-id' });
    expect(tracker.received.at(-1)?.query.txid).to.match(/^lead-test-\d+$/);
    tracker.respondWith(500);
    const failing = await request(fx.app).post('/postbacks/deliveries/test').set(auth).send({ endpointId });
    expect(failing.body.data).to.include({ delivered: false, statusCode: 500, error: 'tracker answered HTTP 500' });
    expect(await fx.countRows()).to.deep.equal(before);
    expect((await request(fx.app).post('/postbacks/deliveries/test').set(auth).send({ endpointId: '999999' })).status).to.equal(404);
  });
});
