// What the host decides for the portal (offered trackers, endpoint and test-send limits, replay, framing) and the SSRF
// guard on what an affiliate saves or tests; and the options checked when the relay is created.

import express from 'express';
import type { Express } from 'express';
import { expect } from 'chai';
import request from 'supertest';
import { InvalidOptionError } from '../../lib/errors.js';
import { createPostbackRelay } from '../../lib/relay.js';
import { sqliteTarget } from '../helpers/databases.js';
import { waitForDeliveries } from '../helpers/delivery.js';
import { useRelayAndTracker } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { TestTracker } from '../helpers/tracker.js';

const SECRET = 'portal-link-secret-0123456789abcdef';

describe('affiliate portal: host options and guards', () => {
  let fx: RelayFixture;
  let tracker: TestTracker;
  let app: Express;
  useRelayAndTracker(
    sqliteTarget,
    { relay: { dispatch: { idlePollMs: 20, retrySchedule: [] }, portal: { linkSecrets: [SECRET], plugins: ['voluum', 'generic'], maxEndpoints: 2, testsPerMinute: 2, allowReplay: false, frameAncestors: ['https://partners.example.com'] } } },
    (started) => {
      ({ fx, tracker } = started);
      app = express();
      app.use('/portal', fx.relay.portal({ affiliateOf: (req) => req.get('x-test-affiliate') }));
    },
  );
  const api = (method: 'get' | 'post' | 'patch', path: string) => request(app)[method](`/portal/api${path}`).set('x-test-affiliate', 'aff-1');
  const voluum = () => ({ plugin: 'voluum', settings: { baseUrl: tracker.origin }, events: ['commission_earned' as const] });

  it('lists only the offered trackers, with their names and where to find the postback URL', async () => {
    const answer = await api('get', '/trackers');
    expect((answer.body as { data: Array<{ name: string }> }).data.map((tracker) => tracker.name)).to.deep.equal(['voluum', 'generic']);
    expect(answer.body).to.have.nested.property('data[0].trackerName', 'Voluum');
    expect(answer.body).to.have.nested.property('data[0].help').that.includes('Postback URL');
    const refused = await api('post', '/endpoints').send({ plugin: 'redtrack', settings: { baseUrl: tracker.origin } });
    expect(refused.status).to.equal(400);
    expect(refused.body).to.have.nested.property('error.field', 'plugin');
  });

  it('recognises a pasted URL among the offered trackers and previews it, saving nothing', async () => {
    const answer = await api('post', '/recognize').send({ url: `${tracker.origin}/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL` });
    expect(answer.status).to.equal(200);
    expect(answer.body).to.have.nested.property('data.plugin', 'voluum');
    expect(answer.body).to.have.deep.nested.property('data.settings', { baseUrl: tracker.origin });
    expect(answer.body).to.have.nested.property('data.preview[1].url').that.includes('payout=12.5');
    // RedTrack is not offered here: its URL falls back to the generic plugin.
    const other = await api('post', '/recognize').send({ url: `${tracker.origin}/postback?clickid={clickid}&sum={sum}` });
    expect(other.body).to.have.nested.property('data.plugin', 'generic');
    expect(await fx.relay.endpoints.list()).to.have.length(0);
  });

  it('stops at maxEndpoints with 409 and saves nothing more', async () => {
    for (let i = 0; i < 2; i += 1) expect((await api('post', '/endpoints').send(voluum())).status).to.equal(201);
    const over = await api('post', '/endpoints').send(voluum());
    expect(over.status).to.equal(409);
    expect(over.body).to.have.nested.property('error.code', 'ERR_PB_ENDPOINT_LIMIT');
    expect(await fx.relay.endpoints.list({ affiliateId: 'aff-1' })).to.have.length(2);
  });

  it('refuses a URL to a private address on save and on edit (SSRF guard) with 422, storing nothing', async () => {
    const refused = await api('post', '/endpoints').send({ plugin: 'generic', settings: { url: 'http://10.1.2.3/pb?cid={click_id}' } });
    expect(refused.status).to.equal(422);
    expect(refused.body).to.have.nested.property('error.code', 'ERR_PB_BLOCKED_TARGET');
    expect(await fx.relay.endpoints.list()).to.have.length(0);
    const saved = await api('post', '/endpoints').send(voluum());
    const id = (saved.body as { data: { id: string } }).data.id;
    const edited = await api('patch', `/endpoints/${id}`).send({ settings: { baseUrl: 'http://[::1]:8080' } });
    expect(edited.status).to.equal(422);
    expect((await fx.relay.endpoints.get(id)).settings).to.deep.equal({ baseUrl: tracker.origin });
  });

  it('limits test sends per affiliate (429 with Retry-After) and counts each affiliate apart', async () => {
    const saved = await api('post', '/endpoints').send(voluum());
    const id = (saved.body as { data: { id: string } }).data.id;
    for (let i = 0; i < 2; i += 1) {
      const sent = await api('post', `/endpoints/${id}/test`).send({ event: 'commission_earned' });
      expect(sent.body).to.have.nested.property('data.statusCode', 200);
    }
    const limited = await api('post', `/endpoints/${id}/test`).send({});
    expect(limited.status).to.equal(429);
    expect(limited.body).to.have.nested.property('error.code', 'ERR_PB_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).to.be.within(1, 60);
    expect(tracker.received).to.have.length(2);
    const other = await fx.relay.endpoints.create({ affiliateId: 'aff-2', ...voluum() });
    const fromOther = await request(app).post(`/portal/api/endpoints/${other.id}/test`).set('x-test-affiliate', 'aff-2').send({});
    expect(fromOther.status).to.equal(200);
  });

  it('refuses replay with 403 when the host turned it off, and leaves the delivery failed', async () => {
    tracker.respondWith(500);
    const saved = await api('post', '/endpoints').send({ ...voluum(), events: ['lead_created'] });
    expect(saved.status).to.equal(201);
    await fx.relay.recordLead({ id: 'L1', clickId: 'c1', affiliateId: 'aff-1' });
    const [failed] = await waitForDeliveries(fx, 'L1', (list) => list[0]?.status === 'failed');
    const replay = await api('post', `/deliveries/${failed!.id}/replay`).send({});
    expect(replay.status).to.equal(403);
    expect(replay.body).to.have.nested.property('error.code', 'ERR_PB_PORTAL_ACTION_DISABLED');
    expect(await fx.relay.deliveries.get(failed!.id)).to.include({ status: 'failed', attemptCount: 1 });
  });

  it('lets only the configured origins frame the portal, and keeps the rest of the dashboard CSP', async () => {
    const page = await request(app).get('/portal/endpoints').set('x-test-affiliate', 'aff-1');
    expect(page.status).to.equal(200);
    expect(page.headers['content-security-policy']).to.include("frame-ancestors https://partners.example.com;").and.include("script-src 'self'");
    expect(page.headers['x-frame-options']).to.equal(undefined);
  });

  it('escapes what an affiliate typed wherever a page shows it', async () => {
    const saved = await api('post', '/endpoints').send({ ...voluum(), name: '<img src=x onerror=alert(1)>' });
    expect(saved.status).to.equal(201);
    const page = await request(app).get('/portal/endpoints').set('x-test-affiliate', 'aff-1');
    expect(page.text).to.include('&lt;img src=x onerror=alert(1)&gt;').and.not.include('<img src=x');
  });
});

describe('portal options', () => {
  const make = (portal: unknown) => () => createPostbackRelay({ database: ':memory:', apiKeys: ['key-0123456789'], portal: portal as never });
  for (const [portal, option] of [
    [{ linkSecrets: ['short'] }, 'portal.linkSecrets'],
    [{ maxEndpoints: 0 }, 'portal.maxEndpoints'],
    [{ testsPerMinute: 1.5 }, 'portal.testsPerMinute'],
    [{ allowReplay: 'yes' }, 'portal.allowReplay'],
    [{ frameAncestors: ["'self' *"] }, 'portal.frameAncestors'],
    [{ publicUrl: 'partners.example.com' }, 'portal.publicUrl'],
    [{ plugins: ['voluum', 'nope'] }, 'portal.plugins[1]'],
    [{ allowGenric: true }, 'portal.allowGenric'],
  ] as const) {
    it(`names ${option} when it is wrong`, () => {
      expect(make(portal)).to.throw(InvalidOptionError).with.property('field', option);
    });
  }

  it('refuses to sign a link without a secret or a base URL, or for a bad ttl', async () => {
    const relay = createPostbackRelay({ database: ':memory:', apiKeys: ['key-0123456789'] });
    expect(() => relay.portal.link('aff-1', { baseUrl: 'https://p.example.com' })).to.throw(InvalidOptionError).with.property('field', 'portal.linkSecrets');
    await relay.stop();
    const signed = createPostbackRelay({ database: ':memory:', apiKeys: ['key-0123456789'], portal: { linkSecrets: [SECRET] } });
    expect(() => signed.portal.link('aff-1')).to.throw(InvalidOptionError).with.property('field', 'baseUrl');
    expect(() => signed.portal.link('aff-1', { baseUrl: 'https://p.example.com', ttlSeconds: 0 })).to.throw(InvalidOptionError).with.property('field', 'ttlSeconds');
    expect(signed.portal.link('aff-1', { baseUrl: 'https://p.example.com/' })).to.match(/^https:\/\/p\.example\.com\/link\/[\w-]+\.[0-9a-z]+\.[\w-]+$/);
    await signed.stop();
  });
});
