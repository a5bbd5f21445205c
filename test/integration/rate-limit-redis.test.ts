// Redis as the rate-limit store of a fleet (docs/scaling.md): two relays that share nothing but a Redis hold one
// limit between them, through the store factory and rate-limit-redis, as the docs show it.

import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisStore } from 'rate-limit-redis';
import type { RedisReply } from 'rate-limit-redis';
import request from 'supertest';
import express from 'express';
import { redisVersion, REDIS } from '../bench/harness/redis.js';
import { sqliteTarget } from '../helpers/databases.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';

describe('a Redis rate-limit store shared by two relays', function () {
  this.timeout(60_000);
  const relays: RelayFixture[] = [];
  let redis: Redis | undefined;
  const prefix = `pb-test-${randomBytes(4).toString('hex')}:`;

  before(async function () {
    if ((await redisVersion()) !== null) return;
    console.warn(`\n  !! SKIPPING "a Redis rate-limit store shared by two relays": Redis does not answer at ${REDIS.host}:${REDIS.port}.\n`);
    this.skip();
  });
  after(async () => {
    for (const relay of relays) await relay.close();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('lets one client make the limit once across both relays', async () => {
    const client = new Redis({ ...REDIS, lazyConnect: true });
    redis = client;
    await client.connect();
    // The factory from docs/scaling.md: a store per limiter, each under its own key prefix.
    const store = (limiter: string) => new RedisStore({ sendCommand: (command: string, ...args: string[]) => client.call(command, ...args) as Promise<RedisReply>, prefix: `${prefix}${limiter}:` });
    const mount = async () => {
      const fx = await startRelay(sqliteTarget, { start: false, relay: { rateLimit: { max: 6, windowMs: 120_000, store } } });
      relays.push(fx);
      return express().use('/postbacks', fx.relay.router);
    };
    const one = await mount();
    const two = await mount();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const answer = await request(i % 2 === 0 ? one : two).get('/postbacks/endpoints').set(auth);
      statuses.push(answer.status);
    }
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
    expect(await client.keys(`${prefix}api:*`), 'the counts live in Redis, under the api limiter').to.have.length(1);
  });
});
