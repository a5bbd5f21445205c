// The dashboard router over HTTP: the host's auth in front, escaping of untrusted values, CSRF refusal, 404s, the JSON preview.

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import type { Express } from 'express';
import request from 'supertest';
import { sqliteTarget } from '../helpers/databases.js';
import { waitForDeliveries } from '../helpers/delivery.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';

const HOSTILE_CLICK = '"><script>alert(1)</script>';
const HOSTILE_ANSWER = '<img src=x onerror="alert(2)"><script>alert(3)</script>';
const ADMIN = '/postbacks/admin';
const host = { 'X-Host-User': 'support@example.test' };

/** The host app: its own auth (a header here), then the dashboard. `?scopes=` narrows what the host grants. */
function hostApp(fx: RelayFixture): Express {
  const app = express();
  app.use(ADMIN, function hostAuth(req, res, next) {
    if (req.get('x-host-user') === undefined) {
      res.status(401).send('log in');
      return;
    }
    if (typeof req.query.scopes === 'string') res.locals.postbackRelayScopes = req.query.scopes.split(',');
    next();
  }, fx.relay.dashboard);
  return app;
}

const tokenOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
/** The delivery ids a log page lists, in its order. */
const loggedIds = (page: string) => [...page.matchAll(/<td data-label="Delivery"><a href="[^"]+\/deliveries\/(\d+)">/g)].map((match) => match[1]!);
const olderLink = (page: string) => /<a href="([^"]+)" rel="next">Older deliveries<\/a>/.exec(page)?.[1]?.replace(/&amp;/g, '&');

