// Fills a backlog of pending postbacks before any dispatcher runs: the relay's own library, recordLead, never start().

import { createPostbackRelay } from '../../../lib/index.js';
import type { BacklogPlan } from '../harness/workload.js';
import { endpointSpecs, leadBody, planEndpoints, sinkTemplate } from '../harness/workload.js';
import { announce, childConfig } from './child.js';

interface FillConfig {
  database: string;
  tablePrefix: string;
  apiKey: string;
  sinkOrigin: string;
  plan: BacklogPlan;
  /** Leads recorded at once. */
  parallel: number;
  /** Where each endpoint of the plan points, by marker, when not all at the sink (endpoints left out are not created). */
  origins?: Record<string, string>;
}

const config = childConfig() as FillConfig;
const relay = createPostbackRelay({ database: config.database, tablePrefix: config.tablePrefix, apiKeys: [config.apiKey], targetAllowlist: ['127.0.0.1'] });
const started = performance.now();
await relay.migrate();
for (const spec of endpointSpecs(config.plan.fanout)) {
  const origin = config.origins ? config.origins[spec.marker] : config.sinkOrigin;
  if (origin === undefined) continue;
  await relay.endpoints.create({ affiliateId: spec.affiliateId, name: spec.marker, plugin: 'generic', settings: { url: sinkTemplate(origin, config.plan.scenario, spec.marker) } });
}
let next = 0;
let queued = 0;
await Promise.all(
  Array.from({ length: config.parallel }, async () => {
    while (next < config.plan.leads) {
      const recorded = await relay.recordLead(leadBody(config.plan.tag, next++));
      queued += recorded.deliveriesQueued;
    }
  }),
);
await relay.stop();
const planned = planEndpoints(config.plan, config.origins);
if (queued !== planned) throw new Error(`queued ${queued} deliveries, planned ${planned}`);
announce({ deliveries: queued, ms: Math.round(performance.now() - started) });
