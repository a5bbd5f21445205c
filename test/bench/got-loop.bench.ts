// The relay's got client alone, under node flags to compare: how many scavenges and full collections, how much
// main-thread GC and CPU per request, and the peak RSS. Collection counts barely move with the machine's load where
// CPU time does, so they tell heap settings apart on a noisy machine (docs/performance.md, "4 MB semi-spaces").
// Run after `npm run build`:
//   npx tsx test/bench/got-loop.bench.ts [--requests N] [--in-flight N] [--runs N] [--variant="FLAGS"]...
// e.g. --variant="--max-semi-space-size=2 --max-old-space-size=256" --variant="--max-semi-space-size=4 --max-old-space-size=256"
// Without --variant it runs `npm start`'s flags. Each run is a child process of its own; variants are interleaved.

import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startEnv } from '../helpers/start-command.js';
import { startSink } from './harness/sink-client.js';
import { REPO_ROOT } from './harness/processes.js';

/** What one child reports. */
export interface LoopRun {
  requests: number;
  cpuUsPerRequest: number;
  perSecond: number;
  scavenges: number;
  fullCollections: number;
  gcMsPerThousand: number;
  peakRssMb: number;
}

const CLIENT = pathToFileURL(`${REPO_ROOT}dist/lib/dispatch/http-client.js`).href;
const TARGETS = pathToFileURL(`${REPO_ROOT}dist/lib/dispatch/target-guard.js`).href;

// The measured process: a warm-up of `requests`, then `requests` more measured, `inFlight` at a time.
const CHILD = `
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { createPostbackClient } from ${JSON.stringify(CLIENT)};
import { createTargetPolicy } from ${JSON.stringify(TARGETS)};
const [origin, requests, inFlight] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const client = createPostbackClient({ timeoutMs: 10_000, userAgent: 'got-loop', maxSockets: inFlight, policy: createTargetPolicy(['127.0.0.1'], 'bench') });
const gc = { scavenges: 0, full: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.scavenges += 1;
    else if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.full += 1;
    gc.ms += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });
async function loop() {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < requests) {
      const i = next++;
      const result = await client.send({ method: 'GET', url: origin + '/pb?s=got-loop&cid=c' + i + '&txid=lead-' + i + '&payout=1.50' });
      // Every request must be a whole exchange with a 2xx, or the loop measures something else.
      if (!result.ok || result.statusCode >= 300) throw new Error('request ' + i + ' failed: ' + JSON.stringify(result));
    }
  }));
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
process.stdout.write(JSON.stringify({
  requests,
  cpuUsPerRequest: (used.user + used.system) / requests,
  perSecond: (requests * 1000) / ms,
  scavenges: gc.scavenges - before.scavenges,
  fullCollections: gc.full - before.full,
  gcMsPerThousand: ((gc.ms - before.ms) * 1000) / requests,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
}) + '\\n');
`;

/** Runs one measured child with `flags` against the sink at `origin`. */
export function runLoop(flags: readonly string[], origin: string, requests: number, inFlight: number): Promise<LoopRun> {
  const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', CHILD, origin, String(requests), String(inFlight)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...startEnv() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as LoopRun);
      else reject(new Error(`the loop with ${flags.join(' ') || 'no flags'} exited with ${String(code)}: ${stderr}`));
    });
  });
}

const range = (values: readonly number[], digits = 0) => {
  const [low, high] = [Math.min(...values), Math.max(...values)];
  return low === high ? low.toFixed(digits) : `${low.toFixed(digits)}–${high.toFixed(digits)}`;
};

/** One line per variant: the spread of each figure over its runs. */
export function formatLoopRuns(variant: string, runs: readonly LoopRun[]): string {
  const mean = runs.reduce((sum, run) => sum + run.cpuUsPerRequest, 0) / runs.length;
  return [
    `${variant || '(no flags)'}:`,
    `${range(runs.map((run) => run.scavenges))} scavenges,`,
    `${range(runs.map((run) => run.fullCollections))} full collections,`,
    `${range(runs.map((run) => run.gcMsPerThousand), 1)} ms main-thread GC per 1,000 requests,`,
    `${range(runs.map((run) => run.cpuUsPerRequest))} µs CPU per request (mean ${mean.toFixed(0)}),`,
    `${range(runs.map((run) => run.perSecond))} requests/s,`,
    `peak RSS ${range(runs.map((run) => run.peakRssMb), 1)} MB`,
  ].join(' ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '30000' },
      'in-flight': { type: 'string', default: '64' },
      runs: { type: 'string', default: '3' },
      variant: { type: 'string', multiple: true },
    },
  });
  const [requests, inFlight, runs] = [Number(values.requests), Number(values['in-flight']), Number(values.runs)];
  for (const [name, value] of Object.entries({ '--requests': requests, '--in-flight': inFlight, '--runs': runs })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1`);
  }
  const { startNodeFlags } = await import('../helpers/start-command.js');
  const variants = values.variant ?? [startNodeFlags().join(' ')];
  const sink = await startSink();
  try {
    const results = new Map<string, LoopRun[]>(variants.map((variant) => [variant, []]));
    for (let round = 1; round <= runs; round++) {
      for (const variant of variants) {
        const flags = variant.split(' ').filter((flag) => flag !== '');
        await sink.reset();
        const run = await runLoop(flags, sink.origin, requests, inFlight);
        results.get(variant)?.push(run);
        process.stderr.write(`[got-loop] round ${round}/${runs}, ${variant || '(no flags)'}: ${run.cpuUsPerRequest.toFixed(0)} µs/request\n`);
      }
    }
    process.stdout.write(`${requests} requests measured per run after as many to warm up, ${inFlight} in flight, ${runs} runs each, MALLOC_ARENA_MAX as npm start sets it\n`);
    for (const [variant, runsOf] of results) process.stdout.write(`${formatLoopRuns(variant, runsOf)}\n`);
  } finally {
    await sink.child.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`got-loop failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
