// What one finished attempt records: the outcome in the delivery log, the verdict, and what the metrics hook sees.

import type { AttemptObservation } from '../metrics/instrumentation.js';
import { attemptOutcome } from '../metrics/instrumentation.js';
import type { Masker } from '../secrets.js';
import type { AttemptOutcome } from '../store/completions.js';
import type { ClaimedDelivery } from '../store/outbox-store.js';
import { holdForConfirmation } from '../deliveries/unconfirmed.js';
import type { FailureKind } from './failure-kind.js';
import { verdict } from './retry-policy.js';
import type { RetryPolicy, Verdict } from './retry-policy.js';
import type { Sent } from './send.js';

/** A finished attempt waiting to be recorded, with what to report once it is. */
export interface Finished {
  delivery: ClaimedDelivery;
  outcome: AttemptOutcome;
  /** For the metrics hook; a skip made no attempt on the wire and has none. */
  observation?: AttemptObservation;
  skipReason?: string;
}

/** What deciding an attempt's outcome needs besides the attempt. */
export interface AttemptRules {
  retry: RetryPolicy;
  /** An endpoint whose attempts have all failed for this long is disabled. */
  disableAfterMs: number;
}

type Made = Extract<Sent, { result: unknown }>;

/**
 * The record of a request made (or one that could not be formatted). `aborted` marks a request cut short by
 * `stop()`: it may have reached the tracker, so it is recorded ambiguous whatever the socket said.
 */
export function finishedAttempt(delivery: ClaimedDelivery, sent: Made, attemptedAt: Date, mask: Masker, rules: AttemptRules, aborted = false): Finished {
  const { request, result, latencyMs, judged } = sent;
  const decided = decide(delivery, sent, rules.retry, attemptedAt);
  // The delivery log and logs only ever see the endpoint's secrets masked.
  const error = judged.error === null ? null : mask(judged.error);
  const failureKind: FailureKind | null = judged.delivered ? null : aborted ? 'ambiguous' : judged.failureKind;
  // It may be on a tracker that would count a repeat twice: an operator decides (see DeliveryStatus).
  const status = holdForConfirmation(sent.dedupe, failureKind) ? 'unconfirmed' : decided.status;
  const { endpoint } = delivery;
  return {
    delivery,
    outcome: {
      attemptedAt,
      method: request?.method ?? '-',
      url: mask(request?.url ?? '-'),
      statusCode: result.statusCode,
      latencyMs,
      error,
      responseExcerpt: result.bodyExcerpt,
      failureKind,
      status,
      nextAttemptAt: decided.status === 'pending' ? decided.nextAttemptAt : attemptedAt,
      endpointPk: endpoint.id,
      disableIfFailingSince: new Date(attemptedAt.getTime() - rules.disableAfterMs),
    },
    observation: {
      delivery: delivery.pk,
      endpoint: endpoint.id,
      event: delivery.event,
      plugin: endpoint.plugin,
      outcome: attemptOutcome(decided.status === 'delivered', result.statusCode, request !== undefined),
      statusCode: result.statusCode,
      latencyMs,
      error,
    },
  };
}

/** Nothing is sent: the delivery is closed as skipped, its reason kept as the attempt's error for the log. */
export function skippedAttempt(delivery: ClaimedDelivery, attemptedAt: Date, reason: string): Finished {
  return {
    delivery,
    skipReason: reason,
    outcome: {
      attemptedAt,
      method: '-',
      url: '-',
      statusCode: null,
      latencyMs: 0,
      error: `skipped: ${reason}`,
      responseExcerpt: null,
      failureKind: null,
      status: 'skipped',
      nextAttemptAt: attemptedAt,
      endpointPk: delivery.endpoint.id,
      disableIfFailingSince: attemptedAt,
    },
  };
}

// A postback the plugin cannot format will not format on a later try; nor is a 2xx the plugin judged a refusal
// (TUNE's success=false), or could not judge, worth repeating: both are dead letters at once.
function decide(delivery: ClaimedDelivery, sent: Made, retry: RetryPolicy, now: Date): Verdict {
  const { request, result, judged } = sent;
  if (!request) return { status: 'failed' };
  if (judged.delivered) return { status: 'delivered' };
  if (result.ok && result.statusCode >= 200 && result.statusCode < 300) return { status: 'failed' };
  return verdict(retry, result, delivery.roundAttempts + 1, now);
}
