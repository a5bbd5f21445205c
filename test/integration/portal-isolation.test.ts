// Affiliate isolation in the portal: affiliate B, by host login or by signed link, can neither see nor change anything of
// affiliate A's, by id in the path, the query or the body, and gets the same 404 as for an id that does not exist.

import express from 'express';
import type { Express } from 'express';
import { expect } from 'chai';
import request from 'supertest';
import type { Delivery } from '../../lib/deliveries/types.js';
import type { Endpoint } from '../../lib/endpoints/types.js';
import { signPortalToken } from '../../lib/portal/link.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { waitForDeliveries } from '../helpers/delivery.js';
import { useRelayAndTracker } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';

const SECRET = 'portal-link-secret-0123456789abcdef';
const MISSING = '999999999';

interface Caller {
  name: string;
  /** Where B's portal is mounted for this caller. */
  base: string;
  /** Sets B's credentials on a request: the host's login header, or the cookie B's link left. */
  as(test: request.Test): request.Test;
  /** A form token from one of B's own pages. */
  csrf: string;
}

describeEachDatabase('affiliate portal isolation', (target) => {
  let fx: RelayFixture;
  let tracker: TestTracker;
  useRelayAndTracker(target, { relay: { dispatch: { idlePollMs: 20, retrySchedule: [] }, portal: { linkSecrets: [SECRET], publicUrl: 'http://portal.test/p', testsPerMinute: 50 } } }, (started) => {
    ({ fx, tracker } = started);
  });

  let app: Express;
  let endpointA: Endpoint;
  let deliveryA: Delivery;
  let ownB: Endpoint;
  let callers: Caller[];

  beforeEach(async () => {
    app = express();
    // The host's own affiliate login in front of one mount; a second mount that only signed links open.
    app.use('/host', fx.relay.portal({ affiliateOf: (req) => req.get('x-test-affiliate') }));
    app.use('/p', fx.relay.portal());
    tracker.respondWith(500);
    endpointA = await fx.relay.endpoints.create({ affiliateId: 'aff-A', plugin: 'generic', settings: { url: `${tracker.origin}/a?cid={click_id}` } });
    ownB = await fx.relay.endpoints.create({ affiliateId: 'aff-B', plugin: 'generic', settings: { url: `${tracker.origin}/b?cid={click_id}` } });
    await fx.relay.recordLead({ id: 'LA', clickId: 'click-A', affiliateId: 'aff-A' });
    const [failed] = await waitForDeliveries(fx, 'LA', (list) => list.length === 1 && list[0]?.status === 'failed');
    deliveryA = failed!;

    const link = fx.relay.portal.link('aff-B', { ttlSeconds: 600 });
    expect(link).to.match(/^http:\/\/portal\.test\/p\/link\/[^/]+$/);
    const opened = await request(app).get(new URL(link).pathname);
    expect(opened.status).to.equal(303);
    const cookie = String(opened.headers['set-cookie']).split(';')[0] ?? '';
    const viaHost = (test: request.Test) => test.set('x-test-affiliate', 'aff-B');
    const viaLink = (test: request.Test) => test.set('Cookie', cookie);
    callers = [];
    for (const [name, as, base] of [['host login', viaHost, '/host'], ['signed link', viaLink, '/p']] as const) {
      const page = await as(request(app).get(`${base}/endpoints`));
      expect(page.status, name).to.equal(200);
      expect(page.text).to.include('aff-B');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
      callers.push({ name, base, csrf, as });
    }
  });

  // [method, path, body]; `:A` is A's endpoint, `:D` A's delivery. Form routes take B's own form token.
  const routes = (): Array<[string, string, string, Record<string, unknown> | undefined]> => [
    ['page', 'GET', `/endpoints/${endpointA.id}`, undefined],
    ['page', 'POST', `/endpoints/${endpointA.id}`, { plugin: 'generic', settingsJson: JSON.stringify({ url: `${tracker.origin}/stolen?cid={click_id}` }), events: 'lead_created', enabled: 'on' }],
    ['page', 'POST', `/endpoints/${endpointA.id}/test`, { event: 'lead_created' }],
    ['page', 'POST', `/endpoints/${endpointA.id}/replay-failed`, {}],
    ['page', 'GET', `/endpoints/${endpointA.id}/drift`, undefined],
    // Query values without digits: the test swaps A's ids (digits) for a missing one throughout the path.
    ['page', 'GET', `/endpoints/${endpointA.id}/drift?clickId=click-A`, undefined],
    ['page', 'GET', `/deliveries/${deliveryA.id}`, undefined],
    ['page', 'POST', `/deliveries/${deliveryA.id}/replay`, {}],
    ['page', 'GET', `/deliveries?endpointId=${endpointA.id}`, undefined],
    ['api', 'GET', `/api/endpoints/${endpointA.id}`, undefined],
    ['api', 'PATCH', `/api/endpoints/${endpointA.id}`, { enabled: false }],
    ['api', 'POST', `/api/endpoints/${endpointA.id}/test`, { event: 'lead_created' }],
    ['api', 'POST', `/api/endpoints/${endpointA.id}/replay-failed`, {}],
    ['api', 'GET', `/api/endpoints/${endpointA.id}/drift`, undefined],
    ['api', 'GET', `/api/endpoints/${endpointA.id}/drift?clickId=click-A`, undefined],
    ['api', 'GET', `/api/deliveries/${deliveryA.id}`, undefined],
    ['api', 'POST', `/api/deliveries/${deliveryA.id}/replay`, {}],
    ['api', 'GET', `/api/deliveries?endpointId=${endpointA.id}`, undefined],
  ].map(([kind, method, path, body]) => [kind as string, method as string, path as string, body as Record<string, unknown> | undefined]);

  function call(caller: Caller, kind: string, method: string, path: string, body: Record<string, unknown> | undefined): request.Test {
    const url = `${caller.base}${path}`;
    const test = caller.as(method === 'GET' ? request(app).get(url) : method === 'PATCH' ? request(app).patch(url) : request(app).post(url));
    if (body === undefined) return test;
    return kind === 'page' ? test.type('form').send({ ...body, _csrf: caller.csrf }) : test.send(body);
  }

  it("answers 404 on every page and API route B calls with A's endpoint or delivery id, exactly as for an id that does not exist", async () => {
    for (const caller of callers) {
      for (const [kind, method, path, body] of routes()) {
        const answer = await call(caller, kind, method, path, body);
        expect(answer.status, `${caller.name}: ${method} ${path}`).to.equal(404);
        const missing = await call(caller, kind, method, path.replaceAll(endpointA.id, MISSING).replaceAll(deliveryA.id, MISSING), body);
        expect(missing.status, `${caller.name}: ${method} ${path} with a missing id`).to.equal(404);
        if (kind === 'api') {
          expect(answer.body).to.have.nested.property('error.code', 'ERR_PB_NOT_FOUND');
          expect(JSON.stringify(answer.body).replaceAll(endpointA.id, 'ID').replaceAll(deliveryA.id, 'ID')).to.equal(JSON.stringify(missing.body).replaceAll(MISSING, 'ID'));
        }
      }
    }
    // Nothing of A's changed, no test reached A's tracker URL, A's failed delivery was not replayed.
    expect(await fx.relay.endpoints.get(endpointA.id)).to.deep.include({ enabled: true, settings: endpointA.settings });
    expect(await fx.relay.deliveries.get(deliveryA.id)).to.include({ status: 'failed', attemptCount: 1 });
    expect(tracker.received.filter((received) => received.path === '/stolen')).to.have.length(0);
    expect(tracker.received.filter((received) => received.path === '/a')).to.have.length(1);
  });

  it("never lists A's endpoints or deliveries to B, whatever B searches for", async () => {
    for (const caller of callers) {
      const list = await call(caller, 'api', 'GET', '/api/endpoints', undefined);
      expect((list.body as { data: Endpoint[] }).data.map((endpoint) => endpoint.id), caller.name).to.deep.equal([ownB.id]);
      const byClick = await call(caller, 'api', 'GET', '/api/deliveries?clickId=click-A', undefined);
      expect(byClick.status).to.equal(200);
      expect((byClick.body as { data: Delivery[] }).data, caller.name).to.deep.equal([]);
      const page = await call(caller, 'page', 'GET', '/deliveries?clickId=click-A', undefined);
      expect(page.status).to.equal(200);
      expect(page.text).to.include('No deliveries match.').and.not.include(`/deliveries/${deliveryA.id}"`);
      const endpoints = await call(caller, 'page', 'GET', '/endpoints', undefined);
      expect(endpoints.text).to.not.include(`/endpoints/${endpointA.id}"`);
      // B's own drift report, asked for A's click: it reads only B's endpoint's deliveries.
      const drift = await call(caller, 'api', 'GET', `/api/endpoints/${ownB.id}/drift?clickId=click-A`, undefined);
      expect(drift.status, caller.name).to.equal(200);
      expect(drift.body).to.have.deep.nested.property('data.totals', { clicks: 0, clicksDiffering: 0, truth: '0', expected: '0', difference: '0' });
      const driftPage = await call(caller, 'page', 'GET', `/endpoints/${ownB.id}/drift?clickId=click-A`, undefined);
      expect(driftPage.status, caller.name).to.equal(200);
      expect(driftPage.text).to.include('Every click matches.').and.not.include('click-A<');
    }
  });

  it("refuses an affiliate id in the body: B can neither create an endpoint for A nor move its own to A", async () => {
    for (const caller of callers) {
      const created = await call(caller, 'api', 'POST', '/api/endpoints', { affiliateId: 'aff-A', plugin: 'generic', settings: { url: `${tracker.origin}/x?cid={click_id}` } });
      expect(created.status, caller.name).to.equal(400);
      expect(created.body).to.have.nested.property('error.field', 'affiliateId');
      const moved = await call(caller, 'api', 'PATCH', `/api/endpoints/${ownB.id}`, { affiliateId: 'aff-A' });
      expect(moved.status, caller.name).to.equal(400);
      // The form's affiliate field is shown read-only and ignored: what B posts is saved as B's.
      const form = await call(caller, 'page', 'POST', '/endpoints', { affiliateId: 'aff-A', plugin: 'generic', settingsJson: JSON.stringify({ url: `${tracker.origin}/f?cid={click_id}` }), events: 'lead_created', enabled: 'on' });
      expect(form.status, caller.name).to.equal(303);
    }
    expect((await fx.relay.endpoints.list({ affiliateId: 'aff-A' })).map((endpoint) => endpoint.id)).to.deep.equal([endpointA.id]);
    expect(await fx.relay.endpoints.list({ affiliateId: 'aff-B' })).to.have.length(3);
    expect((await fx.relay.endpoints.get(ownB.id)).affiliateId).to.equal('aff-B');
  });

  it('refuses a page form without B\'s form token, and a token from A\'s page, before looking at anything', async () => {
    const [host] = callers as [Caller];
    const pageOfA = await request(app).get('/host/endpoints').set('x-test-affiliate', 'aff-A');
    const tokenOfA = /name="_csrf" value="([^"]+)"/.exec(pageOfA.text)?.[1] ?? '';
    for (const token of [undefined, tokenOfA]) {
      const answer = await host.as(request(app).post(`/host/endpoints/${ownB.id}/replay-failed`)).type('form').send(token === undefined ? {} : { _csrf: token });
      expect(answer.status).to.equal(403);
      expect(answer.text).to.include('form token');
    }
  });

  it('refuses no login, an expired link, an altered link and an altered cookie with 401, and opens nothing', async () => {
    const now = new Date();
    const expired = signPortalToken([SECRET], 'aff-B', 1, new Date(now.getTime() - 5_000)).token;
    const valid = signPortalToken([SECRET], 'aff-B', 600, now).token;
    const [encoded = '', stamp = '', mac = ''] = valid.split('.');
    const altered = [
      `${Buffer.from('aff-A').toString('base64url')}.${stamp}.${mac}`,
      `${encoded}.${(parseInt(stamp, 36) + 3600).toString(36)}.${mac}`,
      `${encoded}.${stamp}.${mac.slice(0, -2)}xx`,
      signPortalToken(['another-secret-0123456789abcdefghij'], 'aff-B', 600, now).token,
      'garbage',
    ];
    for (const token of [expired, ...altered]) {
      const opened = await request(app).get(`/p/link/${token}`);
      expect(opened.status, token).to.equal(401);
      expect(opened.headers['set-cookie'], token).to.equal(undefined);
      const api = await request(app).get('/p/api/endpoints').set('Cookie', `pb_portal=${token}`);
      expect(api.status, token).to.equal(401);
      expect(api.body).to.have.nested.property('error.code', 'ERR_PB_PORTAL_LINK');
    }
    expect((await request(app).get('/p/endpoints')).status).to.equal(401);
    expect((await request(app).get('/host/api/endpoints')).status).to.equal(401);
  });
});
