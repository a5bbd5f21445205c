// The exact bytes of each body, kept or checked by body-parser's `verify` hook for what only they show (signatures,
// duplicate keys, bytes that are not UTF-8).

import type { IncomingMessage } from 'node:http';
import { TextDecoder } from 'node:util';
import { MalformedBodyError } from '../errors.js';

const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/** body-parser's `verify` option: remembers the raw body of each request. */
export function keepRawBody(req: IncomingMessage, _res: unknown, body: Buffer): void {
  rawBodies.set(req, body);
}

/** The raw body of a request, or an empty buffer when it had none. */
export function rawBodyOf(req: IncomingMessage): Buffer {
  return rawBodies.get(req) ?? Buffer.alloc(0);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether form-encoded text (a query string, a urlencoded body) decodes as UTF-8: Node's parsers turn a bad
 * `%FF` or a raw non-UTF-8 byte into U+FFFD without a word, and the value would be stored changed.
 */
export function isDecodableForm(bytes: Buffer | string): boolean {
  try {
    const text = typeof bytes === 'string' ? bytes : strictUtf8.decode(bytes);
    decodeURIComponent(text.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

/** body-parser's `verify` option for urlencoded bodies: refuses one that does not decode as UTF-8. */
export function verifyFormBytes(_req: IncomingMessage, _res: unknown, body: Buffer): void {
  if (!isDecodableForm(body)) throw new MalformedBodyError('the form body is not valid UTF-8 (a raw byte or a %-escape that decodes to none)');
}

/** The raw query string of a request's URL ('' when it has none). */
export function rawQueryOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}
