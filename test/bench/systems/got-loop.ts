// The relay's got client alone (test/bench/got-loop.bench.ts): a warm-up of `requests`, then `requests` more measured,
// `inFlight` at a time, every one a 2xx. Its ready line carries the figures: collections, GC and CPU per request, RSS.

import { setMaxListeners } from 'node:events';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import type { NodeGCPerformanceDetail } from 'node:perf_hooks';
import { createPostbackClient } from '../../../lib/dispatch/http-client.js';
import { createTargetPolicy } from '../../../lib/dispatch/target-guard.js';
import { announce, childConfig } from './child.js';

interface GotLoopConfig {
  origin: string;
  requests: number;
  inFlight: number;
}

const { origin, requests, inFlight } = childConfig() as GotLoopConfig;
const client = createPostbackClient({ timeoutMs: 10_000, userAgent: 'got-loop', maxSockets: inFlight, policy: createTargetPolicy(['127.0.0.1'], 'bench') });
// One signal for every request, as the dispatcher passes its own: a request that left a listener on it would leak.
const signal = new AbortController().signal;
setMaxListeners(inFlight, signal);
const gc = { scavenges: 0, full: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    // A gc entry carries its kind in `detail`, which the PerformanceEntry type leaves out.
    const { kind } = (entry as unknown as { detail: NodeGCPerformanceDetail }).detail;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.scavenges += 1;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.full += 1;
    gc.ms += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

async function loop(): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < requests) {
        const i = next++;
        const result = await client.send({ method: 'GET', url: `${origin}/pb?s=got-loop&cid=c${i}&txid=lead-${i}&payout=1.50` }, signal);
        // Every request must be a whole exchange with a 2xx, or the loop measures something else.
        if (!result.ok || result.statusCode >= 300) throw new Error(`request ${i} failed: ${JSON.stringify(result)}`);
      }
    }),
  );
}

await loop();
const before = { ...gc };
const cpu = process.cpuUsage();
const started = performance.now();
await loop();
const used = process.cpuUsage(cpu);
const ms = performance.now() - started;
// A last observer callback may still be queued: let it run before reading the counts.
await new Promise((resolve) => setImmediate(resolve));
client.close();
announce({
  requests,
  cpuUsPerRequest: (used.user + used.system) / requests,
  perSecond: (requests * 1000) / ms,
  scavenges: gc.scavenges - before.scavenges,
  fullCollections: gc.full - before.full,
  gcMsPerThousand: ((gc.ms - before.ms) * 1000) / requests,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
});
