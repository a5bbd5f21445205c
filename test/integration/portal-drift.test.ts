// The drift report in the affiliate portal: the affiliate's own endpoint's page and JSON, with the figures its real
// tracker's answers (on 127.0.0.1) leave, escaped, under the portal's headers; a bad query is a 400 naming the field.

import { expect } from 'chai';
import express from 'express';
import type { Express } from 'express';
import request from 'supertest';
import type { DriftReport } from '../../lib/drift/report.js';
import type { Endpoint } from '../../lib/endpoints/types.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { waitForDeliveries } from '../helpers/delivery.js';
import { useRelayAndTracker } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';

// A click ID as hostile as the validation lets through: the page must show it as text.
const CLICK = 'c<i>1</i>&"x';

describeEachDatabase('affiliate portal: drift report', (target) => {
  let fx: RelayFixture;
  let tracker: TestTracker;
  let app: Express;
  let endpoint: Endpoint;
  let failedId: string;
  useRelayAndTracker(target, { relay: { dispatch: { idlePollMs: 20, retrySchedule: [] }, portal: { linkSecrets: ['portal-link-secret-0123456789abcdef'] } } }, (started) => {
    ({ fx, tracker } = started);
  });
  const as = (test: request.Test) => test.set('x-test-affiliate', 'aff-A');

  beforeEach(async () => {
    app = express();
    app.use('/portal', fx.relay.portal({ affiliateOf: (req) => req.get('x-test-affiliate') }));
    // The tracker refuses commission C2's conversion; no retries, so it is a dead letter at once.
    tracker.answerWith((received) => (received.query.txid === 'com-C2' ? 500 : 200));
    endpoint = await fx.relay.endpoints.create({ affiliateId: 'aff-A', name: 'My Voluum', plugin: 'voluum', settings: { baseUrl: tracker.origin } });
    await fx.relay.recordLead({ id: 'L1', clickId: CLICK, affiliateId: 'aff-A' });
    await fx.relay.recordCommission({ id: 'C1', leadId: 'L1', amount: '12.50' });
    // Voluum's default adjustment mode is skip: the tracker keeps 12.50 for C1.
    await fx.relay.adjustCommission({ id: 'A1', commissionId: 'C1', delta: '-2.50' });
    // Last: a failed postback holds back the lead's later ones (docs/delivery.md, ordering).
    await fx.relay.recordCommission({ id: 'C2', leadId: 'L1', amount: '7.25' });
    await fx.relay.recordLead({ id: 'L2', clickId: 'c2', affiliateId: 'aff-A' });
    await fx.relay.recordCommission({ id: 'C3', leadId: 'L2', amount: '5' });
    const first = await waitForDeliveries(fx, 'L1', (list) => list.length === 4 && list.every((delivery) => delivery.status !== 'pending'));
    await waitForDeliveries(fx, 'L2', (list) => list.length === 2 && list.every((delivery) => delivery.status === 'delivered'));
    failedId = first.find((delivery) => delivery.commissionId === 'C2' && delivery.event === 'commission_earned')!.id;
    expect(first.map((delivery) => delivery.status).sort()).to.deep.equal(['delivered', 'delivered', 'failed', 'skipped']);
  });

  it("answers the report of the affiliate's endpoint as JSON: the truth, what the tracker should show, and why they differ", async () => {
    const answer = await as(request(app).get(`/portal/api/endpoints/${endpoint.id}/drift`)).expect(200);
    const report = (answer.body as { data: DriftReport }).data;
    // Truth: C1 now 10 + C2 7.25; the tracker holds C1 at 12.50 (its adjustment skipped) and never got C2.
    expect(report.totals).to.deep.equal({ clicks: 2, clicksDiffering: 1, truth: '22.25', expected: '17.5', difference: '4.75' });
    expect(report).to.include({ endpointId: endpoint.id, plugin: 'voluum', adjustmentMode: 'skip', next: null });
    expect(report.differing).to.have.length(1);
    expect(report.differing[0]).to.include({ clickId: CLICK, truth: '17.25', expected: '12.5', difference: '4.75' });
    expect(report.differing[0]!.reasons.join('\n')).to.include(`commission C2 (delivery ${failedId}) is failed`).and.include('adjustment A1').and.include('skipped');

    const one = await as(request(app).get(`/portal/api/endpoints/${endpoint.id}/drift`).query({ clickId: 'c2' })).expect(200);
    expect((one.body as { data: DriftReport }).data.totals).to.deep.equal({ clicks: 1, clicksDiffering: 0, truth: '5', expected: '5', difference: '0' });
  });

  it('refuses a bad query with 400 naming the field, on the API and the page', async () => {
    const api = await as(request(app).get(`/portal/api/endpoints/${endpoint.id}/drift?limit=0`));
    expect(api.status).to.equal(400);
    expect(api.body).to.have.nested.property('error.code', 'ERR_PB_VALIDATION');
    expect(api.body).to.have.nested.property('error.field', 'limit');
    const page = await as(request(app).get(`/portal/endpoints/${endpoint.id}/drift?since=yesterday`));
    expect(page.status).to.equal(400);
    expect(page.text).to.include('since');
  });

  it("shows the report as a page in the portal's navigation, escaped, and links it from the endpoint's page", async () => {
    const page = await as(request(app).get(`/portal/endpoints/${endpoint.id}/drift`)).expect(200);
    expect(page.headers['content-security-policy']).to.include("script-src 'self'").and.include("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).to.equal('DENY');
    expect(page.text).to.include('<title>Drift: My Voluum · postback-relay</title>');
    expect(page.text).to.include('<a href="/portal/endpoints" aria-current="page">My postbacks</a>').and.not.include('>Overview</a>');
    expect(page.text).to.include('<td data-label="Truth">22.25</td>').and.include('<td data-label="Difference">4.75</td>');
    expect(page.text).to.include('c&lt;i&gt;1&lt;/i&gt;&amp;&quot;x').and.not.include('<i>1</i>');
    expect(page.text).to.include(`commission C2 (delivery ${failedId}) is failed`);
    expect(page.text).to.include('the platform&#39;s operators check it');
    const form = await as(request(app).get(`/portal/endpoints/${endpoint.id}`)).expect(200);
    expect(form.text).to.include(`href="/portal/endpoints/${endpoint.id}/drift">Drift report</a>`);
  });
});
