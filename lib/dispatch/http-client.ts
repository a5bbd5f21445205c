// The one HTTP client every postback goes through: keep-alive, a hard timeout, no retries, no redirects, the SSRF guard.

import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { got } from 'got';
import type { OptionsOfTextResponseBody } from 'got';
import { BlockedTargetError } from '../errors.js';
import type { PostbackRequest } from '../plugins/types.js';
import { describeError } from '../log.js';
import type { TargetPolicy } from './target-guard.js';

/** What came back from one request: a status and the start of the body, or why there was none. */
export type SendResult =
  | { ok: true; statusCode: number; bodyExcerpt: string; /** The tracker's `Retry-After` header, if it sent one. */ retryAfter: string | null }
  | { ok: false; error: string; statusCode: null; bodyExcerpt: null };

export interface PostbackClient {
  send(request: PostbackRequest): Promise<SendResult>;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

const EXCERPT_LENGTH = 512;

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
    responseType: 'text',
    // No Accept-Encoding, so trackers answer plain: only an excerpt of the (tiny) answer is kept, and a
    // decompressing stream per response is work on every postback for nothing.
    decompress: false,
    headers: { 'user-agent': options.userAgent },
  });
  return {
    async send(request) {
      try {
        const url = new URL(request.url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BlockedTargetError(`postback targets must be http or https, got ${url.protocol}`);
        options.policy.checkLiteral(url.hostname);
        // Only the options this request sets: got merges every one given into the instance's defaults.
        const response = await client(url, requestOptions(request));
        return {
          ok: true,
          statusCode: response.statusCode,
          bodyExcerpt: response.body.slice(0, EXCERPT_LENGTH),
          retryAfter: response.headers['retry-after'] ?? null,
        };
      } catch (error) {
        return { ok: false, error: describeError(error), statusCode: null, bodyExcerpt: null };
      }
    },
    close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

function requestOptions(request: PostbackRequest): OptionsOfTextResponseBody {
  const { method, headers, body } = request;
  if (headers === undefined) return body === undefined ? { method } : { method, body };
  return body === undefined ? { method, headers } : { method, headers, body };
}
