// The exact bytes of each JSON body, kept by body-parser's `verify` hook for checks that need them (signatures, duplicate keys).

import type { IncomingMessage } from 'node:http';

const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/** body-parser's `verify` option: remembers the raw body of each request. */
export function keepRawBody(req: IncomingMessage, _res: unknown, body: Buffer): void {
  rawBodies.set(req, body);
}

/** The raw body of a request, or an empty buffer when it had none. */
export function rawBodyOf(req: IncomingMessage): Buffer {
  return rawBodies.get(req) ?? Buffer.alloc(0);
}