describe('dashboard router', function () {
  let fx: RelayFixture;
  let app: Express;
  let tracker: Server;
  let trackerOrigin: string;
  let token: string;

  before(async () => {
    // A tracker whose answer is markup: the log must show it as text.
    tracker = createServer((_req, res) => res.writeHead(500, { 'content-type': 'text/html' }).end(HOSTILE_ANSWER));
    await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
    trackerOrigin = `http://127.0.0.1:${(tracker.address() as AddressInfo).port}`;
    fx = await startRelay(sqliteTarget, { relay: { dispatch: { idlePollMs: 20, retrySchedule: [] } } });
    app = hostApp(fx);
    token = tokenOf((await request(app).get(`${ADMIN}/endpoints/new?plugin=voluum`).set(host)).text);
  });
  after(async () => {
    await fx.close();
    await new Promise((resolve) => tracker.close(resolve));
  });

  it('is behind the host auth, and honours scopes the host narrows', async () => {
    expect((await request(app).get(`${ADMIN}/`)).status).to.equal(401);
    const page = await request(app).get(`${ADMIN}/`).set(host);
    expect(page.status).to.equal(200);
    expect(page.type).to.equal('text/html');
    expect(page.text).to.include('Postbacks per minute');
    expect((await request(app).get(`${ADMIN}/?scopes=events`).set(host)).status).to.equal(403);
  });

  it('sends a strict Content-Security-Policy and serves its own assets', async () => {
    const page = await request(app).get(`${ADMIN}/endpoints`).set(host);
    expect(page.headers['content-security-policy']).to.include("default-src 'none'").and.include("script-src 'self'").and.not.include('unsafe-inline');
    expect(page.text).to.not.match(/<script>|style="/);
    expect((await request(app).get(`${ADMIN}/assets/dashboard.js`).set(host)).type).to.equal('text/javascript');
    expect((await request(app).get(`${ADMIN}/assets/dashboard.css`).set(host)).type).to.equal('text/css');
  });

  it('renders a hostile click ID and tracker answer as text', async () => {
    const endpoint = await fx.relay.endpoints.create({ affiliateId: 'aff-x', plugin: 'generic', settings: { url: `${trackerOrigin}/pb?cid={click_id}&txid={transaction_id}` } });
    await fx.relay.recordLead({ id: 'L-hostile', clickId: HOSTILE_CLICK, affiliateId: 'aff-x' });
    const [delivery] = await waitForDeliveries(fx, 'L-hostile', (list) => list[0]?.status === 'failed');
    const log = await request(app).get(`${ADMIN}/deliveries`).query({ clickId: HOSTILE_CLICK }).set(host);
    expect(log.status).to.equal(200);
    expect(log.text).to.include(`href="${ADMIN}/deliveries/${delivery!.id}"`);
    expect(log.text).to.include('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(log.text).to.not.include('<script>alert');
    const detail = await request(app).get(`${ADMIN}/deliveries/${delivery!.id}`).set(host);
    expect(detail.text).to.include('&lt;img src=x onerror=&quot;alert(2)&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(detail.text).to.not.match(/<img|<script>alert/);
    expect(detail.text).to.include('HTTP 500');
    // A 5xx may have been counted: the attempt shows it as ambiguous.
    expect(detail.text).to.include('<th scope="col">Failure</th>').and.include('<td data-label="Failure">ambiguous</td>');
    // The affiliate filter finds it through the affiliate's endpoints.
    const byAffiliate = await request(app).get(`${ADMIN}/deliveries?affiliateId=aff-x`).set(host);
    expect(byAffiliate.text).to.include(`/deliveries/${delivery!.id}"`);
    const otherAffiliate = await request(app).get(`${ADMIN}/deliveries?affiliateId=aff-none`).set(host);
    expect(otherAffiliate.text).to.include('No deliveries match.');
    expect(endpoint.id).to.equal(delivery!.endpointId);
    // From/Until are datetime-local values, read as UTC.
    const since = (value: string) => request(app).get(`${ADMIN}/deliveries`).query({ clickId: HOSTILE_CLICK, since: value }).set(host);
    expect((await since(new Date(delivery!.createdAt.getTime() - 60_000).toISOString().slice(0, 16))).text).to.include(`/deliveries/${delivery!.id}"`);
    expect((await since(new Date(delivery!.createdAt.getTime() + 60_000).toISOString().slice(0, 16))).text).to.include('No deliveries match.');
    const bad = await since('yesterday');
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include('id="q-since" name="since" aria-invalid="true" aria-describedby="q-since-error"').and.include('must be an ISO 8601 timestamp');
  });

  it('refuses a POST without a valid form token, or marked cross-site, and changes nothing', async () => {
    const before = (await fx.relay.endpoints.list()).length;
    const form = { plugin: 'voluum', affiliateId: 'aff-csrf', 'settings.baseUrl': 'https://trk.example.com', events: 'lead_created' };
    const missing = await request(app).post(`${ADMIN}/endpoints`).set(host).type('form').send(form);
    expect(missing.status).to.equal(403);
    expect(missing.text).to.include('form token');
    const forged = await request(app).post(`${ADMIN}/endpoints`).set(host).type('form').send({ ...form, _csrf: `${token.split('.')[0]}.AAAA` });
    expect(forged.status).to.equal(403);
    const crossSite = await request(app).post(`${ADMIN}/endpoints`).set(host).set('Sec-Fetch-Site', 'cross-site').type('form').send({ ...form, _csrf: token });
    expect(crossSite.status).to.equal(403);
    expect((await fx.relay.endpoints.list()).length).to.equal(before);
    const accepted = await request(app).post(`${ADMIN}/endpoints`).set(host).set('Sec-Fetch-Site', 'same-origin').type('form').send({ ...form, _csrf: token });
    expect(accepted.status).to.equal(303);
    expect(accepted.headers.location).to.match(new RegExp(`^${ADMIN}/endpoints/\\d+\\?notice=created$`));
    expect((await fx.relay.endpoints.list()).length).to.equal(before + 1);
  });

  it('shows a plugin settings error next to its field, keeping what was typed', async () => {
    const refused = await request(app).post(`${ADMIN}/endpoints`).set(host).type('form')
      .send({ _csrf: token, plugin: 'voluum', affiliateId: 'aff-7', 'settings.baseUrl': 'not a domain', events: ['lead_created', 'commission_earned'] });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.match(/id="f-settings-baseUrl" name="settings.baseUrl" value="not a domain" required aria-required="true" aria-invalid="true" aria-describedby="f-settings-baseUrl-error f-settings-baseUrl-hint"/);
    expect(refused.text).to.include('<p class="error" id="f-settings-baseUrl-error">settings.baseUrl: is not a valid URL');
    expect(refused.text).to.include('role="alert"');
    expect(refused.text).to.include('value="commission_earned" checked').and.not.include('value="commission_adjusted" checked');
  });

  it('answers 404 pages for unknown endpoints, deliveries and pages', async () => {
    for (const path of ['/endpoints/99999', '/endpoints/abc', '/deliveries/99999', '/nowhere']) {
      const page = await request(app).get(`${ADMIN}${path}`).set(host);
      expect(page.status, path).to.equal(404);
      expect(page.type).to.equal('text/html');
    }
    expect((await request(app).post(`${ADMIN}/deliveries/99999/replay`).set(host).type('form').send({ _csrf: token })).status).to.equal(404);
  });

  it('previews a draft as JSON, and answers a bad setting with the API error shape', async () => {
    const good = await request(app).post(`${ADMIN}/preview`).set(host).type('form').send({ _csrf: token, plugin: 'voluum', affiliateId: 'a', 'settings.baseUrl': 'https://trk.example.com' });
    expect(good.status).to.equal(200);
    expect((good.body.data as Array<{ event: string }>).map((line) => line.event)).to.deep.equal(['lead_created', 'commission_earned', 'commission_adjusted']);
    expect(good.body.data[1].url).to.equal('https://trk.example.com/postback?cid=test-click-id&payout=12.5&txid=com-test-commission&currency=USD');
    expect(good.body.data[2].skip).to.include("the endpoint's adjustment mode is skip");
    const bad = await request(app).post(`${ADMIN}/preview`).set(host).type('form').send({ _csrf: token, plugin: 'voluum', 'settings.baseUrl': 'ftp://trk.example.com' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error).to.include({ code: 'ERR_PB_INVALID_SETTINGS', field: 'settings.baseUrl' });
    const json = await request(app).post(`${ADMIN}/preview`).set(host).type('form').send({ _csrf: token, plugin: 'generic', settingsJson: '{not json' });
    expect(json.status).to.equal(400);
    expect(json.body.error).to.include({ code: 'ERR_PB_VALIDATION', field: 'settings' });
    const unknown = await request(app).post(`${ADMIN}/preview`).set(host).type('form').send({ _csrf: token, plugin: 'nope' });
    expect(unknown.body.error.code).to.equal('ERR_PB_UNKNOWN_PLUGIN');
    expect((await request(app).post(`${ADMIN}/preview`).set(host).type('form').send({ plugin: 'voluum' })).body.error.code).to.equal('ERR_PB_CSRF');
  });

  it('shows secrets masked, and keeps them when the masked value is saved back unchanged', async () => {
    const settings = { url: `${trackerOrigin}/pb?token=s3cr3t-t0ken&cid={click_id}`, secretParams: ['token'] };
    const endpoint = await fx.relay.endpoints.create({ affiliateId: 'aff-s', plugin: 'generic', settings });
    const page = await request(app).get(`${ADMIN}/endpoints/${endpoint.id}`).set(host);
    expect(page.text).to.not.include('s3cr3t-t0ken');
    expect(page.text).to.include('token=***');
    const settingsJson = /<textarea[^>]*>([^<]*)<\/textarea>/.exec(page.text)![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const saved = await request(app).post(`${ADMIN}/endpoints/${endpoint.id}`).set(host).type('form')
      .send({ _csrf: tokenOf(page.text), plugin: 'generic', affiliateId: 'aff-s', name: 'renamed', settingsJson, events: ['lead_created'], enabled: 'on' });
    expect(saved.status, saved.text).to.equal(303);
    const after = await fx.relay.endpoints.get(endpoint.id);
    expect(after.settings).to.deep.equal(settings);
    expect(after).to.include({ name: 'renamed', enabled: true });
    expect(after.events).to.deep.equal(['lead_created']);
  });

  it('previews exactly what real postbacks of the same amounts send', async () => {
    const tracker = await startTestTracker();
    try {
      const settings = { url: `${tracker.origin}/pb?cid={click_id}&e={event}&p={payout}&d={delta}&c={currency}` };
      const endpoint = await fx.relay.endpoints.create({ affiliateId: 'aff-pv', plugin: 'generic', settings });
      await fx.relay.recordLead({ id: 'L-pv', clickId: 'test-click-id', affiliateId: 'aff-pv' });
      await fx.relay.recordCommission({ id: 'C-pv', leadId: 'L-pv', amount: '12.50' });
      await fx.relay.adjustCommission({ id: 'A-pv', commissionId: 'C-pv', amount: '10.00' });
      const real = await tracker.waitFor(3);
      const preview = await request(app).post(`${ADMIN}/preview`).set(host).type('form').send({ _csrf: token, plugin: 'generic', affiliateId: 'aff-pv', settingsJson: JSON.stringify(settings) });
      const previewed = (preview.body.data as Array<{ url: string }>).map((line) => Object.fromEntries(new URL(line.url).searchParams));
      expect(previewed).to.deep.equal(real.map((received) => received.query));
      expect(previewed[1]).to.include({ p: '12.5' });
      expect(previewed[2]).to.include({ p: '10', d: '-2.5' });
      expect(endpoint.affiliateId).to.equal('aff-pv');
    } finally {
      await tracker.close();
    }
  });

  it('lists endpoints with their name and target host, and links a favicon it serves', async () => {
    await fx.relay.endpoints.create({ affiliateId: 'aff-list', name: 'Main Voluum', plugin: 'voluum', settings: { baseUrl: 'https://trk.example.com:8443' } });
    const list = await request(app).get(`${ADMIN}/endpoints?affiliateId=aff-list`).set(host);
    expect(list.text).to.include('<th scope="col">Name</th>').and.include('<th scope="col">Target host</th>');
    expect(list.text).to.match(/<td data-label="Name"><a href="[^"]+">Main Voluum<\/a><\/td>/);
    expect(list.text).to.include('<td data-label="Target host"><span class="mono host">trk.example.com:8443</span></td>');
    expect(list.text).to.include(`<link rel="icon" href="${ADMIN}/assets/favicon.svg" type="image/svg+xml">`);
    const icon = await request(app).get(`${ADMIN}/assets/favicon.svg`).set(host);
    expect(icon.status).to.equal(200);
    expect(icon.type).to.equal('image/svg+xml');
    expect((icon.body as Buffer).toString()).to.match(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('pages through the log newest first, with click ID, affiliate and target host columns', async () => {
    const endpoint = await fx.relay.endpoints.create({ affiliateId: 'aff-page', name: 'Paged', plugin: 'generic', settings: { url: `${trackerOrigin}/pb?cid={click_id}` } });
    for (let index = 0; index < 60; index += 1) await fx.relay.recordLead({ id: `L-page-${index}`, clickId: `click-page-${index}`, affiliateId: 'aff-page' });
    const queued = (await fx.relay.deliveries.list({ endpointId: endpoint.id })).map((delivery) => delivery.id).reverse();
    expect(queued).to.have.length(60);
    for (const search of [`affiliateId=aff-page`, `endpointId=${endpoint.id}`]) {
      const first = await request(app).get(`${ADMIN}/deliveries?${search}`).set(host);
      expect(first.status).to.equal(200);
      expect(loggedIds(first.text), search).to.deep.equal(queued.slice(0, 50));
      expect(first.text).to.not.include('Newest deliveries');
      const next = olderLink(first.text);
      expect(next).to.equal(`${ADMIN}/deliveries?${search}&before=${queued[49]}`);
      const second = await request(app).get(next!).set(host);
      expect(loggedIds(second.text)).to.deep.equal(queued.slice(50));
      expect(olderLink(second.text)).to.equal(undefined);
      expect(second.text).to.include(`<a href="${ADMIN}/deliveries?${search}">Newest deliveries</a>`);
    }
    const page = (await request(app).get(`${ADMIN}/deliveries?affiliateId=aff-page`).set(host)).text;
    for (const column of ['Click ID', 'Affiliate', 'Endpoint', 'Target host']) expect(page).to.include(`<th scope="col">${column}</th>`);
    expect(page).to.include(`<td data-label="Click ID"><a class="mono" href="${ADMIN}/deliveries?clickId=click-page-59">click-page-59</a></td>`);
    expect(page).to.include(`<td data-label="Affiliate"><a href="${ADMIN}/deliveries?affiliateId=aff-page">aff-page</a></td>`);
    expect(page).to.include(`<td data-label="Endpoint"><a href="${ADMIN}/endpoints/${endpoint.id}">Paged</a></td>`);
    expect(page).to.include(`<td data-label="Target host"><span class="mono host">${new URL(trackerOrigin).host}</span></td>`);
    const bad = await request(app).get(`${ADMIN}/deliveries?before=abc`).set(host);
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include('before: must be a delivery id (digits)');
  });

  it('moves the focus to the summary of a refused submit', async () => {
    const refused = await request(app).post(`${ADMIN}/endpoints`).set(host).type('form').send({ _csrf: token, plugin: 'voluum', affiliateId: '', events: 'lead_created' });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.match(/<div class="alert" role="alert" id="error-summary" tabindex="-1" autofocus><p class="error">Not saved: <a href="#f-affiliateId">/);
    const search = await request(app).get(`${ADMIN}/deliveries?since=soon`).set(host);
    expect(search.text).to.match(/id="error-summary" tabindex="-1" autofocus><p class="error">Search refused: <a href="#q-since">/);
  });

  it('shows a next attempt only while a delivery is pending, and no empty table header on any page', async () => {
    const [delivered] = await fx.relay.deliveries.list({ status: 'delivered', limit: 1 });
    const [failed] = await fx.relay.deliveries.list({ status: 'failed', limit: 1 });
    for (const delivery of [delivered!, failed!]) {
      const detail = await request(app).get(`${ADMIN}/deliveries/${delivery.id}`).set(host);
      expect(detail.text, delivery.status).to.include(`>${delivery.status}</span>`).and.not.include('Next attempt');
    }
    for (const path of ['/', '/endpoints', '/deliveries', `/deliveries/${failed!.id}`]) {
      const page = await request(app).get(`${ADMIN}${path}`).set(host);
      expect(page.status, path).to.equal(200);
      expect(page.text, path).to.include('<th').and.not.match(/<th[^>]*>\s*<\/th>/);
    }
  });
});
