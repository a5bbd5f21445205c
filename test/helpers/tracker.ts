// A real HTTP server on 127.0.0.1 that plays an affiliate's tracker: it records every request it receives.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPostback {
  method: string;
  path: string;
  query: Record<string, string>;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** When the request arrived (Date.now()). */
  at: number;
}

/**
 * How to answer one request: a status (with headers, after `delayMs`, once `until` has settled), or `'hang'` to never
 * answer.
 */
export type TrackerAnswer = number | { status: number; headers?: Record<string, string>; delayMs?: number; until?: Promise<unknown> } | 'hang';

export interface TestTracker {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  received: ReceivedPostback[];
  /** The most requests it had open (received, not yet answered) at once. */
  readonly maxConcurrent: number;
  /** Forgets `maxConcurrent` (from now on it counts from the requests open now). */
  resetMaxConcurrent(): void;
  /** The status code the tracker answers with from now on (dropping any `answerWith`). */
  respondWith(status: number): void;
  /** Delays every answer from now on by `ms`, to keep postbacks in flight. */
  respondAfter(ms: number): void;
  /** Decides each answer from now on (overrides `respondWith`). */
  answerWith(decide: (request: ReceivedPostback, index: number) => TrackerAnswer): void;
  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedPostback[]>;
  close(): Promise<void>;
}

export async function startTestTracker(): Promise<TestTracker> {
  const received: ReceivedPostback[] = [];
  let status = 200;
  let delayMs = 0;
  let decide: ((request: ReceivedPostback, index: number) => TrackerAnswer) | undefined;
  const waiters: Array<() => void> = [];
  let open = 0;
  let maxConcurrent = 0;
  const server = createServer((req, res) => {
    open += 1;
    maxConcurrent = Math.max(maxConcurrent, open);
    // Ended by the answer, or by the client giving up on a request never answered.
    res.once('close', () => (open -= 1));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://tracker');
      const request = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
        at: Date.now(),
      };
      received.push(request);
      const decided = decide ? decide(request, received.length - 1) : status;
      const answer = () => {
        if (decided !== 'hang') {
          const { status: code, headers = {} } = typeof decided === 'number' ? { status: decided } : decided;
          res.writeHead(code, { 'content-type': 'text/plain', ...headers }).end(code < 300 ? 'OK' : 'tracker error');
        }
        for (const wake of waiters.splice(0)) wake();
      };
      const wait = typeof decided === 'object' ? (decided.delayMs ?? delayMs) : delayMs;
      const answerLater = () => {
        if (wait > 0) setTimeout(answer, wait);
        else answer();
      };
      if (typeof decided === 'object' && decided.until) void decided.until.then(answerLater, answerLater);
      else answerLater();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    get maxConcurrent() {
      return maxConcurrent;
    },
    resetMaxConcurrent() {
      maxConcurrent = open;
    },
    respondWith(code) {
      status = code;
      decide = undefined;
    },
    answerWith(fn) {
      decide = fn;
    },
    respondAfter(ms) {
      delayMs = ms;
    },
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`the tracker received ${received.length} postbacks, expected ${count}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
