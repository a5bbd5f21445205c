// The retry decision without a clock: which answers retry, the jitter's range, Retry-After, the last attempt, and the options.

import { expect } from 'chai';
import { isRetryable, parseRetryAfter, verdict } from '../../lib/dispatch/retry-policy.js';
import type { RetryPolicy } from '../../lib/dispatch/retry-policy.js';
import type { SendResult } from '../../lib/dispatch/http-client.js';
import { InvalidOptionError } from '../../lib/errors.js';
import { resolveOptions } from '../../lib/options.js';

const answered = (statusCode: number, retryAfter: string | null = null): SendResult => ({ ok: true, statusCode, bodyExcerpt: '', retryAfter });
const networkError: SendResult = { ok: false, error: 'Timeout awaiting request', failureKind: 'ambiguous', blocked: false, statusCode: null, bodyExcerpt: null };
const policy: RetryPolicy = { schedule: [1000, 5000], jitter: 0.2, retryAfterMaxMs: 60_000 };
const now = new Date('2026-12-01T10:00:00Z');
const waitOf = (v: ReturnType<typeof verdict>) => (v.status === 'pending' ? v.nextAttemptAt.getTime() - now.getTime() : v.status);

describe('retry policy', () => {
  it('retries network errors, timeouts, 5xx, 408, 429 and 3xx, and no other 4xx', () => {
    for (const code of [500, 502, 503, 599, 408, 429, 301, 302]) expect(isRetryable(answered(code)), String(code)).to.equal(true);
    for (const code of [400, 401, 403, 404, 410, 422]) expect(isRetryable(answered(code)), String(code)).to.equal(false);
    expect(isRetryable(networkError)).to.equal(true);
    expect(isRetryable({ ok: false, error: 'ERR_PB_BLOCKED_TARGET: 10.0.0.1 is a private address', failureKind: 'unreached', blocked: true, statusCode: null, bodyExcerpt: null })).to.equal(false);
    // Told by the typed flag, never by the message: the same text without it is an ordinary network error.
    expect(isRetryable({ ok: false, error: 'ERR_PB_BLOCKED_TARGET: lookalike', failureKind: 'unreached', blocked: false, statusCode: null, bodyExcerpt: null })).to.equal(true);
  });

  it('delivers on any 2xx, fails a 4xx at once, and fails after the last scheduled retry', () => {
    expect(verdict(policy, answered(204), 1, now)).to.deep.equal({ status: 'delivered' });
    expect(verdict(policy, answered(404), 1, now)).to.deep.equal({ status: 'failed' });
    expect(waitOf(verdict(policy, answered(500), 2, now, () => 0))).to.equal(5000);
    expect(verdict(policy, answered(500), 3, now)).to.deep.equal({ status: 'failed' });
  });

  it('only lengthens a wait, by at most the jitter fraction', () => {
    expect(waitOf(verdict(policy, networkError, 1, now, () => 0))).to.equal(1000);
    expect(waitOf(verdict(policy, networkError, 1, now, () => 0.5))).to.equal(1100);
    expect(waitOf(verdict(policy, networkError, 1, now, () => 0.999_999))).to.equal(1200);
    for (let i = 0; i < 200; i++) expect(waitOf(verdict(policy, networkError, 1, now))).to.be.within(1000, 1200);
  });

  it('honours Retry-After in seconds or as a date, never below the schedule and never above the bound', () => {
    expect(parseRetryAfter('120', now)).to.equal(120_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:30 GMT', now)).to.equal(30_000);
    expect(parseRetryAfter('soon', now)).to.equal(undefined);
    expect(parseRetryAfter(null, now)).to.equal(undefined);
    expect(waitOf(verdict(policy, answered(429, '30'), 1, now, () => 0))).to.equal(30_000);
    expect(waitOf(verdict(policy, answered(503, '0'), 1, now, () => 0))).to.equal(1000);
    expect(waitOf(verdict(policy, answered(429, '86400'), 1, now, () => 0))).to.equal(60_000);
    // A 4xx is not retried because it asked to be.
    expect(verdict(policy, answered(400, '10'), 1, now)).to.deep.equal({ status: 'failed' });
  });

  it('defaults to the schedule of the best senders and checks the retry options', () => {
    const resolved = resolveOptions({ database: 'x.sqlite', apiKeys: ['k'.repeat(8)] }, '0');
    expect(resolved.dispatch.retrySchedule).to.deep.equal([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(resolved.dispatch.retryJitter).to.equal(0.2);
    const bad = (dispatch: object) => () => resolveOptions({ database: 'x.sqlite', apiKeys: ['k'.repeat(8)], dispatch }, '0');
    expect(bad({ retrySchedule: [5, -1] })).to.throw(InvalidOptionError, /dispatch\.retrySchedule/);
    expect(bad({ retrySchedule: 'fast' })).to.throw(InvalidOptionError, /dispatch\.retrySchedule/);
    expect(bad({ retryJitter: 2 })).to.throw(InvalidOptionError, /dispatch\.retryJitter/);
    expect(bad({ retryAfterMaxMs: 0 })).to.throw(InvalidOptionError, /dispatch\.retryAfterMaxMs/);
    expect(bad({ retrySchedul: [1] })).to.throw(InvalidOptionError, /dispatch\.retrySchedul: is not an option.*retrySchedule/);
    expect(resolveOptions({ database: 'x.sqlite', apiKeys: ['k'.repeat(8)], dispatch: { retrySchedule: [] } }, '0').dispatch.retrySchedule).to.deep.equal([]);
  });
});
