// Fills a backlog of pending postbacks before any dispatcher runs: the relay's own library, recordLead, never start().

import { createPostbackRelay } from '../../../lib/index.js';
import type { BacklogPlan } from '../harness/workload.js';
import { deliveriesOf, endpointSpecs, leadBody, sinkTemplate } from '../harness/workload.js';
import { announce, childConfig } from './child.js';

interface FillConfig {
  database: string;
  tablePrefix: string;
  apiKey: string;
  sinkOrigin: string;
  plan: BacklogPlan;
  /** Leads recorded at once. */
  parallel: number;
}

const config = childConfig() as FillConfig;
const relay = createPostbackRelay({ database: config.database, tablePrefix: config.tablePrefix, apiKeys: [config.apiKey], targetAllowlist: ['127.0.0.1'] });
const started = performance.now();
await relay.migrate();
for (const spec of endpointSpecs(config.plan.fanout)) {
  await relay.endpoints.create({ affiliateId: spec.affiliateId, name: spec.marker, plugin: 'generic', settings: { url: sinkTemplate(config.sinkOrigin, config.plan.scenario, spec.marker) } });
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
if (queued !== deliveriesOf(config.plan)) throw new Error(`queued ${queued} deliveries, planned ${deliveriesOf(config.plan)}`);
announce({ deliveries: queued, ms: Math.round(performance.now() - started) });
