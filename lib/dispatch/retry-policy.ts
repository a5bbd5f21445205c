// When a failed postback is tried again: which answers are worth retrying, the schedule with jitter, and Retry-After.

import type { SendResult } from './http-client.js';

/** The resolved retry settings. */
export interface RetryPolicy {
  /** Wait after the 1st, 2nd, ... failed attempt, in ms; its length is the number of retries. */
  schedule: readonly number[];
  /** Each wait is stretched by a random 0..`jitter` fraction of itself, so it is never shorter than scheduled. */
  jitter: number;
  /** The longest `Retry-After` honoured, in ms; a longer one is cut to this. */
  retryAfterMaxMs: number;
}

/** What becomes of a delivery after an attempt. */
export type Verdict = { status: 'delivered' } | { status: 'pending'; nextAttemptAt: Date } | { status: 'failed' };

/** Network errors, timeouts, 5xx, 408, 429 and 3xx may pass on a later try; other 4xx and refused destinations will not. */
export function isRetryable(result: SendResult): boolean {
  // A destination the SSRF guard refused stays refused.
  if (!result.ok) return !result.blocked;
  const code = result.statusCode;
  return code >= 500 || code === 408 || code === 429 || (code >= 300 && code < 400);
}

/** Reads `Retry-After` (seconds, or an HTTP date) as a wait in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * Decides the outcome of attempt number `step` (1-based, counted since the delivery was queued or last
 * replayed). A `Retry-After` can only lengthen the scheduled wait, never shorten it, and is capped.
 */
export function verdict(policy: RetryPolicy, result: SendResult, step: number, now: Date, random: () => number = Math.random): Verdict {
  if (result.ok && result.statusCode >= 200 && result.statusCode < 300) return { status: 'delivered' };
  const scheduled = policy.schedule[step - 1];
  if (scheduled === undefined || !isRetryable(result)) return { status: 'failed' };
  const jittered = scheduled * (1 + policy.jitter * random());
  const asked = result.ok ? parseRetryAfter(result.retryAfter, now) : undefined;
  const wait = asked === undefined ? jittered : Math.max(jittered, Math.min(asked, policy.retryAfterMaxMs));
  return { status: 'pending', nextAttemptAt: new Date(now.getTime() + Math.ceil(wait)) };
}
