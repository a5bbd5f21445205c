// The one HTTP client every postback goes through: keep-alive, a hard timeout, no retries, no redirects, the SSRF guard.

import { Agent as HttpAgent } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { got, RequestError } from 'got';
import type { Got, StreamOptions } from 'got';
import { BlockedTargetError, ERROR_CODES } from '../errors.js';
import type { PostbackRequest } from '../plugins/types.js';
import { describeError } from '../log.js';
import type { TargetPolicy } from './target-guard.js';
import type { FailureKind } from './failure-kind.js';
import { stableNativeOptions } from './native-options.js';

/** What came back from one request: a status and the start of the body, or why there was none. */
export type SendResult =
  | { ok: true; statusCode: number; bodyExcerpt: string; /** The tracker's `Retry-After` header, if it sent one. */ retryAfter: string | null }
  | {
      ok: false;
      error: string;
      /** Whether the request may have reached the tracker (see {@link NoAnswerKind}). */
      failureKind: NoAnswerKind;
      /** The SSRF guard refused the destination: it stays refused, so it is not retried. */
      blocked: boolean;
      statusCode: null;
      bodyExcerpt: null;
    };

/** A request that got no answer either never left (`unreached`) or was written and may have been recorded (`ambiguous`). */
export type NoAnswerKind = Extract<FailureKind, 'unreached' | 'ambiguous'>;

export interface PostbackClient {
  /** Sends one request; `signal` aborts it (its result is then a failure like any other). */
  send(request: PostbackRequest, signal?: AbortSignal): Promise<SendResult>;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

const EXCERPT_LENGTH = 512;
// Enough bytes for EXCERPT_LENGTH UTF-16 units whatever the characters (at most 3 bytes per unit), plus a character cut in two.
const EXCERPT_BYTES = EXCERPT_LENGTH * 3 + 3;

/**
 * Creates the client. One request here is exactly one request on the wire: the attempt log counts what trackers see.
 * Every connection goes through `policy`: host names are checked on the addresses they resolve to when the socket
 * connects (so a DNS answer that changed since the endpoint was saved cannot slip past), IP literals before it.
 */
export function createPostbackClient(options: { timeoutMs: number; userAgent: string; maxSockets: number; policy: TargetPolicy }): PostbackClient {
  // Agent options override request options in node:http, so this lookup cannot be replaced per request.
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' as const, lookup: options.policy.lookup };
  const agent = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  const client = got.extend({
    agent,
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 },
    followRedirect: false,
    throwHttpErrors: false,
    // No Accept-Encoding, so trackers answer plain: only an excerpt of the (tiny) answer is kept, and a
    // decompressing stream per response is work on every postback for nothing.
    decompress: false,
    headers: { 'user-agent': options.userAgent },
    handlers: [stableNativeOptions],
  });
  return {
    async send(request, signal) {
      try {
        const url = new URL(request.url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BlockedTargetError(`postback targets must be http or https, got ${url.protocol}`);
        options.policy.checkLiteral(url.hostname);
        // Only the options this request sets: got merges every one given into the instance's defaults.
        return await exchange(client, url, requestOptions(request, signal));
      } catch (error) {
        return { ok: false, error: describeError(error), ...classifyNoAnswer(error), statusCode: null, bodyExcerpt: null };
      }
    },
    close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

function requestOptions(request: PostbackRequest, signal: AbortSignal | undefined): StreamOptions {
  const { method, headers, body } = request;
  const options: StreamOptions = headers === undefined ? { method } : { method, headers };
  if (body !== undefined) options.body = body;
  if (signal !== undefined) options.signal = signal;
  return options;
}

/**
 * One request through got's stream interface, keeping only the start of the answer. got's promise interface collects
 * the whole body through an async iterator and wraps the request in a cancelable promise: per postback, allocations
 * and ticks for an answer of which only an excerpt is kept. Every byte is still read, so the socket goes back to
 * the keep-alive pool as it would there.
 */
function exchange(client: Got, url: URL, options: StreamOptions): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    const stream = client.stream(url, options);
    let statusCode = 0;
    let retryAfter: string | null = null;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    stream.once('response', (response: IncomingMessage) => {
      statusCode = response.statusCode ?? 0;
      retryAfter = response.headers['retry-after'] ?? null;
    });
    stream.on('data', (chunk: Buffer) => {
      if (keptBytes >= EXCERPT_BYTES) return;
      kept.push(chunk);
      keptBytes += chunk.length;
    });
    stream.once('end', () => {
      // got's promise interface destroys its request once answered, and so must this: the request is made with
      // autoDestroy off, and until destroyed it keeps its timeout timers and its listener on `signal`, which is the
      // dispatcher's one signal for every request (a leak of every postback).
      stream.destroy();
      const bytes = Buffer.concat(kept, Math.min(keptBytes, EXCERPT_BYTES));
      resolve({ ok: true, statusCode, bodyExcerpt: bytes.toString('utf8').slice(0, EXCERPT_LENGTH), retryAfter });
    });
    // `on`, not `once`: a socket error after the answer ended must find a listener (the promise has settled by then).
    stream.on('error', reject);
  });
}

/**
 * Tells a request that never left from one that may have reached the tracker, by the error's class and got's
 * timings: `upload` is set once the whole request was handed to the socket. A refused connection, a failed DNS
 * lookup, a TLS handshake error or a timeout before that point sent nothing a tracker could record.
 */
export function classifyNoAnswer(error: unknown): { failureKind: NoAnswerKind; blocked: boolean } {
  const blocked = error instanceof BlockedTargetError || (error instanceof RequestError && error.code === ERROR_CODES.ERR_PB_BLOCKED_TARGET);
  if (blocked) return { failureKind: 'unreached', blocked };
  const written = error instanceof RequestError && error.timings?.upload !== undefined;
  return { failureKind: written ? 'ambiguous' : 'unreached', blocked };
}
