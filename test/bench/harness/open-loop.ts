// The open-loop load: events sent at a steady rate on schedule, never waiting for earlier answers, each answer timed.

import { setMaxListeners } from 'node:events';
import { Agent, request } from 'node:http';
import { wallMs } from './clock.js';
import { dueAt, eventsDue } from './pacing.js';

/** One event's fate: when it was due and sent, and when its answer came (wall ms), with the status. */
export interface PacedSend {
  dueAt: number;
  sentAt: number;
  answeredAt: number;
  status: number | null;
}

/** POSTs a JSON body on a keep-alive agent; resolves with the status (null when no answer came before `signal` aborted). */
export function postJson(agent: Agent, url: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, signal, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      res.resume();
      res.once('end', () => { resolve(res.statusCode ?? null); });
    });
    req.once('error', () => { resolve(null); });
    req.end(body);
  });
}

/**
 * Sends `total` events at `ratePerS`, event `i`'s body from `bodyOf(i)`; resolves once every answer is in, or
 * `answerWithinMs` after the last send, when the requests still unanswered are aborted (status null).
 */
export async function paced(
  url: string,
  headers: Record<string, string>,
  load: { ratePerS: number; total: number; answerWithinMs: number },
  bodyOf: (index: number) => string,
): Promise<PacedSend[]> {
  const { ratePerS, total } = load;
  const abort = new AbortController();
  // Every request in flight listens on the one signal: hundreds at once is the point here, not a leak.
  setMaxListeners(0, abort.signal);
  // Enough sockets that a slow answer never delays the next send: the schedule, not the server, sets the pace.
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const sends: PacedSend[] = [];
  const answers: Array<Promise<void>> = [];
  const start = wallMs();
  let sent = 0;
  try {
    while (sent < total) {
      const due = eventsDue(wallMs() - start, ratePerS, total);
      while (sent < due) {
        const index = sent++;
        const send: PacedSend = { dueAt: start + dueAt(index, ratePerS), sentAt: wallMs(), answeredAt: Number.NaN, status: null };
        sends.push(send);
        answers.push(
          postJson(agent, url, headers, bodyOf(index), abort.signal).then((status) => {
            send.answeredAt = wallMs();
            send.status = status;
          }),
        );
      }
      if (sent < total) await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + dueAt(sent, ratePerS) - wallMs())));
    }
    const timer = setTimeout(() => { abort.abort(); }, load.answerWithinMs);
    await Promise.all(answers);
    clearTimeout(timer);
  } finally {
    agent.destroy();
  }
  return sends;
}
