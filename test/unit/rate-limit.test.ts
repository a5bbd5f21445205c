// The per-address rate limiter (express-rate-limit): 429 with Retry-After past the limit, others still served, IPv6 /64s.

import express from 'express';
import type { ErrorRequestHandler } from 'express';
import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import { expect } from 'chai';
import request from 'supertest';
import { InvalidOptionError } from '../../lib/errors.js';
import type { RateLimitedError } from '../../lib/errors.js';
import { createRateLimiter } from '../../lib/http/rate-limit.js';
import type { RateLimitOptions } from '../../lib/http/rate-limit.js';

/** A fixed-window store on a clock the test moves, so windows end without waiting. */
class ClockStore implements Store {
  readonly counts = new Map<string, IncrementResponse & { resetTime: Date }>();
  #windowMs = 0;
  constructor(private readonly clock: { now: number }) {}
  init(options: Options): void {
    this.#windowMs = options.windowMs;
  }
  increment(key: string): IncrementResponse {
    const entry = this.counts.get(key);
    if (entry === undefined || entry.resetTime.getTime() <= this.clock.now) {
      const fresh = { totalHits: 1, resetTime: new Date(this.clock.now + this.#windowMs) };
      this.counts.set(key, fresh);
      return fresh;
    }
    entry.totalHits += 1;
    return entry;
  }
  decrement(): void {}
  resetKey(key: string): void {
    this.counts.delete(key);
  }
}

function appWith(options: RateLimitOptions) {
  const app = express();
  // The test plays many clients through X-Forwarded-For.
  app.set('trust proxy', true);
  app.use(createRateLimiter(options));
  app.get('/', (_req, res) => res.json({ ok: true }));
  const onError: ErrorRequestHandler = (error: RateLimitedError, _req, res, _next) => {
    res.set('Retry-After', String(error.retryAfterSeconds)).status(error.statusCode).json({ code: error.code });
  };
  app.use(onError);
  return app;
}

const from = (app: express.Express, ip: string) => request(app).get('/').set('x-forwarded-for', ip);

describe('rate limiter', () => {
  it('answers 429 with Retry-After past the limit, keeps serving other addresses, and resets after the window', async () => {
    const clock = { now: Date.now() };
    const store = new ClockStore(clock);
    const app = appWith({ max: 3, windowMs: 10_000, store: () => store });
    for (let i = 0; i < 3; i += 1) await from(app, '203.0.113.7').expect(200).expect('RateLimit-Limit', '3');
    const limited = await from(app, '203.0.113.7').expect(429);
    expect(limited.body).to.deep.equal({ code: 'ERR_PB_RATE_LIMITED' });
    expect(Number(limited.get('Retry-After'))).to.be.within(9, 10);
    expect(limited.get('RateLimit-Remaining')).to.equal('0');
    await from(app, '198.51.100.1').expect(200);
    clock.now += 10_000;
    await from(app, '203.0.113.7').expect(200);
  });

  it('counts one IPv6 /64 as one client, so rotating addresses inside it does not escape the limit', async () => {
    const app = appWith({ max: 2, windowMs: 60_000 });
    await from(app, '2001:db8:1:2::1').expect(200);
    await from(app, '2001:db8:1:2:ffff::9').expect(200);
    await from(app, '2001:db8:1:2:0:0:0:42').expect(429);
    await from(app, '2001:db8:1:3::1').expect(200);
  });

  it('gives each limiter its own store from a factory, named for it', () => {
    const names: string[] = [];
    createRateLimiter({ store: (limiter) => (names.push(limiter), new ClockStore({ now: 0 })) }, 'api');
    createRateLimiter({ store: (limiter) => (names.push(limiter), new ClockStore({ now: 0 })) }, 'pixel');
    expect(names).to.deep.equal(['api', 'pixel']);
  });

  it("refuses a bad option by name, and the 'database' store outside the relay's own routers", () => {
    expect(() => createRateLimiter({ max: 0 })).to.throw(InvalidOptionError, 'rateLimit.max: must be a positive integer, got 0');
    expect(() => createRateLimiter({ store: 'redis' as 'memory' })).to.throw(InvalidOptionError, 'rateLimit.store: must be one of memory, database');
    expect(() => createRateLimiter({ store: 'database' })).to.throw(InvalidOptionError, "rateLimit.store: 'database'");
    expect(() => createRateLimiter({ maxClients: 5 } as RateLimitOptions)).to.throw(InvalidOptionError, 'rateLimit.maxClients: is not an option');
  });
});
