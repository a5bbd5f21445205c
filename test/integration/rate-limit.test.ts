// A flood from one address answers 429 with Retry-After, stores nothing past the limit, and everyone else is still served.

import express from 'express';
import { expect } from 'chai';
import request from 'supertest';
import { sqliteTarget } from '../helpers/databases.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';

describe('rate limit on the event API', () => {
  let fx: RelayFixture;
  before(async () => {
    fx = await startRelay(sqliteTarget, { start: false, relay: { rateLimit: { max: 5, windowMs: 60_000 } } });
  });
  after(() => fx.close());

  it('limits a flooding address and keeps serving another', async () => {
    const app = express();
    // Clients are told apart by X-Forwarded-For here, as behind the host's proxy.
    app.set('trust proxy', true);
    app.use('/postbacks', fx.relay.router);
    const lead = (ip: string, n: number) =>
      request(app).post('/postbacks/events/leads').set(auth).set('x-forwarded-for', ip).send({ id: `${ip}-${n}`, clickId: 'c', affiliateId: 'a' });
    const flood = [];
    for (let n = 0; n < 30; n += 1) flood.push((await lead('203.0.113.9', n)).status);
    expect(flood.filter((status) => status === 201)).to.have.length(5);
    expect(flood.slice(5).every((status) => status === 429)).to.equal(true);
    const limited = await lead('203.0.113.9', 99);
    expect(limited.body.error.code).to.equal('ERR_PB_RATE_LIMITED');
    expect(Number(limited.get('Retry-After'))).to.be.within(1, 60);
    await lead('198.51.100.4', 0).expect(201);
    const rows = await fx.countRows();
    expect(rows[`${fx.prefix}leads`]).to.equal(6);
  });
});
