// The dispatch ceiling: the same postbacks from a bare node:http keep-alive loop, nothing stored, nothing formatted per plugin.

import { Agent, request } from 'node:http';
import type { BacklogPlan } from '../harness/workload.js';
import { planPostbacks, sinkUrl } from '../harness/workload.js';
import { announce, childConfig } from './child.js';

interface RawConfig {
  plan: BacklogPlan;
  concurrency: number;
  sinkOrigin: string;
}

const config = childConfig() as RawConfig;
const agent = new Agent({ keepAlive: true, maxSockets: config.concurrency, scheduling: 'lifo' });
// The URLs are built up front: the ceiling measures the wire and the sink, not string building.
const urls = Array.from(planPostbacks(config.plan), ({ endpoint, lead }) => sinkUrl(config.sinkOrigin, config.plan.scenario, endpoint.marker, lead));
announce({ postbacks: urls.length });

function get(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.once('end', resolve);
    });
    req.once('error', reject);
    req.end();
  });
}

let next = 0;
let failed = 0;
await Promise.all(
  Array.from({ length: config.concurrency }, async () => {
    while (next < urls.length) {
      const url = urls[next++] as string;
      await get(url).catch(() => (failed += 1));
    }
  }),
);
agent.destroy();
process.stdout.write(`${JSON.stringify({ bench: 'done', failed })}\n`);
