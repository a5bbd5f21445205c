// A new lead's postbacks are stored already claimed by this instance and sent once their event commits,
// within the dispatcher's bound; another instance never takes them while the lease runs.

import { expect } from 'chai';
import { tableNames, toDate } from '../../lib/store/tables.js';
import { claimsSince } from '../helpers/claims.js';
import { describeEachDatabase, mysqlTarget } from '../helpers/databases.js';
import { poll } from '../helpers/poll.js';
import { startRelay, useRelayAndTracker } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';

describeEachDatabase('the hand-off of new leads to the dispatcher', (target) => {
  let fixture: RelayFixture;
  let tracker: TestTracker;
  // One request at a time and batches of one: the dispatcher holds at most 1 + 2 x 1 deliveries. No idle polling to help.
  useRelayAndTracker(target, { relay: { dispatch: { concurrency: 1, batchSize: 1, idlePollMs: 60_000, requestTimeoutMs: 2_000 } } }, (started) => ({ fx: fixture, tracker } = started));
  beforeEach(async () => {
    await fixture.relay.endpoints.create({ affiliateId: 'aff-h', plugin: 'generic', settings: { url: `${tracker.origin}/pb?cid={click_id}` } });
  });

  // Waits until all `count` postbacks are delivered, their attempts logged. A second send of one (every send is
  // logged) would have kept it from `delivered` until that attempt was logged too, or have reached the tracker first.
  const allDelivered = (count: number) =>
    poll(
      async () => (await fixture.relay.deliveries.list({})).map((d) => ({ lead: d.leadId, status: d.status, attempts: d.attempts.length })),
      (list) => list.length === count && list.every((d) => d.status === 'delivered' && d.attempts > 0),
      `${count} postbacks delivered`,
    );
  const leased = async () => {
    const rows = await fixture.relay.knex(tableNames(fixture.prefix).deliveries).whereNotNull('locked_until').andWhere('status', 'pending').count<{ n: number | string }>({ n: '*' }).first();
    return Number(rows?.n ?? 0);
  };

  it("stores a new lead's postback under this instance's lease and sends it", async () => {
    tracker.respondAfter(400);
    await fixture.relay.recordLead({ id: 'H-1', clickId: 'ch-1', affiliateId: 'aff-h' });
    // Leased in the event's own write (a lease of 3 request timeouts from its queue time): no claim came between.
    const row = await fixture.relay.knex(tableNames(fixture.prefix).deliveries).first<{ created_at: unknown; locked_until: unknown }>('created_at', 'locked_until');
    expect(toDate(row.locked_until as Date).getTime() - toDate(row.created_at as Date).getTime()).to.equal(6_000);
    const [received] = await tracker.waitFor(1);
    expect(received?.query.cid).to.equal('ch-1');
  });

  it('does not make the dispatcher look for work when every postback of a batch was handed off', async () => {
    tracker.respondAfter(300);
    const { knex } = fixture.relay;
    const deliveries = tableNames(fixture.prefix).deliveries;
    // Any read of the outbox but the recorder's own read-back of the keys it just wrote.
    const isLookup = (sql: string) => /^select/i.test(sql) && sql.includes(deliveries) && !sql.includes('dedupe_key');
    // Restarted under watch, so that the one look for work start() makes (a claim, then a read of when the next
    // postback is due) is seen to end before the lead comes.
    await fixture.relay.stop();
    let answered = 0;
    const onResponse = (_response: unknown, query: { sql: string }) => {
      if (isLookup(query.sql)) answered += 1;
    };
    knex.on('query-response', onResponse);
    await fixture.relay.start();
    await poll(() => answered, (n) => n >= 2, "start()'s look for work");
    knex.off('query-response', onResponse);
    let lookups = 0;
    knex.on('query', (query: { sql: string }) => {
      if (isLookup(query.sql)) lookups += 1;
    });
    await fixture.relay.recordLead({ id: 'H-quiet', clickId: 'ch-q', affiliateId: 'aff-h' });
    await tracker.waitFor(1);
    expect(lookups).to.equal(0);
  });

  it('hands off no more than the queue holds; the rest are claimed as it drains, each sent once', async () => {
    tracker.respondAfter(150);
    await Promise.all(Array.from({ length: 12 }, (_, n) => fixture.relay.recordLead({ id: `H-${n}`, clickId: `ch-${n}`, affiliateId: 'aff-h' })));
    expect(await leased()).to.be.at.most(3);
    await tracker.waitFor(12, 15_000);
    const delivered = await allDelivered(12);
    expect(delivered.map((d) => d.attempts)).to.deep.equal(delivered.map(() => 1));
    expect(tracker.received).to.have.length(12);
    expect(new Set(tracker.received.map((request) => request.query.cid)).size).to.equal(12);
  });

  if (target === mysqlTarget) {
    it('leaves a handed-off postback to its instance: another one sharing the database does not send it too', async () => {
      let answer!: () => void;
      // Held unanswered until the other instance has looked for due work: the postback is on its way, under lease.
      const answered = new Promise<void>((resolve) => (answer = resolve));
      tracker.answerWith(() => ({ status: 200, until: answered }));
      const other = await startRelay(target, { url: fixture.url, prefix: fixture.prefix, relay: { dispatch: { idlePollMs: 20 } } });
      try {
        await fixture.relay.recordLead({ id: 'H-X', clickId: 'ch-x', affiliateId: 'aff-h' });
        // Arrived, not answered (what tracker.waitFor waits for).
        await poll(() => tracker.received.length, (n) => n >= 1, 'the postback at the tracker');
        await claimsSince(other.relay.knex, other.prefix);
        answer();
        const [delivery] = await allDelivered(1);
        expect(delivery?.attempts).to.equal(1);
        expect(tracker.received).to.have.length(1);
      } finally {
        await other.close({ drop: false });
      }
    });
  }
});
