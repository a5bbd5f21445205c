// Inbound authentication: scoped API keys (`Authorization: Bearer <key>`), constant-time, or deferral to the host app.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { ForbiddenScopeError, InvalidOptionError, UnauthorizedError } from '../errors.js';

/** What a key may do: `events` sends leads and commissions; `admin` manages endpoints, deliveries and replays. */
export type ApiScope = 'events' | 'admin';
export const API_SCOPES: readonly ApiScope[] = ['events', 'admin'];

/** One configured key with what it may do. */
export interface ScopedKey {
  key: string;
  scopes: readonly ApiScope[];
}

/**
 * Where a host app that authenticates requests itself (`authentication: 'host'`) may narrow what the relay
 * allows: `res.locals[HOST_SCOPES_LOCAL] = ['events']`. Left unset, the host's authentication grants every scope.
 */
export const HOST_SCOPES_LOCAL = 'postbackRelayScopes';
// Kept beside the response, not on it, so nothing else on the request can grant a scope.
const granted = new WeakMap<Response, readonly ApiScope[]>();

/**
 * Reads `key` (every scope, as before scopes existed) or `key:events` / `key:admin`. Keys are at least
 * 8 characters without spaces or colons. `option` names the option in errors.
 */
export function parseApiKey(spec: unknown, option: string): ScopedKey {
  const match = typeof spec === 'string' ? /^([^\s:]{8,})(?::([a-z]+))?$/.exec(spec) : null;
  if (!match?.[1]) throw new InvalidOptionError(option, 'must be a key of at least 8 characters without spaces or colons, optionally followed by :events or :admin');
  const scope = match[2];
  if (scope === undefined) return { key: match[1], scopes: API_SCOPES };
  if (!(API_SCOPES as readonly string[]).includes(scope)) throw new InvalidOptionError(option, `has the unknown scope "${scope}" (scopes: ${API_SCOPES.join(', ')})`);
  return { key: match[1], scopes: [scope as ApiScope] };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Middleware that lets a request through only with one of `keys`, and records the scopes that key has.
 * With `basicRealm`, a key is also taken as the password of HTTP Basic (any user name), and a refusal asks
 * for it (`WWW-Authenticate`), so a browser can open the dashboard from a plain link.
 */
export function requireApiKey(keys: readonly ScopedKey[], options: { basicRealm?: string } = {}): RequestHandler {
  // Comparing fixed-length digests keeps the comparison constant-time whatever the key lengths.
  const digests = keys.map(({ key, scopes }) => ({ digest: digest(key), scopes }));
  const { basicRealm } = options;
  return function apiKeyAuth(req, res, next) {
    const refuse = (message: string) => {
      if (basicRealm !== undefined) res.set('WWW-Authenticate', `Basic realm="${basicRealm}", charset="UTF-8"`);
      next(new UnauthorizedError(message));
    };
    const given = presentedKey(req.get('authorization'), basicRealm !== undefined);
    if (given === undefined) {
      refuse(basicRealm === undefined ? 'send an API key as "Authorization: Bearer <key>"' : 'send an API key as "Authorization: Bearer <key>", or as the password of HTTP Basic');
      return;
    }
    const givenDigest = digest(given);
    let scopes: readonly ApiScope[] | undefined;
    // Every key is compared, matched or not, so the time taken does not tell which key (or whether one) matched.
    for (const key of digests) if (timingSafeEqual(givenDigest, key.digest)) scopes ??= key.scopes;
    if (scopes === undefined) {
      refuse('the API key is not valid');
      return;
    }
    granted.set(res, scopes);
    next();
  };
}

function presentedKey(header: string | undefined, basic: boolean): string | undefined {
  if (header === undefined) return undefined;
  const bearer = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (bearer?.[1]) return bearer[1];
  const credentials = basic ? /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(header)?.[1] : undefined;
  if (credentials === undefined) return undefined;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const password = decoded.slice(decoded.indexOf(':') + 1);
  return decoded.includes(':') && password !== '' ? password : undefined;
}

/** Middleware for `authentication: 'host'`: the host's own middleware ran before the router and decides. */
export const trustHostAuth: RequestHandler = function trustHostAuth(_req, res, next) {
  const narrowed: unknown = res.locals[HOST_SCOPES_LOCAL];
  granted.set(res, Array.isArray(narrowed) ? narrowed.filter((scope): scope is ApiScope => (API_SCOPES as readonly unknown[]).includes(scope)) : API_SCOPES);
  next();
};

/** Middleware that refuses, with 403, a request whose key lacks `scope`. */
export function requireScope(scope: ApiScope): RequestHandler {
  return function scopeCheck(_req, res, next) {
    next((granted.get(res) ?? []).includes(scope) ? undefined : new ForbiddenScopeError(scope));
  };
}
