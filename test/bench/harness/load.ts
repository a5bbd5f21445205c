// The closed-loop load: autocannon posting unique lead bodies at N connections for a fixed time, counting only 2xx.

import autocannon from 'autocannon';
import type { Distribution } from './stats.js';
import { distribution, perSecond } from './stats.js';
import { leadBody } from './workload.js';

/** What one measured load run got back. */
export interface LoadResult {
  /** 2xx answers per second over the run. */
  perSecond: number | null;
  ok: number;
  non2xx: number;
  errors: number;
  /** Latency of the 2xx answers. */
  latency: Distribution;
  durationMs: number;
}

export interface LeadLoad {
  /** Where to post, e.g. http://127.0.0.1:3000/postbacks/events/leads */
  url: string;
  headers: Record<string, string>;
  /** Lead ids are `<tag>-<n>`, unique per load run. */
  tag: string;
  connections: number;
  durationS: number;
  /** Called with the index of every lead answered with a 2xx (for exactly-once accounting). */
  onAcknowledged?: (index: number) => void;
}

/** Posts a unique lead per request at `connections` for `durationS` seconds. */
export async function postLeads(load: LeadLoad): Promise<LoadResult> {
  let index = 0;
  const latencies: number[] = [];
  const acknowledged = load.onAcknowledged;
  const run = autocannon({
    url: load.url,
    connections: load.connections,
    duration: load.durationS,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...load.headers },
        setupRequest(request, context) {
          // One request in flight per connection (no pipelining), so the context names the lead its answer is for.
          context.lead = index;
          return { ...request, body: JSON.stringify(leadBody(load.tag, index++)) };
        },
        ...(acknowledged
          ? {
              onResponse(status: number, _body: string, context: Record<string, unknown>) {
                if (status >= 200 && status < 300) acknowledged(context.lead as number);
              },
            }
          : {}),
      },
    ],
  });
  run.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await run;
  const durationMs = result.finish.getTime() - result.start.getTime();
  return {
    perSecond: perSecond(latencies.length, durationMs),
    ok: latencies.length,
    non2xx: result.non2xx,
    errors: result.errors,
    latency: distribution(latencies),
    durationMs,
  };
}
