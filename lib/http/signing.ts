// Optional HMAC-SHA256 request signing: `X-Postback-Signature: sha256=<hex of HMAC(secret, "<timestamp>.<body>")>`.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { InvalidSignatureError } from '../errors.js';
import { rawBodyOf } from './raw-body.js';

/** The header carrying the Unix time (seconds) the request was signed at. */
export const TIMESTAMP_HEADER = 'x-postback-timestamp';
/** The header carrying `sha256=<hex>`. */
export const SIGNATURE_HEADER = 'x-postback-signature';

/** Resolved signing settings. */
export interface SigningSettings {
  /** Every secret a signature may be made with; several allow rotation. */
  secrets: readonly string[];
  /** How far the timestamp may be from now, either way. */
  toleranceSeconds: number;
}

/** The signature a client sends for `body` at `timestamp` (Unix seconds), for clients and tests. */
export function signRequest(secret: string, timestamp: number, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** Middleware, after the body is parsed: refuses a request without a valid signature made within the window. */
export function requireSignature(settings: SigningSettings, now: () => number = Date.now): RequestHandler {
  const keys = settings.secrets.map((secret) => Buffer.from(secret));
  return function signatureCheck(req, _res, next) {
    const timestamp = req.get(TIMESTAMP_HEADER);
    const signature = req.get(SIGNATURE_HEADER);
    if (timestamp === undefined || signature === undefined) {
      next(new InvalidSignatureError(`signed requests are required: send ${TIMESTAMP_HEADER} (Unix seconds) and ${SIGNATURE_HEADER} (sha256=<hex>)`));
      return;
    }
    if (!/^\d{1,12}$/.test(timestamp)) {
      next(new InvalidSignatureError(`${TIMESTAMP_HEADER} must be a Unix time in seconds`));
      return;
    }
    // Outside the window a captured request cannot be replayed; inside it, event ids make a replay a no-op.
    const skew = Math.abs(now() / 1000 - Number(timestamp));
    if (skew > settings.toleranceSeconds) {
      next(new InvalidSignatureError(`${TIMESTAMP_HEADER} is ${Math.round(skew)} s from the server's clock, more than the ${settings.toleranceSeconds} s allowed; sign with the current time`));
      return;
    }
    const given = /^sha256=([0-9a-f]{64})$/i.exec(signature)?.[1];
    if (given === undefined) {
      next(new InvalidSignatureError(`${SIGNATURE_HEADER} must be sha256=<64 hex digits>`));
      return;
    }
    const givenBytes = Buffer.from(given, 'hex');
    // A signature covers the bytes received, not re-serialized JSON.
    const body = rawBodyOf(req);
    let ok = false;
    for (const key of keys) {
      const expected = createHmac('sha256', key).update(`${timestamp}.`).update(body).digest();
      ok = timingSafeEqual(givenBytes, expected) || ok;
    }
    next(ok ? undefined : new InvalidSignatureError('the request signature does not match its timestamp and body'));
  };
}
