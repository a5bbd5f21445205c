// The observer contract between the relay's core and its metrics and attempt logs: plain calls, no prom-client here.

import type { EventName } from '../events/types.js';

/** What became of one inbound event: stored, answered from an earlier copy, refused (4xx), or failed (5xx). */
export type EventResult = 'recorded' | 'replayed' | 'rejected' | 'failed';

/** How one postback attempt ended. */
export type AttemptOutcome = 'delivered' | 'http_error' | 'network_error' | 'format_error';

/** One finished postback attempt, as the dispatcher saw it. Never carries the URL: it can hold tokens. */
export interface AttemptObservation {
  delivery: string;
  endpoint: string;
  event: EventName;
  plugin: string;
  outcome: AttemptOutcome;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/** Classifies an attempt: a 2xx, another status, no response at all, or a request that could not be built. */
export function attemptOutcome(delivered: boolean, statusCode: number | null, formatted: boolean): AttemptOutcome {
  if (delivered) return 'delivered';
  if (!formatted) return 'format_error';
  return statusCode === null ? 'network_error' : 'http_error';
}
