// The database rate-limit store: two relays on one database share the counts, windows end, and counts can be undone.

import express from 'express';
import { expect } from 'chai';
import request from 'supertest';
import { describeEachDatabase, uniquePrefix } from '../helpers/databases.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { KnexRateLimitStore } from '../../lib/store/rate-limit-store.js';
import { tableNames } from '../../lib/store/tables.js';
import type { Options } from 'express-rate-limit';

describeEachDatabase('rate limit counted in the database', (target) => {
  let first: RelayFixture;
  let second: RelayFixture;
  before(async () => {
    const prefix = uniquePrefix();
    const url = target.url();
    const rateLimit = { max: 3, windowMs: 60_000, store: 'database' as const };
    first = await startRelay(target, { url, prefix, start: false, relay: { rateLimit } });
    second = await startRelay(target, { url, prefix, start: false, relay: { rateLimit } });
  });
  after(async () => {
    await second.close({ drop: false });
    await first.close();
  });

  it('is shared by every instance on the database: the limit holds across them', async () => {
    const apps = [first, second].map((fx) => {
      const app = express();
      app.set('trust proxy', true);
      app.use('/postbacks', fx.relay.router);
      return app;
    });
    const list = (n: number) => request(apps[n % 2] as express.Express).get('/postbacks/endpoints').set(auth).set('x-forwarded-for', '203.0.113.50');
    const statuses: number[] = [];
    for (let n = 0; n < 5; n += 1) statuses.push((await list(n)).status);
    expect(statuses).to.deep.equal([200, 200, 200, 429, 429]);
    const other = await request(apps[1] as express.Express).get('/postbacks/endpoints').set(auth).set('x-forwarded-for', '198.51.100.50');
    expect(other.status).to.equal(200);
  });

  it('starts a new window when the old one ends, takes a count back, forgets a key, and purges ended windows', async () => {
    const clock = { now: 1_000_000 };
    const table = tableNames(first.prefix).rateLimits;
    const store = new KnexRateLimitStore(first.relay.knex, table, 'unit:', () => clock.now);
    store.init({ windowMs: 10_000 } as Options);
    expect(await store.increment('a')).to.deep.equal({ totalHits: 1, resetTime: new Date(1_010_000) });
    expect((await store.increment('a')).totalHits).to.equal(2);
    await store.decrement('a');
    expect(await store.get('a')).to.deep.equal({ totalHits: 1, resetTime: new Date(1_010_000) });
    clock.now += 10_000;
    expect(await store.get('a')).to.equal(undefined);
    expect(await store.increment('a')).to.deep.equal({ totalHits: 1, resetTime: new Date(1_020_000) });
    await store.increment('b');
    await store.resetKey('b');
    expect(await store.get('b')).to.equal(undefined);
    clock.now += 20_000;
    await store.increment('c');
    const keys = (await first.relay.knex(table).where('client_key', 'like', 'unit:%').pluck('client_key')) as string[];
    expect(keys).to.deep.equal(['unit:c']);
  });
});
