// Sends one sample postback to an endpoint through its plugin and the relay's HTTP client, recording nothing.

import type { Endpoint } from '../endpoints/types.js';
import type { EventName } from '../events/types.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { isSkip } from '../plugins/types.js';
import { formatDelivery, judgeSend } from './format.js';
import { createPostbackClient } from './http-client.js';
import type { TargetPolicy } from './target-guard.js';

/** What a test postback did. `target` is the URL without its query, which can hold tokens. */
export interface TestPostbackResult {
  endpointId: string;
  event: EventName;
  method: string;
  target: string;
  delivered: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

const SAMPLE_TIME = new Date('2026-01-01T00:00:00.000Z');

/** Formats a sample event of `event` for `endpoint` and sends it once. */
export async function sendTestPostback(
  endpoint: Endpoint,
  event: EventName,
  deps: { plugins: PluginRegistry; client: { timeoutMs: number; userAgent: string; policy: TargetPolicy } },
): Promise<TestPostbackResult> {
  const plugin = deps.plugins.get(endpoint.plugin);
  const lead = {
    id: 'test-lead', clickId: 'test-click-id', affiliateId: endpoint.affiliateId, offerId: endpoint.offerId,
    sub1: null, sub2: null, sub3: null, sub4: null, sub5: null, source: 'api' as const, occurredAt: SAMPLE_TIME, recordedAt: SAMPLE_TIME,
  };
  const commission = event === 'lead_created' ? null : { id: 'test-commission', leadId: lead.id, amount: '1.00', currency: 'USD', occurredAt: SAMPLE_TIME, recordedAt: SAMPLE_TIME };
  const adjustment =
    event === 'commission_adjusted'
      ? { id: 'test-adjustment', commissionId: 'test-commission', delta: '-0.50', amountBefore: '1.00', amountAfter: '0.50', currency: 'USD', reason: 'test', occurredAt: SAMPLE_TIME, recordedAt: SAMPLE_TIME }
      : null;
  const clickNetPayout = adjustment?.amountAfter ?? commission?.amount ?? '0';
  const request = formatDelivery(plugin, { event, lead, commission, adjustment, clickNetPayout }, plugin.parseSettings(endpoint.settings));
  if (isSkip(request)) {
    return { endpointId: endpoint.id, event, method: '-', target: '-', delivered: false, statusCode: null, latencyMs: 0, error: `skipped: ${request.skip}` };
  }
  const client = createPostbackClient({ ...deps.client, maxSockets: 1 });
  const started = performance.now();
  try {
    const result = await client.send(request);
    const url = new URL(request.url);
    const { delivered, error } = judgeSend(plugin, result);
    return {
      endpointId: endpoint.id,
      event,
      method: request.method,
      target: `${url.origin}${url.pathname}`,
      delivered,
      statusCode: result.statusCode,
      latencyMs: Math.round(performance.now() - started),
      error,
    };
  } finally {
    client.close();
  }
}
