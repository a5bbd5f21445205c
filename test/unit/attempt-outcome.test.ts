// How an attempt is labelled in metrics and logs (delivered, refusal, no answer, no request), and what its record keeps.

import { expect } from 'chai';
import { finishedAttempt } from '../../lib/dispatch/attempt.js';
import { sampleDelivery } from '../../lib/dispatch/send-test.js';
import type { Endpoint } from '../../lib/endpoints/types.js';
import { attemptOutcome } from '../../lib/metrics/instrumentation.js';

const now = new Date('2026-12-01T10:00:00Z');

describe('attempt outcome', () => {
  it('tells a 2xx, another status, no response and an unformattable postback apart', () => {
    expect(attemptOutcome(true, 204, true)).to.equal('delivered');
    expect(attemptOutcome(false, 500, true)).to.equal('http_error');
    expect(attemptOutcome(false, null, true)).to.equal('network_error');
    expect(attemptOutcome(false, null, false)).to.equal('format_error');
  });
});

describe('finished attempt record', () => {
  const endpoint: Endpoint = {
    id: '7', affiliateId: 'aff-1', offerId: null, name: null, plugin: 'generic', settings: {}, events: ['lead_created'], enabled: true, adjustmentMode: null, createdAt: now, updatedAt: now,
  };
  const delivery = sampleDelivery(endpoint, 'lead_created', now);
  const rules = { retry: { schedule: [1_000], jitter: 0, retryAfterMaxMs: 0 }, disableAfterMs: 60_000 };
  const request = { method: 'GET' as const, url: 'http://127.0.0.1:9/pb?token=s3cret' };
  const mask = (text: string) => text.replace('s3cret', '***');

  it('keeps the failure kind of a failed attempt, none for a delivered one, and masks the URL and error', () => {
    const noAnswer = { ok: false as const, error: 'ECONNRESET at s3cret', failureKind: 'ambiguous' as const, blocked: false, statusCode: null, bodyExcerpt: null };
    const failed = finishedAttempt(delivery, { request, result: noAnswer, latencyMs: 3, judged: { delivered: false, error: noAnswer.error, failureKind: 'ambiguous' } }, now, mask, rules);
    expect(failed.outcome).to.deep.include({ status: 'pending', failureKind: 'ambiguous', url: 'http://127.0.0.1:9/pb?token=***', error: 'ECONNRESET at ***' });
    const ok = { ok: true as const, statusCode: 200, bodyExcerpt: 'OK', retryAfter: null };
    const delivered = finishedAttempt(delivery, { request, result: ok, latencyMs: 3, judged: { delivered: true, error: null, failureKind: null } }, now, mask, rules);
    expect(delivered.outcome).to.deep.include({ status: 'delivered', failureKind: null });
  });

  it('records a request cut short by stop() as ambiguous, whatever the socket said', () => {
    const refused = { ok: false as const, error: 'aborted', failureKind: 'unreached' as const, blocked: false, statusCode: null, bodyExcerpt: null };
    const aborted = finishedAttempt(delivery, { request, result: refused, latencyMs: 3, judged: { delivered: false, error: 'aborted', failureKind: 'unreached' } }, now, mask, rules, true);
    expect(aborted.outcome.failureKind).to.equal('ambiguous');
  });
});
