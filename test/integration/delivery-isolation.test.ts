// Isolation between trackers: a per-host cap keeps a hanging tracker from starving a healthy one; a breaker stops hammering a failing one.

import { expect } from 'chai';
import request from 'supertest';
import { describeEachDatabase } from '../helpers/databases.js';
import { relayWithTracker, waitForDeliveries } from '../helpers/delivery.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';
import { tableNames, toDate } from '../../lib/store/tables.js';
import { claimsSince } from '../helpers/claims.js';
import { poll } from '../helpers/poll.js';

interface OutboxRow {
  pk: number | string;
  status: string;
  attempt_count: number;
  lease_token: string | null;
  locked_until: unknown;
  next_attempt_at: Date | string | number;
}

describeEachDatabase('delivery isolation', (target) => {
  const trackers: TestTracker[] = [];
  let fx: RelayFixture;
  afterEach(async () => {
    for (const tracker of trackers.splice(0)) await tracker.close();
    await fx.close();
  });

  // Every outbox row as a claim would change it: a lease taken, an attempt more, a new due time.
  const outboxRows = () => fx.relay.knex(tableNames(fx.prefix).deliveries).orderBy('pk').select<OutboxRow[]>('pk', 'status', 'attempt_count', 'lease_token', 'locked_until', 'next_attempt_at');
  const unleased = (rows: OutboxRow[]) => rows.every((row) => row.lease_token === null && row.locked_until === null);

  // A disabled endpoint's postbacks: once an attempt claimed before it was disabled has ended, a claim made when they
  // were due again leaves them as they were, and the tracker hears nothing more.
  async function expectLeftUnsent(tracker: TestTracker): Promise<void> {
    // A claim under way when the endpoint was disabled may still lease what it read before: let it end first.
    await claimsSince(fx.relay.knex, fx.prefix);
    const before = await poll(outboxRows, unleased, 'the attempts under way ended');
    const received = tracker.received.length;
    const due = Math.max(...before.map((row) => toDate(row.next_attempt_at).getTime()));
    await claimsSince(fx.relay.knex, fx.prefix, { after: new Date(due) });
    expect(await outboxRows()).to.deep.equal(before);
    expect(tracker.received).to.have.length(received);
  }

  it('keeps postbacks to a healthy tracker flowing while another hangs', async () => {
    const setup = await relayWithTracker(target, { concurrency: 4, perHostConcurrency: 2, requestTimeoutMs: 15_000, retrySchedule: [] });
    fx = setup.fx;
    const hanging = setup.tracker;
    hanging.answerWith(() => 'hang');
    const healthy = await startTestTracker();
    trackers.push(hanging, healthy);
    const created = await request(fx.app)
      .post('/postbacks/endpoints')
      .set(auth)
      .send({ affiliateId: 'aff-2', plugin: 'generic', settings: { url: `${healthy.origin}/pb?txid={transaction_id}` } });
    expect(created.status).to.equal(201);
    for (let i = 0; i < 20; i++) await fx.relay.recordLead({ id: `H-${i}`, clickId: `c-${i}`, affiliateId: 'aff-1' });
    for (let i = 0; i < 60; i++) await fx.relay.recordLead({ id: `OK-${i}`, clickId: `ok-${i}`, affiliateId: 'aff-2' });
    await healthy.waitFor(60, 12_000);
    // Every healthy postback arrived while the hanging tracker held its cap of requests and none had even
    // timed out yet: without the cap, its 20 postbacks would have taken all 4 slots for 15 s.
    expect(hanging.received.length).to.equal(2);
    const hangingAttempts = (await fx.relay.deliveries.list({ endpointId: setup.endpointId })).reduce((sum, d) => sum + d.attemptCount, 0);
    expect(hangingAttempts).to.equal(0);
    expect(new Set(healthy.received.map((r) => r.query.txid)).size).to.equal(60);
  });

  it('lets postbacks to a healthy tracker through while hanging trackers hold every place of the concurrency', async () => {
    // Two hanging hosts at 2 slots each take all 4 places; their requests step aside once overdue (1.5 s), long
    // before they time out (15 s), and the healthy tracker's postbacks go out meanwhile.
    const setup = await relayWithTracker(target, { concurrency: 4, perHostConcurrency: 2, requestTimeoutMs: 15_000, retrySchedule: [] });
    fx = setup.fx;
    const hanging = [setup.tracker, await startTestTracker()];
    const healthy = await startTestTracker();
    trackers.push(...hanging, healthy);
    for (const [affiliateId, tracker] of [['aff-3', hanging[1]], ['aff-2', healthy]] as const) {
      const created = await request(fx.app).post('/postbacks/endpoints').set(auth).send({ affiliateId, plugin: 'generic', settings: { url: `${tracker?.origin}/pb?txid={transaction_id}` } });
      expect(created.status).to.equal(201);
    }
    for (const tracker of hanging) tracker.answerWith(() => 'hang');
    for (let i = 0; i < 4; i++) {
      await fx.relay.recordLead({ id: `H1-${i}`, clickId: `h1-${i}`, affiliateId: 'aff-1' });
      await fx.relay.recordLead({ id: `H3-${i}`, clickId: `h3-${i}`, affiliateId: 'aff-3' });
    }
    for (const tracker of hanging) await tracker.waitFor(2);
    for (let i = 0; i < 20; i++) await fx.relay.recordLead({ id: `OK-${i}`, clickId: `ok-${i}`, affiliateId: 'aff-2' });
    await healthy.waitFor(20, 12_000);
    // None of the hanging requests had ended (an ended one records an attempt): they held their host slots throughout.
    expect(hanging.map((tracker) => tracker.received.length)).to.deep.equal([2, 2]);
    const attempts = (await fx.relay.deliveries.list({ endpointId: setup.endpointId })).reduce((sum, d) => sum + d.attemptCount, 0);
    expect(attempts).to.equal(0);
    expect(new Set(healthy.received.map((r) => r.query.txid)).size).to.equal(20);
  });

  it('opens the breaker after consecutive failures and leaves the rest without attempts: put off, or not even claimed', async () => {
    const setup = await relayWithTracker(target, { perHostConcurrency: 1, breakerThreshold: 3, breakerCooldownMs: 600_000, retrySchedule: [10, 10, 10] });
    fx = setup.fx;
    trackers.push(setup.tracker);
    setup.tracker.respondWith(503);
    for (let i = 0; i < 6; i++) await fx.relay.recordLead({ id: `L-${i}`, clickId: `c-${i}`, affiliateId: 'aff-1' });
    await setup.tracker.waitFor(3);
    const attempts = async () => (await fx.relay.deliveries.list({})).reduce((sum, d) => sum + d.attemptCount, 0);
    // On a loaded database the last attempt can take a moment to be recorded.
    await poll(attempts, (n) => n >= 3, 'three attempts recorded', 5000);
    // No lease left: every postback that waited for the host's slot met the open breaker and was put off until it may close.
    const settled = await poll(outboxRows, unleased, 'every lease given back', 5000);
    // A claim made once the retries were due (not those put off for the 10-minute cooldown) leaves every row as it was.
    const due = settled.map((row) => toDate(row.next_attempt_at).getTime()).filter((at) => at < Date.now() + 60_000);
    await claimsSince(fx.relay.knex, fx.prefix, { after: new Date(Math.max(Date.now(), ...due)) });
    expect(await outboxRows()).to.deep.equal(settled);
    expect(setup.tracker.received).to.have.length(3);
    const pending = await fx.relay.deliveries.list({ status: 'pending' });
    expect(pending).to.have.length(6);
    expect(pending.reduce((sum, d) => sum + d.attemptCount, 0)).to.equal(3);
  });

  it('puts off the postbacks of one claim for a busy host together: a few UPDATEs for the batch, not one per postback', async () => {
    const tracker = await startTestTracker();
    trackers.push(tracker);
    tracker.answerWith(() => 'hang');
    fx = await startRelay(target, { start: false, relay: { dispatch: { concurrency: 4, perHostConcurrency: 1, requestTimeoutMs: 15_000, idlePollMs: 60_000 } } });
    const created = await request(fx.app).post('/postbacks/endpoints').set(auth).send({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `${tracker.origin}/pb?txid={transaction_id}` } });
    expect(created.status).to.equal(201);
    // A click of its own per lead: one click's postbacks go one at a time (per-click order), which is not what this measures.
    for (let i = 0; i < 30; i++) await fx.relay.recordLead({ id: `L-${i}`, clickId: `c-${i}`, affiliateId: 'aff-1' });
    const t = tableNames(fx.prefix);
    const postpones: string[] = [];
    fx.relay.knex.on('query', (query: { sql: string }) => {
      if (new RegExp(`^update [\`"]?${t.deliveries}[\`"]? set [\`"]?next_attempt_at[\`"]? = \\?, [\`"]?locked_until`, 'i').test(query.sql)) postpones.push(query.sql);
    });
    const start = Date.now();
    await fx.relay.start();
    // Two wait in the host's line while its one slot (the cap) is taken from the fleet's table, then one of them
    // goes out; the other 28 are put off, leases given back.
    await tracker.waitFor(1);
    const putOff = async () => Number((await fx.relay.knex(t.deliveries).whereNull('lease_token').andWhere('next_attempt_at', '>', new Date(start)).count<Array<{ n: number | string }>>({ n: '*' }))[0]?.n);
    await poll(putOff, (n) => n >= 28, 'the 28 postbacks beyond the line put off', 10_000);
    expect(await putOff()).to.equal(28);
    expect(postpones.length, postpones.join('\n')).to.be.within(1, 2);
    expect((await fx.relay.deliveries.list({})).reduce((sum, d) => sum + d.attemptCount, 0)).to.equal(0);
    expect(tracker.received).to.have.length(1);
  });

  it('keeps a disabled endpoint\'s pending postbacks unsent, and resumes them when it is enabled again', async () => {
    const setup = await relayWithTracker(target, { retrySchedule: [50, 50, 50, 50, 50, 50] });
    fx = setup.fx;
    trackers.push(setup.tracker);
    setup.tracker.respondWith(500);
    await fx.relay.recordLead({ id: 'L-1', clickId: 'c', affiliateId: 'aff-1' });
    await setup.tracker.waitFor(1);
    await fx.relay.endpoints.update(setup.endpointId, { enabled: false });
    await expectLeftUnsent(setup.tracker);
    expect((await fx.relay.deliveries.listForLead('L-1'))[0]?.status).to.equal('pending');
    const seen = setup.tracker.received.length;
    setup.tracker.respondWith(200);
    await fx.relay.endpoints.update(setup.endpointId, { enabled: true });
    await waitForDeliveries(fx, 'L-1', (list) => list[0]?.status === 'delivered');
    expect(setup.tracker.received).to.have.length(seen + 1);
  });

  it('disables an endpoint that has failed continuously for the window, keeping its postbacks for when it is enabled again', async () => {
    const setup = await relayWithTracker(target, { disableAfterMs: 300, breakerThreshold: 1000, retrySchedule: Array.from({ length: 40 }, () => 40) });
    fx = setup.fx;
    trackers.push(setup.tracker);
    setup.tracker.respondWith(500);
    await fx.relay.recordLead({ id: 'L-1', clickId: 'c', affiliateId: 'aff-1' });
    await fx.relay.recordLead({ id: 'L-2', clickId: 'c', affiliateId: 'aff-1' });
    await poll(() => fx.relay.endpoints.get(setup.endpointId), (endpoint) => !endpoint.enabled, 'the failing endpoint disabled', 5000);
    // Disabled with its postbacks still pending, not dead-lettered.
    expect(await fx.relay.deliveries.list({ status: 'failed' })).to.deep.equal([]);
    await expectLeftUnsent(setup.tracker);
    expect((await fx.relay.deliveries.stats())).to.include({ pending: 2, disabledEndpoints: 1 });
    setup.tracker.respondWith(200);
    await fx.relay.endpoints.update(setup.endpointId, { enabled: true });
    await waitForDeliveries(fx, 'L-2', (list) => list[0]?.status === 'delivered');
    await waitForDeliveries(fx, 'L-1', (list) => list[0]?.status === 'delivered');
    expect((await fx.relay.endpoints.get(setup.endpointId)).enabled).to.equal(true);
  });
});
