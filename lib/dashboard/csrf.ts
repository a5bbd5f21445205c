// Cross-site request forgery guard for the dashboard's forms: an HMAC-signed, expiring token in each form, and the browser's Sec-Fetch-Site.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { CsrfError } from '../errors.js';

/** The hidden field every dashboard form carries. */
export const CSRF_FIELD = '_csrf';
const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

export interface CsrfGuard {
  /** A fresh token for a form. */
  token(): string;
  /** Middleware refusing a POST without a valid token, or one the browser marks as cross-site. */
  readonly check: RequestHandler;
}

/**
 * The host's authentication may be a cookie the browser sends with any request, so a form posted from another
 * site must not act. A secret signs the issue time: no session store is needed. The fleet's shared secret lets
 * a token issued by one instance pass on another; without one, a per-process secret means a token from before a
 * restart is refused (the page is reloaded).
 */
export function createCsrfGuard(secret: Buffer | string = randomBytes(32), now: () => number = Date.now): CsrfGuard {
  const sign = (issued: string) => createHmac('sha256', secret).update(`dashboard-form:${issued}`).digest('base64url');
  function valid(token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const [issued, mac, extra] = token.split('.');
    if (issued === undefined || mac === undefined || extra !== undefined || !/^[0-9a-z]{1,12}$/.test(issued)) return false;
    const expected = Buffer.from(sign(issued));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    const age = now() - parseInt(issued, 36);
    return age >= 0 && age <= TOKEN_TTL_MS;
  }
  return {
    token() {
      const issued = now().toString(36);
      return `${issued}.${sign(issued)}`;
    },
    check: function csrfCheck(req, _res, next) {
      const site = req.get('sec-fetch-site');
      if (site !== undefined && site !== 'same-origin' && site !== 'none') {
        next(new CsrfError(`refused a form posted from another site (Sec-Fetch-Site: ${site})`));
        return;
      }
      const body = req.body as Record<string, unknown> | undefined;
      next(valid(body?.[CSRF_FIELD]) ? undefined : new CsrfError('the form token is missing or expired; reload the page and submit again'));
    },
  };
}
