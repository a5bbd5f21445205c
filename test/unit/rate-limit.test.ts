// The per-address rate limiter: 429 with Retry-After past the limit, others still served, windows and memory bounded.

import express from 'express';
import type { ErrorRequestHandler } from 'express';
import { expect } from 'chai';
import request from 'supertest';
import type { RateLimitedError } from '../../lib/errors.js';
import { createRateLimiter } from '../../lib/http/rate-limit.js';
import type { RateLimitOptions } from '../../lib/http/rate-limit.js';

function appWith(options: RateLimitOptions, clock: { now: number }) {
  const app = express();
  // The test plays many clients through X-Forwarded-For.
  app.set('trust proxy', true);
  app.use(createRateLimiter(options, () => clock.now));
  app.get('/', (_req, res) => res.json({ ok: true }));
  const onError: ErrorRequestHandler = (error: RateLimitedError, _req, res, _next) => {
    res.status(error.statusCode).json({ code: error.code });
  };
  app.use(onError);
  return app;
}

const from = (app: express.Express, ip: string) => request(app).get('/').set('x-forwarded-for', ip);

describe('rate limiter', () => {
  it('answers 429 with Retry-After past the limit, keeps serving other addresses, and resets after the window', async () => {
    const clock = { now: 1_000_000 };
    const app = appWith({ max: 3, windowMs: 10_000 }, clock);
    for (let i = 0; i < 3; i += 1) await from(app, '203.0.113.7').expect(200);
    clock.now += 2_500;
    const limited = await from(app, '203.0.113.7').expect(429);
    expect(limited.body).to.deep.equal({ code: 'ERR_PB_RATE_LIMITED' });
    expect(limited.get('Retry-After')).to.equal('8');
    expect(limited.get('RateLimit-Remaining')).to.equal('0');
    await from(app, '198.51.100.1').expect(200);
    clock.now += 7_500;
    await from(app, '203.0.113.7').expect(200);
  });

  it('counts one IPv6 /64 as one client, so rotating addresses inside it does not escape the limit', async () => {
    const app = appWith({ max: 2, windowMs: 10_000 }, { now: 0 });
    await from(app, '2001:db8:1:2::1').expect(200);
    await from(app, '2001:db8:1:2:ffff::9').expect(200);
    await from(app, '2001:db8:1:2:0:0:0:42').expect(429);
    await from(app, '2001:db8:1:3::1').expect(200);
  });

  it('tracks at most maxClients addresses: a flood of distinct ones cannot grow memory without bound', async () => {
    const app = appWith({ max: 1, windowMs: 60_000, maxClients: 2 }, { now: 0 });
    await from(app, '192.0.2.1').expect(200);
    await from(app, '192.0.2.2').expect(200);
    await from(app, '192.0.2.3').expect(200);
    // The oldest entry was dropped to make room, so its count started over; the newest is still counted.
    await from(app, '192.0.2.1').expect(200);
    await from(app, '192.0.2.3').expect(429);
  });
});
