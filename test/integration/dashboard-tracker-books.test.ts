// The dashboard's tracker-books pieces over HTTP: the adjustment mode field and warnings, the drift page, and the
// operator's decision on an unconfirmed delivery.

import { expect } from 'chai';
import express from 'express';
import type { Express } from 'express';
import request from 'supertest';
import { sqliteTarget } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';
import { poll } from '../helpers/poll.js';

const ADMIN = '/postbacks/admin';
const host = { 'X-Host-User': 'support@example.test' };
const tokenOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

describe('dashboard: tracker books', function () {
  let fx: RelayFixture;
  let app: Express;
  let tracker: TestTracker;

  before(async () => {
    tracker = await startTestTracker();
    // The tracker records every commission but answers 500: its answer is lost.
    tracker.answerWith((r) => (r.query.cnv_status === 'sale' ? 500 : 200));
    fx = await startRelay(sqliteTarget, { relay: { dispatch: { idlePollMs: 20 } } });
    app = express();
    app.use(ADMIN, fx.relay.dashboard);
  });
  after(async () => {
    await fx.close();
    await tracker.close();
  });

  it('shows the mode field and the no-dedupe warning, holds a lost answer for a decision, and shows the drift page', async () => {
    const endpoint = await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'binom', settings: { baseUrl: tracker.origin, upsell: 'on' } });
    const form = await request(app).get(`${ADMIN}/endpoints/${endpoint.id}`).set(host).expect(200);
    expect(form.text).to.include('id="f-adjustmentMode"').and.include('data-code="no_dedupe"').and.include('<option value="delta">');
    expect(form.text).to.not.include('<option value="replace">');

    // A mode the plugin does not support with these settings: refused, the field named and linked.
    const refused = await request(app).post(`${ADMIN}/endpoints/${endpoint.id}`).set(host).type('form')
      .send({ _csrf: tokenOf(form.text), plugin: 'binom', affiliateId: 'aff-1', 'settings.baseUrl': tracker.origin, 'settings.upsell': 'on', events: 'commission_earned', enabled: 'on', adjustmentMode: 'replace' });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.include('href="#f-adjustmentMode"').and.include('aria-invalid="true"');

    await fx.relay.recordLead({ id: 'L1', clickId: 'c1', affiliateId: 'aff-1' });
    await fx.relay.recordCommission({ id: 'C1', leadId: 'L1', amount: '10' });
    const found = await poll(async () => (await fx.relay.deliveries.listForLead('L1')).find((d) => d.commissionId === 'C1'), (d) => d?.status === 'unconfirmed', "the commission's delivery unconfirmed", 5000);
    const held = found as NonNullable<typeof found>;
    // The overview counts it, and links the log of those waiting.
    const overview = async () => (await request(app).get(`${ADMIN}/`).set(host).expect(200)).text;
    const unconfirmedCard = async () => /<div class="card" id="unconfirmed-card"><a href="([^"]+)">[^<]+<\/a><b>(\d+)<\/b><\/div>/.exec(await overview())?.slice(1);
    expect(await unconfirmedCard()).to.deep.equal([`${ADMIN}/deliveries?status=unconfirmed`, '1']);
    // And by event, in the last hour's and day's counts.
    expect((await overview()).match(/<tr><th scope="row">commission_earned<\/th>(?:<td[^>]*>\d+<\/td>)*?<td data-label="unconfirmed">1<\/td>/g)).to.have.length(2);
    const waiting = await request(app).get(`${ADMIN}/deliveries?status=unconfirmed`).set(host).expect(200);
    expect(waiting.text).to.include(`href="${ADMIN}/deliveries/${held.id}"`);
    const shown = await request(app).get(`${ADMIN}/deliveries/${held.id}`).set(host).expect(200);
    expect(shown.text).to.include(`action="${ADMIN}/deliveries/${held.id}/mark-delivered"`).and.include(`action="${ADMIN}/deliveries/${held.id}/send-again"`);
    const marked = await request(app).post(`${ADMIN}/deliveries/${held.id}/mark-delivered`).set(host).type('form').send({ _csrf: tokenOf(shown.text) }).expect(303);
    expect(marked.headers.location).to.equal(`${ADMIN}/deliveries/${held.id}?notice=marked-delivered`);
    expect((await fx.relay.deliveries.get(held.id)).status).to.equal('delivered');
    expect(await unconfirmedCard()).to.deep.equal([`${ADMIN}/deliveries?status=unconfirmed`, '0']);
    expect(tracker.received.filter((r) => r.query.cnv_status === 'sale')).to.have.length(1);

    const drift = await request(app).get(`${ADMIN}/endpoints/${endpoint.id}/drift`).set(host).expect(200);
    // The page takes the API's query: a bad one is refused, naming the field.
    const badQuery = await request(app).get(`${ADMIN}/endpoints/${endpoint.id}/drift?after=${'x'.repeat(300)}`).set(host);
    expect(badQuery.status).to.equal(400);
    expect(badQuery.text).to.include('after');
    expect(drift.text).to.include('Drift: #').and.include('<tr><td data-label="Clicks">1</td><td data-label="Differing">0</td><td data-label="Truth">10</td><td data-label="Tracker should show">10</td><td data-label="Difference">0</td></tr>').and.include('Every click matches.');
  });
});
