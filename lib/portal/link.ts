// Signed, expiring portal links: an HMAC over the affiliate and the expiry, with secrets every instance shares.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidOptionError, InvalidPortalLinkError } from '../errors.js';

const MAX_TTL_SECONDS = 30 * 24 * 3600;
const AFFILIATE = /^[^\s]{1,191}$/;

function mac(secret: string, affiliateId: string, expires: string): string {
  return createHmac('sha256', secret).update(`portal-link\n${affiliateId}\n${expires}`).digest('base64url');
}

/** A link token for `affiliateId` valid for `ttlSeconds` from `now`: `<affiliate, base64url>.<expiry, base 36>.<hmac>`. */
export function signPortalToken(secrets: readonly string[], affiliateId: string, ttlSeconds: number, now: Date): { token: string; expiresAt: Date } {
  const [secret] = secrets;
  if (secret === undefined) throw new InvalidOptionError('portal.linkSecrets', 'must be set to create portal links');
  if (typeof affiliateId !== 'string' || !AFFILIATE.test(affiliateId)) throw new InvalidOptionError('affiliateId', 'must be 1 to 191 characters without spaces');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
    throw new InvalidOptionError('ttlSeconds', `must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS} (30 days), got ${JSON.stringify(ttlSeconds)}`);
  }
  const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
  const stamp = expires.toString(36);
  return { token: `${Buffer.from(affiliateId).toString('base64url')}.${stamp}.${mac(secret, affiliateId, stamp)}`, expiresAt: new Date(expires * 1000) };
}

/** The affiliate a token was signed for, or an InvalidPortalLinkError when it is malformed, altered or expired. */
export function verifyPortalToken(secrets: readonly string[], token: unknown, now: Date): { affiliateId: string; expiresAt: Date } {
  const parts = typeof token === 'string' && token.length <= 600 ? token.split('.') : [];
  const [encoded = '', stamp = '', given = ''] = parts;
  if (parts.length !== 3 || !/^[0-9a-z]{1,10}$/.test(stamp)) throw new InvalidPortalLinkError('this portal link is not valid; ask for a new one');
  const affiliateId = Buffer.from(encoded, 'base64url').toString('utf8');
  const signed = Buffer.from(given);
  const matches = secrets.some((secret) => {
    const expected = Buffer.from(mac(secret, affiliateId, stamp));
    return expected.length === signed.length && timingSafeEqual(expected, signed);
  });
  if (!matches || !AFFILIATE.test(affiliateId)) throw new InvalidPortalLinkError('this portal link is not valid; ask for a new one');
  const expiresAt = new Date(parseInt(stamp, 36) * 1000);
  if (expiresAt.getTime() <= now.getTime()) throw new InvalidPortalLinkError('this portal link has expired; ask for a new one');
  return { affiliateId, expiresAt };
}
