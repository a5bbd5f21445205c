// A per-client-address rate limit for any router (the event API, the pixel): fixed windows, kept in memory.

import { isIPv6 } from 'node:net';
import type { RequestHandler } from 'express';
import { InvalidOptionError, RateLimitedError } from '../errors.js';

/** How many requests one client address may make per window. */
export interface RateLimitOptions {
  /** Requests allowed per address per window. @default 600 */
  max?: number;
  /** The window, in milliseconds. @default 60000 */
  windowMs?: number;
  /** Addresses tracked at once; past it, expired entries are dropped, then the oldest. @default 100000 */
  maxClients?: number;
}

const DEFAULTS: Required<RateLimitOptions> = { max: 600, windowMs: 60_000, maxClients: 100_000 };

/** Checks rate-limit options (`option` names them in errors) and fills in defaults. */
export function resolveRateLimit(given: unknown, option: string): Required<RateLimitOptions> {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new InvalidOptionError(option, 'must be an object such as { max: 600, windowMs: 60000 }, or false');
  const resolved = { ...DEFAULTS };
  for (const [key, value] of Object.entries(given)) {
    if (!Object.hasOwn(DEFAULTS, key)) throw new InvalidOptionError(`${option}.${key}`, `is not an option (options: ${Object.keys(DEFAULTS).join(', ')})`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw new InvalidOptionError(`${option}.${key}`, `must be a positive integer, got ${JSON.stringify(value)}`);
    resolved[key as keyof RateLimitOptions] = value;
  }
  return resolved;
}

// One IPv6 host usually holds a whole /64: counting per address would let it rotate through 2^64 of them.
function clientKey(ip: string | undefined): string {
  if (ip === undefined) return '-';
  if (!isIPv6(ip) || ip.includes('.')) return ip;
  const groups = ip.split('::').length === 2 ? expand(ip) : ip.split(':');
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function expand(ip: string): string[] {
  const [head = '', tail = ''] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  return [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
}

/**
 * Creates the middleware: past `max` requests in a window, a client gets 429 with `Retry-After` until its
 * window ends, and everyone else is served. The address is `req.ip`, so behind a proxy set Express's
 * `trust proxy` to read it from `X-Forwarded-For`. Counts live in this process only.
 */
export function createRateLimiter(options: RateLimitOptions = {}, now: () => number = Date.now): RequestHandler {
  const { max, windowMs, maxClients } = resolveRateLimit(options, 'rateLimit');
  const windows = new Map<string, { count: number; resetAt: number }>();

  function evict(at: number): void {
    for (const [key, entry] of windows) if (entry.resetAt <= at) windows.delete(key);
    // Still full: a flood of distinct addresses; drop the oldest (Map keeps insertion order).
    for (const key of windows.keys()) {
      if (windows.size < maxClients) break;
      windows.delete(key);
    }
  }

  return function rateLimit(req, res, next) {
    const at = now();
    const key = clientKey(req.ip);
    let entry = windows.get(key);
    if (entry === undefined || entry.resetAt <= at) {
      if (entry === undefined && windows.size >= maxClients) evict(at);
      windows.delete(key);
      entry = { count: 0, resetAt: at + windowMs };
      windows.set(key, entry);
    }
    entry.count += 1;
    res.set('RateLimit-Limit', String(max));
    res.set('RateLimit-Remaining', String(Math.max(0, max - entry.count)));
    if (entry.count <= max) {
      next();
      return;
    }
    const retryAfter = Math.max(1, Math.ceil((entry.resetAt - at) / 1000));
    res.set('Retry-After', String(retryAfter));
    next(new RateLimitedError(retryAfter));
  };
}
