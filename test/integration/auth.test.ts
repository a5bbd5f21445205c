// Inbound authentication: scoped keys, rotation, host-app deferral, HMAC signing with a tolerance window.

import express from 'express';
import type { RequestHandler } from 'express';
import { expect } from 'chai';
import request from 'supertest';
import { signRequest } from '../../lib/http/signing.js';
import { sqliteTarget } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';

const EVENTS_KEY = 'events-key-0123456789';
const ADMIN_KEY = 'admin-key-0123456789';
const FULL_KEY = 'full-key-0123456789';
const OLD_KEY = 'old-full-key-0123456789';
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const lead = (id: string) => ({ id, clickId: `c-${id}`, affiliateId: 'a' });

describe('inbound authentication', () => {
  describe('scoped API keys', () => {
    let fx: RelayFixture;
    before(async () => {
      fx = await startRelay(sqliteTarget, { start: false, relay: { apiKeys: [`${EVENTS_KEY}:events`, `${ADMIN_KEY}:admin`, FULL_KEY, OLD_KEY] } });
    });
    after(() => fx.close());

    it('lets an events key send events but not manage endpoints (403 ERR_PB_FORBIDDEN_SCOPE)', async () => {
      await request(fx.app).post('/postbacks/events/leads').set(bearer(EVENTS_KEY)).send(lead('L-1')).expect(201);
      const refused = await request(fx.app).get('/postbacks/endpoints').set(bearer(EVENTS_KEY)).expect(403);
      expect(refused.body.error.code).to.equal('ERR_PB_FORBIDDEN_SCOPE');
      expect(refused.body.error.message).to.match(/"admin" scope/);
      expect((await request(fx.app).get('/postbacks/deliveries?leadId=L-1').set(bearer(EVENTS_KEY))).status).to.equal(403);
    });

    it('lets an admin key manage endpoints but not send events, and stores nothing for the refused event', async () => {
      await request(fx.app).get('/postbacks/endpoints').set(bearer(ADMIN_KEY)).expect(200);
      const before = await fx.countRows();
      const refused = await request(fx.app).post('/postbacks/events/leads').set(bearer(ADMIN_KEY)).send(lead('L-2')).expect(403);
      expect(refused.body.error.code).to.equal('ERR_PB_FORBIDDEN_SCOPE');
      expect(await fx.countRows()).to.deep.equal(before);
    });

    it('accepts every configured unscoped key for everything, so a key is rotated by adding the new one first', async () => {
      for (const key of [FULL_KEY, OLD_KEY]) {
        await request(fx.app).get('/postbacks/endpoints').set(bearer(key)).expect(200);
        await request(fx.app).post('/postbacks/events/leads').set(bearer(key)).send(lead(`L-${key}`)).expect(201);
      }
    });

    it('refuses an unknown key and a missing one with 401', async () => {
      const wrong = await request(fx.app).get('/postbacks/endpoints').set(bearer(`${FULL_KEY}x`)).expect(401);
      expect(wrong.body.error.code).to.equal('ERR_PB_UNAUTHORIZED');
      await request(fx.app).get('/postbacks/endpoints').expect(401);
    });
  });

  describe("authentication: 'host'", () => {
    let fx: RelayFixture;
    before(async () => {
      fx = await startRelay(sqliteTarget, { start: false, relay: { authentication: 'host', apiKeys: [] } });
    });
    after(() => fx.close());

    it("defers to the host app's own middleware, which may narrow the scopes", async () => {
      const hostAuth: RequestHandler = (req, res, next) => {
        const user = req.get('x-user');
        if (user === undefined) {
          res.status(401).json({ host: 'login first' });
          return;
        }
        if (user === 'crm') res.locals.postbackRelayScopes = ['events'];
        next();
      };
      const app = express();
      app.use('/postbacks', hostAuth, fx.relay.router);
      expect((await request(app).get('/postbacks/endpoints').expect(401)).body).to.deep.equal({ host: 'login first' });
      await request(app).get('/postbacks/endpoints').set('x-user', 'ops').expect(200);
      await request(app).post('/postbacks/events/leads').set('x-user', 'crm').send(lead('H-1')).expect(201);
      const refused = await request(app).get('/postbacks/endpoints').set('x-user', 'crm').expect(403);
      expect(refused.body.error.code).to.equal('ERR_PB_FORBIDDEN_SCOPE');
    });
  });

  describe('HMAC-SHA256 request signing', () => {
    const SECRET = 'signing-secret-0123456789';
    const NEXT_SECRET = 'next-signing-secret-0123456789';
    let fx: RelayFixture;
    before(async () => {
      fx = await startRelay(sqliteTarget, { start: false, relay: { apiKeys: [FULL_KEY], signing: { secrets: [SECRET, NEXT_SECRET], toleranceSeconds: 60 } } });
    });
    after(() => fx.close());

    const now = () => Math.floor(Date.now() / 1000);
    function signed(body: object, options: { secret?: string; timestamp?: number; sendBody?: string } = {}) {
      const raw = JSON.stringify(body);
      const timestamp = options.timestamp ?? now();
      return request(fx.app)
        .post('/postbacks/events/leads')
        .set(bearer(FULL_KEY))
        .set('content-type', 'application/json')
        .set('x-postback-timestamp', String(timestamp))
        .set('x-postback-signature', signRequest(options.secret ?? SECRET, timestamp, raw))
        .send(options.sendBody ?? raw);
    }

    it('accepts a request signed now with either secret, over the exact bytes sent', async () => {
      await signed(lead('S-1')).expect(201);
      await signed(lead('S-2'), { secret: NEXT_SECRET }).expect(201);
      // Signed bytes with extra whitespace are still those bytes: the signature covers the raw body.
      const spaced = `{ "id": "S-3", "clickId": "c", "affiliateId": "a" }`;
      const timestamp = now();
      await request(fx.app)
        .post('/postbacks/events/leads')
        .set(bearer(FULL_KEY))
        .set('content-type', 'application/json')
        .set('x-postback-timestamp', String(timestamp))
        .set('x-postback-signature', signRequest(SECRET, timestamp, spaced))
        .send(spaced)
        .expect(201);
    });

    it('signs bodiless requests over the empty body', async () => {
      const timestamp = now();
      await request(fx.app).get('/postbacks/endpoints').set(bearer(FULL_KEY)).set('x-postback-timestamp', String(timestamp)).set('x-postback-signature', signRequest(SECRET, timestamp, '')).expect(200);
    });

    it('refuses a missing, wrong, tampered, expired or future signature with 401 ERR_PB_INVALID_SIGNATURE, storing nothing', async () => {
      const before = await fx.countRows();
      const cases = [
        [request(fx.app).post('/postbacks/events/leads').set(bearer(FULL_KEY)).send(lead('X-1')), /required/],
        [signed(lead('X-2'), { secret: 'not-the-secret-0123456789' }), /does not match/],
        [signed(lead('X-3'), { sendBody: JSON.stringify(lead('X-3-tampered')) }), /does not match/],
        [signed(lead('X-4'), { timestamp: now() - 61 }), /more than the 60 s allowed/],
        [signed(lead('X-5'), { timestamp: now() + 120 }), /more than the 60 s allowed/],
      ] as const;
      for (const [pending, message] of cases) {
        const res = await pending;
        expect(res.status, JSON.stringify(res.body)).to.equal(401);
        expect(res.body.error.code).to.equal('ERR_PB_INVALID_SIGNATURE');
        expect(res.body.error.message).to.match(message);
      }
      expect(await fx.countRows()).to.deep.equal(before);
    });
  });
});
