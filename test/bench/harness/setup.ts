// Scenario set-up shared by several scenarios: endpoints on the sink through the API, and a backlog filled before dispatch.

import type { RelayProcess } from './relay-process.js';
import { BENCH_API_KEY, BENCH_DATABASE_URL } from './relay-process.js';
import { startSystem } from './processes.js';
import type { BacklogPlan } from './workload.js';
import { endpointSpecs, planEndpoints, sinkTemplate } from './workload.js';

/** Creates every affiliate's endpoints on the sink through the relay's API (POST /endpoints, the generic plugin). */
export async function createSinkEndpoints(relay: RelayProcess, sinkOrigin: string, scenario: string, fanout: number): Promise<void> {
  for (const spec of endpointSpecs(fanout)) {
    await relay.request('POST', '/endpoints', { affiliateId: spec.affiliateId, name: spec.marker, plugin: 'generic', settings: { url: sinkTemplate(sinkOrigin, scenario, spec.marker) } });
  }
}

/**
 * Records a plan's leads with the relay's library before any dispatcher runs; resolves with how long it took. With
 * `origins`, only the endpoints it names exist, each on its own origin.
 */
export async function fillBacklog(tablePrefix: string, sinkOrigin: string, plan: BacklogPlan, origins?: Record<string, string>): Promise<{ deliveries: number; ms: number }> {
  const fill = await startSystem(
    'backlog fill',
    'fill-backlog.ts',
    { database: BENCH_DATABASE_URL, tablePrefix, apiKey: BENCH_API_KEY, sinkOrigin, plan, parallel: 16, origins },
    { readyTimeoutMs: 15 * 60_000 },
  );
  await fill.exited;
  const deliveries = Number(fill.ready.deliveries);
  if (deliveries !== planEndpoints(plan, origins)) throw new Error(`the backlog fill queued ${deliveries} deliveries, planned ${planEndpoints(plan, origins)}`);
  return { deliveries, ms: Number(fill.ready.ms) };
}
