// API-key authentication: `Authorization: Bearer <key>`, compared in constant time against every configured key.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Middleware that lets a request through only with one of `keys`. Several keys let one be rotated without downtime. */
export function requireApiKey(keys: readonly string[]): RequestHandler {
  // Comparing fixed-length digests keeps the comparison constant-time whatever the key lengths.
  const digests = keys.map(digest);
  return function apiKeyAuth(req, _res, next) {
    const header = req.get('authorization');
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      next(new UnauthorizedError('send an API key as "Authorization: Bearer <key>"'));
      return;
    }
    const given = digest(match[1]);
    let ok = false;
    for (const key of digests) ok = timingSafeEqual(given, key) || ok;
    next(ok ? undefined : new UnauthorizedError('the API key is not valid'));
  };
}
