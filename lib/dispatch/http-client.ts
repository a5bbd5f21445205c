// The one HTTP client every postback goes through: keep-alive, a hard timeout, no retries, no redirects, the SSRF guard.
// node:http directly: a postback is one small request and an excerpt of a tiny answer, and got's per-request option
// merging allocated about half of every byte the dispatcher allocated (docs/performance.md, "Memory").

import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BlockedTargetError } from '../errors.js';
import type { PostbackRequest } from '../plugins/types.js';
import { describeError } from '../log.js';
import type { TargetPolicy } from './target-guard.js';
import type { FailureKind } from './failure-kind.js';

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

/** No answer within the request timeout: the request was then destroyed. */
class PostbackTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`Timeout awaiting the answer for ${timeoutMs} ms`);
    this.name = 'PostbackTimeoutError';
  }
}

/**
 * Creates the client. One request here is exactly one request on the wire: the attempt log counts what trackers see.
 * Every connection goes through `policy`: host names are checked on the addresses they resolve to when the socket
 * connects (so a DNS answer that changed since the endpoint was saved cannot slip past), IP literals before it.
 */
export function createPostbackClient(options: { timeoutMs: number; userAgent: string; maxSockets: number; policy: TargetPolicy }): PostbackClient {
  // Agent options override request options in node:http, so this lookup cannot be replaced per request.
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' as const, lookup: options.policy.lookup };
  const agent = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  return {
    send(request, signal) {
      let url: URL;
      try {
        url = new URL(request.url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BlockedTargetError(`postback targets must be http or https, got ${url.protocol}`);
        options.policy.checkLiteral(url.hostname);
      } catch (error) {
        return Promise.resolve(noAnswer(error, false));
      }
      const secure = url.protocol === 'https:';
      // No Accept-Encoding, so trackers answer plain: only an excerpt of the (tiny) answer is kept.
      const requestOptions: RequestOptions = {
        method: request.method,
        headers: { 'user-agent': options.userAgent, ...request.headers },
        agent: secure ? agent.https : agent.http,
        ...(signal === undefined ? {} : { signal }),
      };
      return exchange((secure ? httpsRequest : httpRequest)(url, requestOptions), request.body, options.timeoutMs);
    },
    close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

// Settles once: with the answer's status and excerpt when it has been read to its end, or with why there was none.
function exchange(outgoing: ClientRequest, body: string | undefined, timeoutMs: number): Promise<SendResult> {
  return new Promise((resolve) => {
    let written = false;
    const timer = setTimeout(() => outgoing.destroy(new PostbackTimeoutError(timeoutMs)), timeoutMs);
    const settle = (result: SendResult) => {
      clearTimeout(timer);
      resolve(result);
    };
    // 'finish' comes once the whole request was handed to a connected socket: from then on the tracker may have it.
    outgoing.once('finish', () => (written = true));
    outgoing.on('error', (error) => {
      settle(noAnswer(error, written));
    });
    outgoing.once('response', (response: IncomingMessage) => {
      let excerpt = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (excerpt.length < EXCERPT_LENGTH) excerpt += chunk.slice(0, EXCERPT_LENGTH - excerpt.length);
      });
      response.once('end', () => {
        const retryAfter = response.headers['retry-after'];
        settle({ ok: true, statusCode: response.statusCode ?? 0, bodyExcerpt: excerpt, retryAfter: retryAfter ?? null });
      });
      // A response cut short (the socket closed, the timeout, the caller's signal) is an answer never read whole.
      response.once('error', (error) => {
        settle(noAnswer(error, true));
      });
    });
    outgoing.end(body);
  });
}

function noAnswer(error: unknown, written: boolean): SendResult {
  const blocked = error instanceof BlockedTargetError;
  return { ok: false, error: describeError(error), failureKind: blocked || !written ? 'unreached' : 'ambiguous', blocked, statusCode: null, bodyExcerpt: null };
}
