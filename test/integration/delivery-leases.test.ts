// Fenced leases: a slow tracker never makes an instance send a postback twice, a stale holder's write changes nothing,
// and stop() lets go of a lease only once no request of it can still go out.

import { expect } from 'chai';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../helpers/databases.js';
import request from 'supertest';
import type { HostLogger, LogFields } from '../../lib/log.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';
import type { AttemptOutcome } from '../../lib/store/completions.js';
import { OutboxStore } from '../../lib/store/outbox-store.js';
import type { ClaimedDelivery } from '../../lib/store/outbox-store.js';
import { tableNames, toDate } from '../../lib/store/tables.js';
import { allAttempts } from '../helpers/attempts.js';
import { poll } from '../helpers/poll.js';


const delivered = (at: Date, delivery: ClaimedDelivery): AttemptOutcome => ({
  attemptedAt: at, method: 'GET', url: 'http://127.0.0.1:9/pb', statusCode: 200, latencyMs: 5, error: null, responseExcerpt: 'OK', failureKind: null,
  status: 'delivered', nextAttemptAt: at, endpointPk: delivery.endpoint.id, disableIfFailingSince: new Date(at.getTime() - 3_600_000),
});

describeEachDatabase('fenced delivery leases', (target) => {
  let fx: RelayFixture | undefined;
  let tracker: TestTracker | undefined;
  afterEach(async () => {
    await fx?.close();
    await tracker?.close();
    fx = undefined;
    tracker = undefined;
  });

  it('sends each postback once when a slow tracker keeps deliveries queued longer than their lease (concurrency 4, batch 20, timeout 1 s, 600 ms answers, 44 leads)', async function () {
    this.timeout(60_000);
    tracker = await startTestTracker();
    tracker.respondAfter(600);
    // Queued before the dispatcher starts, so its first claims take all 44 at once (4 + 2 x 20 is its room), as
    // after a backlog; and no ingest runs on the event loop while the requests' timeouts tick.
    fx = await startRelay(target, { start: false, relay: { dispatch: { idlePollMs: 20, concurrency: 4, batchSize: 20, requestTimeoutMs: 1_000 } } });
    await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `${tracker.origin}/pb?txid={transaction_id}` } });
    for (let i = 0; i < 44; i++) await fx.relay.recordLead({ id: `L-${i}`, clickId: `c${i}`, affiliateId: 'aff-1' });
    await fx.relay.start();
    const t = tableNames(fx.prefix);
    const knex = fx.relay.knex;
    // 44 postbacks, 4 at a time, 600 ms each: the last wait about 6.6 s, more than twice their 3 s lease.
    await poll(async () => Number((await knex(t.deliveries).where('status', 'delivered').count<{ n: number | string }>({ n: '*' }).first())?.n ?? 0), (n) => n === 44, 'all 44 delivered', 30_000);
    expect(tracker.received).to.have.length(44);
    expect(new Set(tracker.received.map((r) => r.query.txid)).size).to.equal(44);
    expect(await knex.from(allAttempts(knex, t)).count<{ n: number | string }>({ n: '*' }).first().then((row) => Number(row?.n))).to.equal(44);
  });

  it('stops with a request on the wire: aborts it at its timeout, records it ambiguous, gives back the lease of what never started', async () => {
    tracker = await startTestTracker();
    tracker.answerWith(() => 'hang');
    const errors: string[] = [];
    const record = (_fields: LogFields, message: string) => void errors.push(message);
    const logger: HostLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: record };
    // One request at a time, and a request timeout far past the stop timeout: the second lead waits in the queue.
    fx = await startRelay(target, { relay: { logger, dispatch: { idlePollMs: 20, concurrency: 1, requestTimeoutMs: 30_000, stopTimeoutMs: 200 } } });
    await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `${tracker.origin}/pb?txid={transaction_id}` } });
    await fx.relay.recordLead({ id: 'L-1', clickId: 'c1', affiliateId: 'aff-1' });
    await fx.relay.recordLead({ id: 'L-2', clickId: 'c2', affiliateId: 'aff-1' });
    await tracker.waitFor(1);

    await fx.relay.stop();
    const [onWire] = await fx.relay.deliveries.listForLead('L-1');
    expect(onWire).to.deep.include({ status: 'pending', attemptCount: 1 });
    expect(onWire?.attempts.map((a) => [a.failureKind, a.statusCode])).to.deep.equal([['ambiguous', null]]);
    const api = await request(fx.app).get(`/postbacks/deliveries/${onWire?.id ?? ''}`).set(auth);
    const { attempts } = (api.body as { data: { attempts: Array<{ failureKind: string }> } }).data;
    expect(attempts.map((a) => a.failureKind)).to.deep.equal(['ambiguous']);
    const [queued] = await fx.relay.deliveries.listForLead('L-2');
    expect(queued).to.deep.include({ status: 'pending', attemptCount: 0 });
    const t = tableNames(fx.prefix);
    // Both leases given back: the aborted one after its attempt was recorded, the queued one never sent.
    expect(await fx.relay.knex(t.deliveries).whereNotNull('locked_until').pluck('pk')).to.deep.equal([]);
    expect(await fx.relay.knex(t.deliveries).whereNotNull('lease_token').pluck('pk')).to.deep.equal([]);
    expect(tracker.received).to.have.length(1);
    expect(errors).to.deep.equal([]);
  });

  it('stops with an overdue request on the wire (one that gave its place to the next postback): waits for it, aborts it, records it ambiguous', async () => {
    tracker = await startTestTracker();
    tracker.answerWith(() => 'hang');
    const healthy = await startTestTracker();
    try {
      // One place; the hanging request gives it up after 500 ms (a tenth of the timeout), long before it times out.
      fx = await startRelay(target, { relay: { dispatch: { idlePollMs: 20, concurrency: 1, requestTimeoutMs: 5_000, stopTimeoutMs: 200 } } });
      await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `${tracker.origin}/pb?txid={transaction_id}` } });
      await fx.relay.endpoints.create({ affiliateId: 'aff-2', plugin: 'generic', settings: { url: `${healthy.origin}/pb?txid={transaction_id}` } });
      await fx.relay.recordLead({ id: 'L-1', clickId: 'c1', affiliateId: 'aff-1' });
      await tracker.waitFor(1);
      await fx.relay.recordLead({ id: 'L-2', clickId: 'c2', affiliateId: 'aff-2' });
      // Sent on the one place, so the hanging request had stepped aside.
      await healthy.waitFor(1);

      await fx.relay.stop();
      const [onWire] = await fx.relay.deliveries.listForLead('L-1');
      expect(onWire).to.deep.include({ status: 'pending', attemptCount: 1 });
      expect(onWire?.attempts.map((a) => [a.failureKind, a.statusCode])).to.deep.equal([['ambiguous', null]]);
      const [sent] = await fx.relay.deliveries.listForLead('L-2');
      expect(sent).to.deep.include({ status: 'delivered', attemptCount: 1 });
      const t = tableNames(fx.prefix);
      expect(await fx.relay.knex(t.deliveries).whereNotNull('lease_token').pluck('pk')).to.deep.equal([]);
    } finally {
      await healthy.close();
    }
  });

  describe('the outbox store', () => {
    let knex: Knex;
    let outbox: OutboxStore;
    let t: ReturnType<typeof tableNames>;
    beforeEach(async () => {
      fx = await startRelay(target, { start: false });
      await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb?txid={transaction_id}' } });
      await fx.relay.recordLead({ id: 'L-1', clickId: 'c1', affiliateId: 'aff-1' });
      knex = fx.relay.knex;
      t = tableNames(fx.prefix);
      outbox = new OutboxStore(knex, t);
    });
    const row = async () => {
      const found = await knex(t.deliveries).first<{ status: string; attempt_count: number; lease_token: string | null; locked_until: Date | string | number | null }>(
        'status', 'attempt_count', 'lease_token', 'locked_until',
      );
      return { ...found, locked_until: found.locked_until === null ? null : toDate(found.locked_until).getTime() };
    };

    it('lets a completion, postpone, release or renewal by a holder whose lease was taken over change nothing', async () => {
      const start = Date.now();
      const [first] = await outbox.claim(10, { until: new Date(start + 1_000), token: 'holder-a' }, new Date(start));
      expect(first?.leaseToken).to.equal('holder-a');
      // A's lease ran out; B claims the delivery.
      const [second] = await outbox.claim(10, { until: new Date(start + 60_000), token: 'holder-b' }, new Date(start + 2_000));
      expect(second?.pk).to.equal(first?.pk);
      const a = first as ClaimedDelivery;
      const owned = await row();
      expect(owned).to.deep.include({ status: 'pending', attempt_count: 0, lease_token: 'holder-b' });

      const result = await outbox.completeMany([{ pk: a.pk, leaseToken: 'holder-a', firstAttempt: true, outcome: delivered(new Date(start + 2_500), a) }]);
      expect(result.stale).to.deep.equal([a.pk]);
      expect(await outbox.postpone([a], new Date(start + 90_000))).to.deep.equal([a.pk]);
      expect(await outbox.release([a])).to.equal(0);
      expect(await outbox.renew([a], new Date(start + 120_000))).to.deep.equal([]);
      expect(await row()).to.deep.equal(owned);
      // The stale holder's request did go out: its attempt is in the log, though the delivery's state is B's.
      expect((await fx?.relay.deliveries.listForLead('L-1'))?.[0]?.attempts).to.have.length(1);

      // B's own writes go through.
      expect(await outbox.renew([second as ClaimedDelivery], new Date(start + 120_000))).to.deep.equal([a.pk]);
      expect((await outbox.completeMany([{ pk: a.pk, leaseToken: 'holder-b', firstAttempt: true, outcome: delivered(new Date(start + 3_000), a) }])).stale).to.deep.equal([]);
      expect(await row()).to.deep.include({ status: 'delivered', attempt_count: 1, lease_token: null, locked_until: null });
      // Both requests are in the log, in the order they were made: A's in the attempts table, B's on the row.
      const attempts = (await fx?.relay.deliveries.listForLead('L-1'))?.[0]?.attempts ?? [];
      expect(attempts.map((attempt) => attempt.attemptedAt.getTime())).to.deep.equal([start + 2_500, start + 3_000]);
    });

    it('never claims a delivery its claimer already holds, even past its lease', async () => {
      const start = Date.now();
      const [held] = await outbox.claim(10, { until: new Date(start + 1_000), token: 'holder-a' }, new Date(start));
      const pk = (held as ClaimedDelivery).pk;
      expect(await outbox.claim(10, { until: new Date(start + 60_000), token: 'again' }, new Date(start + 2_000), { deliveries: new Set([pk]) })).to.deep.equal([]);
      expect(await row()).to.deep.include({ lease_token: 'holder-a' });
    });
  });
});
