// Two relays on one database share each tracker host's cap and circuit breaker: the host never sees more than its
// cap from both, a breaker one instance opens holds the other back too, only one instance probes it, and the
// sharing costs a few statements per host, not one per postback.

import { expect } from 'chai';
import request from 'supertest';
import type { PostbackRelayOptions } from '../../lib/options.js';
import { tableNames } from '../../lib/store/tables.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { poll } from '../helpers/poll.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

/** The hosts whose breaker the relay's gauge lists as open. */
async function openHosts(fx: RelayFixture): Promise<string[]> {
  const gauge = fx.relay.metrics.getSingleMetric('postback_relay_host_breaker_open');
  return ((await gauge?.get())?.values ?? []).map((value) => String(value.labels.host));
}

/** Attempts the relay made itself, from its own counter. */
async function attemptsMade(fx: RelayFixture): Promise<number> {
  const counter = fx.relay.metrics.getSingleMetric('postback_relay_postbacks_sent_total');
  return ((await counter?.get())?.values ?? []).reduce((sum, value) => sum + value.value, 0);
}

describeEachDatabase('the tracker host cap and breaker shared by two instances', (target) => {
  let fleet: RelayFixture[] = [];
  let tracker: TestTracker;

  beforeEach(async () => {
    tracker = await startTestTracker();
  });
  afterEach(async () => {
    for (const fx of fleet.slice(1)) await fx.close({ drop: false });
    await fleet[0]?.close();
    fleet = [];
    await tracker.close();
  });

  const startFleet = async (dispatch: NonNullable<PostbackRelayOptions['dispatch']>, size = 2) => {
    const relay = { dispatch: { idlePollMs: 20, ...dispatch } };
    const first = await startRelay(target, { relay });
    fleet = [first];
    while (fleet.length < size) fleet.push(await startRelay(target, { url: first.url, prefix: first.prefix, relay }));
    const created = await request(first.app).post('/postbacks/endpoints').set(auth).send({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `${tracker.origin}/pb?txid={transaction_id}` } });
    expect(created.status).to.equal(201);
    return fleet as [RelayFixture, RelayFixture];
  };

  it('never lets the host see more requests at once than its cap from both instances together', async () => {
    const [first, second] = await startFleet({ perHostConcurrency: 2, requestTimeoutMs: 2_000 });
    tracker.respondAfter(100);
    // Each instance sends the postbacks of the events it records: both have work for the host at once.
    for (let i = 0; i < 24; i++) await (i % 2 === 0 ? first : second).relay.recordLead({ id: `L-${i}`, clickId: `c-${i}`, affiliateId: 'aff-1' });
    await tracker.waitFor(24, 60_000);
    expect(tracker.maxConcurrent).to.equal(2);
    expect(new Set(tracker.received.map((r) => r.query.txid)).size).to.equal(24);
    await poll(() => fleet[0]?.relay.deliveries.stats(), (stats) => stats?.delivered === 24, 'every postback recorded as delivered');
    expect(tracker.received).to.have.length(24);
  });

  it('holds the host back on the other instance too once one opens its breaker; one probe goes after the cooldown, and its success closes it for both', async () => {
    const [first, second] = await startFleet({ breakerThreshold: 2, breakerCooldownMs: 1_500, requestTimeoutMs: 2_000, retrySchedule: [600_000] });
    const host = new URL(tracker.origin).host;
    tracker.respondWith(503);
    for (const i of [0, 1]) await first.relay.recordLead({ id: `L-${i}`, clickId: `c-${i}`, affiliateId: 'aff-1' });
    await tracker.waitFor(2);
    await poll(() => openHosts(first), (hosts) => hosts.includes(host), 'the breaker open on the instance that failed');
    await poll(() => openHosts(second), (hosts) => hosts.includes(host), 'the breaker open on the other instance');
    expect(await attemptsMade(second), 'the other instance learned it from the fleet, not from failures of its own').to.equal(0);

    // The first request after the cooldown is the probe: answered slowly, so another one arriving before its answer would show.
    tracker.answerWith((_request, index) => (index === 2 ? { status: 200, delayMs: 800 } : 200));
    for (const i of [2, 3, 4, 5]) await (i % 2 === 0 ? first : second).relay.recordLead({ id: `L-${i}`, clickId: `c-${i}`, affiliateId: 'aff-1' });
    const received = await tracker.waitFor(6, 30_000);
    const [probe, next] = [received[2], received[3]];
    expect(next?.at, 'no request before the probe was answered').to.be.at.least((probe?.at ?? Infinity) + 800);
    for (const fx of [first, second]) await poll(() => openHosts(fx), (hosts) => hosts.length === 0, 'the breaker closed on both instances');
    expect(new Set(received.slice(2).map((r) => r.query.txid)).size).to.equal(4);
  });

  it('costs a few statements per host, not one per postback', async () => {
    // A long request timeout: no renewal falls inside the test, whose statements are then those the postbacks caused.
    const [first] = await startFleet({ requestTimeoutMs: 10_000 }, 1);
    const t = tableNames(first.prefix);
    const statements: string[] = [];
    first.relay.knex.on('query', (query: { sql: string }) => {
      if (query.sql.includes(t.hostSlots) || query.sql.includes(t.trackerHosts)) statements.push(query.sql);
    });
    for (let i = 0; i < 100; i++) await first.relay.recordLead({ id: `L-${i}`, clickId: `c-${i}`, affiliateId: 'aff-1' });
    await tracker.waitFor(100, 30_000);
    await first.settled(30_000);
    expect(statements.length, statements.join('\n')).to.be.within(1, 4);
  });
});
