// The sample event a test postback carries, and what a test postback reports.

import type { Endpoint } from '../endpoints/types.js';
import type { EventName } from '../events/types.js';
import { normalizeDecimal, subtractDecimal } from '../money.js';
import type { ClaimedDelivery } from '../store/outbox-store.js';
import type { EndpointCache } from './endpoint-cache.js';
import type { Sender } from './send.js';

/** What a test postback did. `target` is the URL without its query, which can hold tokens. */
export interface TestPostbackResult {
  endpointId: string;
  event: EventName;
  /** `-` when nothing was sent. */
  method: string;
  target: string;
  delivered: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseExcerpt: string | null;
}

// Typed as a person would; normalised the way the store reads DECIMAL columns back, so the sample sends `12.5`
// exactly as a real postback of a 12.50 commission does.
const SAMPLE_AMOUNT = normalizeDecimal('12.50');
const SAMPLE_AMOUNT_AFTER = normalizeDecimal('10.00');

/** A made-up delivery of `event` to `endpoint`, never stored: a lead, a 12.5 commission, a change to 10. */
export function sampleDelivery(endpoint: Endpoint, event: EventName, now: Date): ClaimedDelivery {
  const lead = {
    id: `test-${now.getTime()}`, clickId: 'test-click-id', affiliateId: endpoint.affiliateId, offerId: endpoint.offerId,
    sub1: null, sub2: null, sub3: null, sub4: null, sub5: null, source: 'api' as const, occurredAt: now, recordedAt: now,
  };
  const commission = event === 'lead_created' ? null : { id: 'test-commission', leadId: lead.id, amount: SAMPLE_AMOUNT, currency: 'USD', occurredAt: now, recordedAt: now };
  const adjustment =
    event === 'commission_adjusted'
      ? { id: 'test-adjustment', commissionId: 'test-commission', delta: subtractDecimal(SAMPLE_AMOUNT_AFTER, SAMPLE_AMOUNT), amountBefore: SAMPLE_AMOUNT, amountAfter: SAMPLE_AMOUNT_AFTER, currency: 'USD', reason: 'test', occurredAt: now, recordedAt: now }
      : null;
  return { pk: 'test', leaseToken: 'test', event, attemptCount: 0, roundAttempts: 0, endpoint, lead, commission, adjustment, clickNetPayout: adjustment?.amountAfter ?? commission?.amount ?? '0' };
}

/** Sends a sample `event` to `endpoint` the way real deliveries go (plugin, host guard, client), storing nothing. */
export async function sendTestPostback(
  sender: Sender,
  cache: EndpointCache,
  endpoint: Endpoint,
  event: EventName,
  onSlot: (host: string) => void,
  slotWaitMs: number,
): Promise<TestPostbackResult> {
  const sent = await sender.send(sampleDelivery(endpoint, event, new Date()), onSlot, undefined, slotWaitMs);
  const base = { endpointId: endpoint.id, event, method: '-', target: '-', statusCode: null, latencyMs: 0, responseExcerpt: null, delivered: false };
  if ('skip' in sent) return { ...base, error: `skipped: ${sent.skip}` };
  if ('busy' in sent) {
    return { ...base, error: `not sent: ${sent.busy.open ? 'the circuit breaker of this host is open' : 'this host is at its concurrency cap'}` };
  }
  const { request, result, latencyMs, judged } = sent;
  const url = request ? new URL(request.url) : undefined;
  return {
    ...base,
    method: request?.method ?? '-',
    target: url ? `${url.origin}${url.pathname}` : '-',
    delivered: judged.delivered,
    statusCode: result.statusCode,
    latencyMs,
    error: judged.error === null ? null : cache.masker(endpoint)(judged.error),
    responseExcerpt: result.bodyExcerpt,
  };
}
