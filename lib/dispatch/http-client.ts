// The one HTTP client every postback goes through: keep-alive, a hard timeout, no retries, no redirects.

import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { got } from 'got';
import type { PostbackRequest } from '../plugins/types.js';
import { describeError } from '../log.js';

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

/** Creates the client. One request here is exactly one request on the wire: the attempt log counts what trackers see. */
export function createPostbackClient(options: { timeoutMs: number; userAgent: string; maxSockets: number }): PostbackClient {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' as const };
  const agent = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  const client = got.extend({
    agent,
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 },
    followRedirect: false,
    throwHttpErrors: false,
    responseType: 'text',
    headers: { 'user-agent': options.userAgent },
  });
  return {
    async send(request) {
      try {
        const response = await client(request.url, {
          method: request.method,
          headers: request.headers ?? {},
          ...(request.body === undefined ? {} : { body: request.body }),
        });
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
