// The comparison a user would pick instead of the relay: a BullMQ worker on Redis sending each job's postback with got.

import { Agent } from 'node:http';
import { Worker } from 'bullmq';
import { got } from 'got';
import { bullmqConnection } from '../harness/redis.js';
import type { LeadBody } from '../harness/workload.js';
import { sinkUrl } from '../harness/workload.js';
import { announce, childConfig, exitOnSignal } from './child.js';

interface WorkerConfig {
  queue: string;
  concurrency: number;
  sinkOrigin: string;
}

/** One queued postback: the lead and the endpoint it goes to, as an app would enqueue them. */
export interface PostbackJob {
  scenario: string;
  marker: string;
  lead: LeadBody;
}

const config = childConfig() as WorkerConfig;
const redis = await bullmqConnection();
// Configured like the relay's client: one keep-alive agent sized to the concurrency, no retries, no redirects.
const client = got.extend({
  agent: { http: new Agent({ keepAlive: true, maxSockets: config.concurrency, scheduling: 'lifo' }) },
  timeout: { request: 10_000 },
  retry: { limit: 0 },
  followRedirect: false,
  throwHttpErrors: false,
  responseType: 'text',
});
const worker = new Worker<PostbackJob>(
  config.queue,
  async function sendPostback(job) {
    const { scenario, marker, lead } = job.data;
    const response = await client(sinkUrl(config.sinkOrigin, scenario, marker, lead));
    // A failed job is retried by BullMQ's own policy, as the relay retries a non-2xx.
    if (response.statusCode < 200 || response.statusCode >= 300) throw new Error(`tracker answered ${response.statusCode}`);
    return response.statusCode;
  },
  { connection: redis.connection, concurrency: config.concurrency, autorun: false },
);
worker.on('error', (error) => {
  process.stderr.write(`worker error: ${String(error)}\n`);
});
await worker.waitUntilReady();
void worker.run();
announce({ concurrency: config.concurrency });
exitOnSignal(async () => {
  await worker.close(true);
  redis.close();
});
