// The foundation end to end, on SQLite and on MariaDB: events in over HTTP, durable outbox, postbacks out to a real tracker.

import { expect } from 'chai';
import request from 'supertest';
import { describeEachDatabase } from '../helpers/databases.js';
import { auth, startRelay, useRelayAndTracker } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('postback pipeline', (target) => {
  let fx: RelayFixture;
  let tracker: TestTracker;
  useRelayAndTracker(target, {}, (started) => ({ fx, tracker } = started));

  const post = (path: string, body: unknown) => request(fx.app).post(`/postbacks${path}`).set(auth).send(body as object);

  async function createEndpoint(extra: Record<string, unknown> = {}) {
    const res = await post('/endpoints', {
      affiliateId: 'aff-1',
      plugin: 'generic',
      settings: {
        url: `${tracker.origin}/pb?cid={click_id}&et={event}&payout={payout}&delta={delta}&txid={transaction_id}&cur={currency}&sub1={sub1}`,
      },
      ...extra,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.data as { id: string };
  }

  const lead = { id: 'L-1', clickId: 'abc 1&x=2', affiliateId: 'aff-1', offerId: 'offer-9', sub1: 'ü' };
  const commission1 = { id: 'C-1', leadId: 'L-1', amount: '12.50', currency: 'EUR' };
  const commission2 = { id: 'C-2', leadId: 'L-1', amount: 0.1 };
  const adjustment = { id: 'A-1', commissionId: 'C-1', delta: '-2.25', reason: 'partial return' };

  async function sendAll() {
    const responses = [
      await post('/events/leads', lead),
      await post('/events/commissions', commission1),
      await post('/events/commissions', commission2),
      await post('/events/adjustments', adjustment),
    ];
    for (const res of responses) expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return responses;
  }

  it('sends exactly four postbacks for a lead with two commissions and one adjustment', async () => {
    await createEndpoint();
    await sendAll();
    const received = await tracker.waitFor(4);
    await sleep(300);
    expect(received).to.have.length(4);
    const byTxid = Object.fromEntries(received.map((r) => [r.query.txid, r.query]));
    expect(byTxid).to.deep.equal({
      'lead-L-1': { cid: 'abc 1&x=2', et: 'lead_created', payout: '0', delta: '0', txid: 'lead-L-1', cur: '', sub1: 'ü' },
      'com-C-1': { cid: 'abc 1&x=2', et: 'commission_earned', payout: '12.5', delta: '12.5', txid: 'com-C-1', cur: 'EUR', sub1: 'ü' },
      'com-C-2': { cid: 'abc 1&x=2', et: 'commission_earned', payout: '0.1', delta: '0.1', txid: 'com-C-2', cur: 'USD', sub1: 'ü' },
      'adj-A-1': { cid: 'abc 1&x=2', et: 'commission_adjusted', payout: '10.25', delta: '-2.25', txid: 'adj-A-1', cur: 'EUR', sub1: 'ü' },
    });
    // The click ID's "&" and "=" arrived encoded: they did not add a parameter.
    expect(received.every((r) => Object.keys(r.query).length === 7)).to.equal(true);
    const deliveries = await fx.relay.deliveries.listForLead('L-1');
    expect(deliveries.map((d) => d.status)).to.deep.equal(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(deliveries.every((d) => d.attempts.length === 1 && d.attempts[0]?.statusCode === 200)).to.equal(true);
  });

  it('answers a repeated event as the first time and sends no second postback', async () => {
    await createEndpoint();
    const first = await sendAll();
    await tracker.waitFor(4);
    const again = await sendAll();
    for (const [index, res] of again.entries()) {
      expect(res.get('Idempotent-Replayed')).to.equal('true');
      expect(res.body).to.deep.equal(first[index]?.body);
    }
    expect(first[0]?.get('Idempotent-Replayed')).to.equal('false');
    // A repeat written differently but meaning the same ("12.5" for "12.50") is the same event.
    expect((await post('/events/commissions', { ...commission1, amount: '12.5' })).status).to.equal(201);
    await sleep(400);
    expect(tracker.received).to.have.length(4);
    const adjusted = await post('/events/adjustments', { id: 'A-2', commissionId: 'C-1', amount: '20' });
    expect(adjusted.body.data).to.include({ amountBefore: '10.25', amountAfter: '20', delta: '9.75' });
  });

  it('refuses the same id with a different body with a 409, changing nothing', async () => {
    await createEndpoint();
    await sendAll();
    await tracker.waitFor(4);
    await fx.settled();
    const before = await fx.countRows();
    const conflicts = [
      await post('/events/leads', { ...lead, clickId: 'other' }),
      await post('/events/commissions', { ...commission1, amount: '13' }),
      await post('/events/adjustments', { ...adjustment, delta: '-1' }),
    ];
    for (const res of conflicts) {
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('ERR_PB_IDEMPOTENCY_CONFLICT');
    }
    expect(await fx.countRows()).to.deep.equal(before);
  });

  it('keeps a delivery pending, with its attempt recorded, when the tracker answers 500', async () => {
    await createEndpoint();
    tracker.respondWith(500);
    await post('/events/leads', lead).expect(201);
    await tracker.waitFor(1);
    await sleep(200);
    const [delivery] = await fx.relay.deliveries.listForLead('L-1');
    expect(delivery).to.include({ status: 'pending', attemptCount: 1, lastStatusCode: 500 });
    expect(delivery?.nextAttemptAt.getTime()).to.be.greaterThan(Date.now());
    expect(delivery?.attempts).to.have.length(1);
    expect(delivery?.attempts[0]).to.include({ statusCode: 500, method: 'GET', error: 'tracker answered HTTP 500' });
    expect(delivery?.attempts[0]?.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/pb\?cid=abc%201%26x%3D2&/);
  });

  it('keeps an acknowledged event across a restart and delivers it when a relay starts again', async () => {
    await createEndpoint();
    const stopped = await startRelay(target, { url: fx.url, prefix: fx.prefix, start: false });
    await request(stopped.app).post('/postbacks/events/leads').set(auth).send({ ...lead, id: 'L-restart' }).expect(201);
    await stopped.close({ drop: false });
    await sleep(150);
    // The fixture's own relay shares the database: it picks the delivery up.
    const [received] = await tracker.waitFor(1);
    expect(received?.query.txid).to.equal('lead-L-restart');
  });

  it('records leads through the in-process API like the HTTP one', async () => {
    await createEndpoint();
    const recorded = await fx.relay.recordLead({ id: 'L-in', clickId: 'zz', affiliateId: 'aff-1' });
    expect(recorded).to.include({ replayed: false, deliveriesQueued: 1 });
    expect(recorded.record).to.include({ id: 'L-in', clickId: 'zz', source: 'api', offerId: null });
    const commission = await fx.relay.recordCommission({ id: 'C-in', leadId: 'L-in', amount: '5' });
    expect(commission.record).to.include({ amount: '5', currency: 'USD' });
    const change = await fx.relay.adjustCommission({ id: 'A-in', commissionId: 'C-in', amount: '0' });
    expect(change.record).to.include({ amountAfter: '0', delta: '-5' });
    expect((await fx.relay.recordLead({ id: 'L-in', clickId: 'zz', affiliateId: 'aff-1' })).replayed).to.equal(true);
    await tracker.waitFor(3);
  });

  it("fires an offer's own endpoint instead of the affiliate's global one, and only subscribed events", async () => {
    const global = await createEndpoint();
    await createEndpoint({ offerId: 'offer-9', settings: { url: `${tracker.origin}/offer?txid={transaction_id}` }, events: ['lead_created'] });
    await post('/events/leads', lead).expect(201);
    await post('/events/leads', { ...lead, id: 'L-2', offerId: 'offer-other' }).expect(201);
    await post('/events/commissions', commission1).expect(201);
    await tracker.waitFor(3);
    await sleep(300);
    const seen = tracker.received.map((r) => `${r.path} ${r.query.txid ?? ''}`).sort();
    // L-1's lead event goes to the offer endpoint only; its commission (not subscribed there) to the global one.
    expect(seen).to.deep.equal(['/offer lead-L-1', '/pb com-C-1', '/pb lead-L-2']);
    const disabled = await request(fx.app).patch(`/postbacks/endpoints/${global.id}`).set(auth).send({ enabled: false });
    expect(disabled.body.data.enabled).to.equal(false);
    const res = await post('/events/commissions', { ...commission1, id: 'C-9' });
    expect(res.status).to.equal(201);
    expect((await fx.relay.deliveries.listForLead('L-1')).map((d) => d.commissionId)).to.not.include('C-9');
  });

  describe('bad input gets a 4xx and stores nothing', () => {
    const cases: Array<[string, () => request.Test, number, string, string?]> = [
      ['a missing click ID', () => post('/events/leads', { id: 'L-x', affiliateId: 'aff-1' }), 400, 'ERR_PB_VALIDATION', 'clickId'],
      ['a click ID with a control character', () => post('/events/leads', { ...lead, id: 'L-x', clickId: 'a\u0000b' }), 400, 'ERR_PB_VALIDATION', 'clickId'],
      ['an over-long click ID', () => post('/events/leads', { ...lead, id: 'L-x', clickId: 'x'.repeat(256) }), 400, 'ERR_PB_VALIDATION', 'clickId'],
      ['payout "abc"', () => post('/events/commissions', { ...commission1, id: 'C-x', amount: 'abc' }), 400, 'ERR_PB_VALIDATION', 'amount'],
      [
        'payout 1e309',
        () => request(fx.app).post('/postbacks/events/commissions').set(auth).type('json').send('{"id":"C-x","leadId":"L-1","amount":1e309}'),
        400,
        'ERR_PB_VALIDATION',
        'amount',
      ],
      ['payout "1e3"', () => post('/events/commissions', { ...commission1, id: 'C-x', amount: '1e3' }), 400, 'ERR_PB_VALIDATION', 'amount'],
      ['payout with 7 decimals', () => post('/events/commissions', { ...commission1, id: 'C-x', amount: '0.1234567' }), 400, 'ERR_PB_VALIDATION', 'amount'],
      ['a negative payout on a commission', () => post('/events/commissions', { ...commission1, id: 'C-x', amount: '-1' }), 400, 'ERR_PB_VALIDATION', 'amount'],
      ['a click ID of the wrong type', () => post('/events/leads', { ...lead, id: 'L-x', clickId: 123 }), 400, 'ERR_PB_VALIDATION', 'clickId'],
      ['an unknown field', () => post('/events/leads', { ...lead, id: 'L-x', clickid: 'typo' }), 400, 'ERR_PB_VALIDATION', 'clickid'],
      ['a currency that is not ISO 4217 shaped', () => post('/events/commissions', { ...commission1, id: 'C-x', currency: 'usd' }), 400, 'ERR_PB_VALIDATION', 'currency'],
      ['both amount and delta', () => post('/events/adjustments', { ...adjustment, id: 'A-x', amount: '1' }), 400, 'ERR_PB_VALIDATION', 'amount'],
      ['a bad timestamp', () => post('/events/leads', { ...lead, id: 'L-x', occurredAt: 'yesterday' }), 400, 'ERR_PB_VALIDATION', 'occurredAt'],
      ['an array body', () => post('/events/leads', [lead]), 400, 'ERR_PB_VALIDATION'],
      [
        'malformed JSON',
        () => request(fx.app).post('/postbacks/events/leads').set(auth).type('json').send('{"id": "L-x",'),
        400,
        'ERR_PB_MALFORMED_BODY',
      ],
      [
        'a non-JSON body',
        () => request(fx.app).post('/postbacks/events/leads').set(auth).type('form').send('id=L-x'),
        415,
        'ERR_PB_UNSUPPORTED_MEDIA_TYPE',
      ],
      ['a 2 MB body', () => post('/events/leads', { ...lead, id: 'L-x', sub2: 'x'.repeat(2 * 1024 * 1024) }), 413, 'ERR_PB_PAYLOAD_TOO_LARGE'],
      ['no API key', () => request(fx.app).post('/postbacks/events/leads').send({ ...lead, id: 'L-x' }), 401, 'ERR_PB_UNAUTHORIZED'],
      [
        'a wrong API key',
        () => request(fx.app).post('/postbacks/events/leads').set({ Authorization: 'Bearer test-key-0123456780' }).send({ ...lead, id: 'L-x' }),
        401,
        'ERR_PB_UNAUTHORIZED',
      ],
      ['a commission for an unknown lead', () => post('/events/commissions', { ...commission1, id: 'C-x', leadId: 'nope' }), 422, 'ERR_PB_UNKNOWN_LEAD', 'leadId'],
      [
        'an adjustment for an unknown commission',
        () => post('/events/adjustments', { ...adjustment, id: 'A-x', commissionId: 'nope' }),
        422,
        'ERR_PB_UNKNOWN_COMMISSION',
        'commissionId',
      ],
      ['an adjustment below zero', () => post('/events/adjustments', { ...adjustment, id: 'A-x', delta: '-100' }), 422, 'ERR_PB_NEGATIVE_AMOUNT', 'delta'],
    ];

    for (const [what, send, status, code, field] of cases) {
      it(`refuses ${what} with ${status} ${code}`, async () => {
        await createEndpoint();
        await post('/events/leads', lead).expect(201);
        await post('/events/commissions', commission1).expect(201);
        await tracker.waitFor(2);
        await fx.settled();
        const before = await fx.countRows();
        const res = await send();
        expect(res.status, JSON.stringify(res.body)).to.equal(status);
        expect(res.body.error.code).to.equal(code);
        expect(res.body.error.message).to.be.a('string').and.not.equal('');
        if (field) expect(res.body.error.field).to.equal(field);
        expect(await fx.countRows()).to.deep.equal(before);
      });
    }
  });

  describe('endpoints API', () => {
    it('refuses an unknown macro, an unknown plugin and a macro in the host when the endpoint is saved', async () => {
      const bad = [
        [{ plugin: 'generic', settings: { url: 'http://127.0.0.1/pb?x={clickid}' } }, 'ERR_PB_INVALID_SETTINGS', 'settings.url', /unknown macro \{clickid\}/],
        [{ plugin: 'nope', settings: {} }, 'ERR_PB_UNKNOWN_PLUGIN', 'plugin', /not registered/],
        [{ plugin: 'generic', settings: { url: 'http://{sub1}.example/pb' } }, 'ERR_PB_INVALID_SETTINGS', 'settings.url', /host/],
        [{ plugin: 'generic', settings: { url: 'ftp://127.0.0.1/pb' } }, 'ERR_PB_INVALID_SETTINGS', 'settings.url', /http/],
        [{ plugin: 'generic', settings: {}, events: ['sale'] }, 'ERR_PB_VALIDATION', 'events[0]', /one of/],
      ] as const;
      for (const [body, code, field, message] of bad) {
        const res = await post('/endpoints', { affiliateId: 'aff-1', ...body });
        expect(res.status, JSON.stringify(res.body)).to.equal(400);
        expect(res.body.error).to.include({ code, field });
        expect(res.body.error.message).to.match(message);
      }
      expect((await request(fx.app).get('/postbacks/endpoints').set(auth)).body.data).to.deep.equal([]);
    });

    it('creates, reads, lists and updates endpoints, and answers 404 for an unknown one', async () => {
      const created = await createEndpoint({ name: 'Voluum of aff-1' });
      const got = await request(fx.app).get(`/postbacks/endpoints/${created.id}`).set(auth).expect(200);
      expect(got.body.data).to.include({ affiliateId: 'aff-1', plugin: 'generic', enabled: true, name: 'Voluum of aff-1', offerId: null });
      expect(got.body.data.events).to.deep.equal(['lead_created', 'commission_earned', 'commission_adjusted']);
      const patched = await request(fx.app).patch(`/postbacks/endpoints/${created.id}`).set(auth).send({ name: null, offerId: 'o-2' }).expect(200);
      expect(patched.body.data).to.include({ name: null, offerId: 'o-2' });
      const list = await request(fx.app).get('/postbacks/endpoints?affiliateId=aff-1').set(auth).expect(200);
      expect(list.body.data).to.have.length(1);
      const missing = await request(fx.app).get('/postbacks/endpoints/999999').set(auth);
      expect(missing.status).to.equal(404);
      expect(missing.body.error.code).to.equal('ERR_PB_NOT_FOUND');
    });
  });
});
