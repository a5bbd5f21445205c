// The per-client-address rate limit of the relay's routers (the event API, the pixel): express-rate-limit, counting
// in memory, in the relay's database (shared by every instance on it), or in a store the host brings (e.g. Redis).

import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { AugmentedRequest, Store } from 'express-rate-limit';
import { checkedOption, resolveOptionGroup } from '../config/resolve-options.js';
import { optionGroup } from '../config/settings.js';
import { InvalidOptionError, RateLimitedError } from '../errors.js';

/**
 * A store for one limiter, named by `limiter` (`'api'`, `'pixel'`): a fresh instance per call, as express-rate-limit
 * wants, with a key prefix of its own when several share one backend.
 * @example (limiter) => new RedisStore({ sendCommand: (...args) => redis.sendCommand(args), prefix: `pb:${limiter}:` })
 */
export type RateLimitStoreFactory = (limiter: string) => Store;

/** How many requests one client address may make per window, and where the counts live. */
export interface RateLimitOptions {
  /** Requests allowed per address per window. @default 600 */
  max?: number;
  /** The window, in milliseconds. @default 60000 */
  windowMs?: number;
  /**
   * Where the counts live: `'memory'` (this process only), `'database'` (the relay's own database, table
   * `<prefix>rate_limits`: every instance on it shares the counts, at the cost of one write per request), or a
   * factory of express-rate-limit stores (e.g. rate-limit-redis). @default 'memory'
   */
  store?: 'memory' | 'database' | RateLimitStoreFactory;
}

/** Rate-limit options with every default filled in. */
export interface ResolvedRateLimit {
  max: number;
  windowMs: number;
  store: 'memory' | 'database' | RateLimitStoreFactory;
}

/** Checks rate-limit options (`option` names them in errors) and fills in defaults. */
export function resolveRateLimit(given: unknown, option: string): ResolvedRateLimit {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new InvalidOptionError(option, 'must be an object such as { max: 600, windowMs: 60000 }, or false');
  const { store, ...rest } = given as Record<string, unknown>;
  const { max, windowMs } = resolveOptionGroup(rest, 'rateLimit') as { max: number; windowMs: number };
  const storeSetting = optionGroup('rateLimit').get('store');
  const resolvedStore = typeof store === 'function' || storeSetting === undefined ? store : checkedOption(storeSetting, store, `${option}.store`);
  return { max, windowMs, store: resolvedStore as ResolvedRateLimit['store'] };
}

/**
 * The middleware: past `max` requests in a window, a client gets 429 with `Retry-After` (an ERR_PB_RATE_LIMITED
 * error handed to the error handler) until its window ends, and everyone else is served. The address is `req.ip`,
 * so behind a proxy set Express's `trust proxy`; one IPv6 /64 counts as one client, since one host usually holds
 * a whole /64. `limiter` names it to a store factory, which keeps the counts of each limiter apart.
 */
export function createRateLimiter(options: RateLimitOptions = {}, limiter = 'host'): RequestHandler {
  const resolved = resolveRateLimit(options, 'rateLimit');
  if (resolved.store === 'database') {
    throw new InvalidOptionError('rateLimit.store', "'database' counts in the relay's own database: use the relay's routers, or pass a store factory");
  }
  const ownStore = typeof resolved.store === 'function' ? resolved.store(limiter) : undefined;
  return rateLimit({
    windowMs: resolved.windowMs,
    limit: resolved.max,
    ...(ownStore === undefined ? {} : { store: ownStore }),
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? '-', 64),
    // A store that cannot count (its database is down) lets requests through: the routes report the outage themselves.
    passOnStoreError: true,
    // The relay documents `trust proxy` for its hosts; these checks would log to the console on every deployment behind one.
    validate: { trustProxy: false, xForwardedForHeader: false },
    handler(req, _res, next) {
      const resetTime = (req as AugmentedRequest).rateLimit?.resetTime;
      const seconds = resetTime === undefined ? Math.ceil(resolved.windowMs / 1000) : Math.ceil((resetTime.getTime() - Date.now()) / 1000);
      next(new RateLimitedError(Math.max(1, seconds)));
    },
  });
}
