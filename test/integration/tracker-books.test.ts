// End to end over HTTP, on both databases: per-click totals across leads, the unconfirmed state for a tracker that
// cannot dedupe, Voluum's correction mode, and the drift report that checks each against the truth.

import { expect } from 'chai';
import request from 'supertest';
import { addDecimal } from '../../lib/money.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { auth, useRelayAndTracker } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';
import { poll } from '../helpers/poll.js';

describeEachDatabase('tracker books end to end', (target) => {
  let fx: RelayFixture;
  let tracker: TestTracker;
  useRelayAndTracker(target, {}, (started) => ({ fx, tracker } = started));

  const api = () => request(fx.app);
  const post = async (path: string, body: object, status = 201) => (await api().post(`/postbacks${path}`).set(auth).send(body).expect(status)).body as { data: Record<string, unknown>; warnings?: Array<{ code: string }> };
  const endpoint = (plugin: string, settings: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    post('/endpoints', { affiliateId: 'aff-1', plugin, settings: { baseUrl: tracker.origin, ...settings }, ...extra });
  const drift = async (id: string, query = '') => (await api().get(`/postbacks/endpoints/${id}/drift${query}`).set(auth).expect(200)).body.data as {
    totals: { clicks: number; clicksDiffering: number; truth: string; expected: string; difference: string };
    differing: Array<{ clickId: string; difference: string; reasons: string[] }>;
  };
  async function statusOf(deliveryId: string, wanted: string, timeoutMs = 5000): Promise<void> {
    const statusNow = async () => ((await api().get(`/postbacks/deliveries/${deliveryId}`).set(auth).expect(200)).body.data as { status: string }).status;
    await poll(statusNow, (status) => status === wanted, `delivery ${deliveryId} ${wanted}`, timeoutMs);
  }
  const deliveryOf = async (filter: (d: { id: string; commissionId: string | null; event: string }) => boolean) =>
    ((await api().get('/postbacks/deliveries').set(auth).expect(200)).body.data as Array<{ id: string; commissionId: string | null; event: string }>).find(filter);

  it('two leads on one click reach a one-conversion-per-click tracker (Binom) with the click\'s total, in order', async () => {
    const { data } = await endpoint('binom', {});
    await post('/events/leads', { id: 'LA', clickId: 'X', affiliateId: 'aff-1' });
    await post('/events/commissions', { id: 'CA', leadId: 'LA', amount: '10.00' });
    await post('/events/leads', { id: 'LB', clickId: 'X', affiliateId: 'aff-1' });
    await post('/events/commissions', { id: 'CB', leadId: 'LB', amount: '5.00' });
    const received = await tracker.waitFor(4);
    await fx.settled();
    // Lead B waits behind lead A's commission, and carries the click's total, as a sale, not a fresh lead at 0.
    expect(received.map((r) => [r.query.payout, r.query.cnv_status])).to.deep.equal([['0', 'lead'], ['10', 'sale'], ['10', 'sale'], ['15', 'sale']]);
    const report = await drift(String(data.id), '?clickId=X');
    expect(report.totals).to.deep.equal({ clicks: 1, clicksDiffering: 0, truth: '15', expected: '15', difference: '0' });
  });

  it('a tracker that dedupes by nothing (Binom with Upsell) whose answer is lost: unconfirmed, not sent again, until an operator decides', async () => {
    const { data, warnings } = await endpoint('binom', { upsell: 'on' });
    expect(warnings?.map((w) => w.code)).to.deep.equal(['no_dedupe']);
    // Each commission's first postback is recorded by the tracker, but the answer is a 500.
    const first = new Set<string>();
    tracker.answerWith((r) => {
      if (r.query.cnv_status !== 'sale' || first.has(r.query.payout ?? '')) return 200;
      first.add(r.query.payout ?? '');
      return 500;
    });
    await post('/events/leads', { id: 'L1', clickId: 'Y', affiliateId: 'aff-1' });
    await post('/events/commissions', { id: 'C1', leadId: 'L1', amount: '10' });
    await post('/events/commissions', { id: 'C2', leadId: 'L1', amount: '7' });
    await tracker.waitFor(3);
    const c1 = await deliveryOf((d) => d.commissionId === 'C1');
    const c2 = await deliveryOf((d) => d.commissionId === 'C2');
    await statusOf(c1?.id ?? '', 'unconfirmed');
    await statusOf(c2?.id ?? '', 'unconfirmed');
    // A positive signal first: a later event's postback arrives; then only it was added, neither held one again.
    await post('/events/commissions', { id: 'C3', leadId: 'L1', amount: '1' });
    await tracker.waitFor(4);
    await fx.settled();
    expect(tracker.received.map((r) => r.query.payout)).to.deep.equal(['0', '10', '7', '1']);
    const held = await drift(String(data.id));
    expect(held.totals.difference).to.equal('0');
    expect(held.totals.expected).to.equal('18');

    // The tracker has C1: the operator marks it delivered. C2 was lost: sent again, once.
    const marked = (await api().post(`/postbacks/deliveries/${c1?.id}/mark-delivered`).set(auth).send({}).expect(200)).body.data as { status: string };
    expect(marked.status).to.equal('delivered');
    const again = await api().post(`/postbacks/deliveries/${c1?.id}/mark-delivered`).set(auth).send({}).expect(409);
    expect(again.body.error.code).to.equal('ERR_PB_NOT_UNCONFIRMED');
    await api().post(`/postbacks/deliveries/${c2?.id}/send-again`).set(auth).send({}).expect(202);
    await statusOf(c2?.id ?? '', 'delivered');
    expect(tracker.received.map((r) => r.query.payout)).to.deep.equal(['0', '10', '7', '1', '7']);
  });

  it('Voluum in correction mode ends with conversions summing to the truth, and its drift report agrees', async () => {
    const refused = await post('/endpoints', { affiliateId: 'aff-1', plugin: 'binom', settings: { baseUrl: tracker.origin }, adjustmentMode: 'correction' }, 400);
    expect((refused as unknown as { error: { field: string } }).error.field).to.equal('adjustmentMode');
    const { data, warnings } = await endpoint('voluum', {}, { adjustmentMode: 'correction' });
    expect(warnings?.map((w) => w.code)).to.deep.equal(['inferred_correction']);
    await post('/events/leads', { id: 'L1', clickId: 'Z', affiliateId: 'aff-1' });
    await post('/events/commissions', { id: 'C1', leadId: 'L1', amount: '10', currency: 'EUR' });
    await post('/events/commissions', { id: 'C2', leadId: 'L1', amount: '2.5', currency: 'EUR' });
    await post('/events/adjustments', { id: 'A1', commissionId: 'C1', amount: '12.75' });
    await post('/events/adjustments', { id: 'A2', commissionId: 'C1', amount: '4' });
    await post('/events/adjustments', { id: 'A3', commissionId: 'C2', amount: '0' });
    const received = await tracker.waitFor(6);
    await fx.settled();
    // Voluum counts one conversion per cid+txid [doc]; the corrections carry their own txid and the signed change.
    const conversions = new Map(received.map((r) => [`${r.query.cid}|${r.query.txid}`, r.query.payout ?? '0']));
    expect([...conversions.values()].reduce(addDecimal, '0')).to.equal('4');
    expect(received.filter((r) => r.query.et === 'correction').map((r) => r.query.payout)).to.deep.equal(['2.75', '-8.75', '-2.5']);
    const report = await drift(String(data.id));
    expect(report.totals).to.deep.equal({ clicks: 1, clicksDiffering: 0, truth: '4', expected: '4', difference: '0' });
  });

  it('the drift report shows what the default mode leaves out, per click, with the reason', async () => {
    const { data } = await endpoint('voluum', {});
    await post('/events/leads', { id: 'L1', clickId: 'W', affiliateId: 'aff-1' });
    await post('/events/commissions', { id: 'C1', leadId: 'L1', amount: '10' });
    await post('/events/adjustments', { id: 'A1', commissionId: 'C1', amount: '4' });
    await tracker.waitFor(2);
    await fx.settled();
    const report = await drift(String(data.id), `?since=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`);
    expect(report.totals).to.deep.equal({ clicks: 1, clicksDiffering: 1, truth: '4', expected: '10', difference: '-6' });
    expect(report.differing[0]?.clickId).to.equal('W');
    expect(report.differing[0]?.reasons.join(' ')).to.match(/adjustment A1 .* is skipped: skipped: the endpoint's adjustment mode is skip/);
    await api().get(`/postbacks/endpoints/${String(data.id)}/drift?limit=0`).set(auth).expect(400);
  });
});
