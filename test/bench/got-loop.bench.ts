// The relay's got client alone, under node flags to compare: how many scavenges and full collections, how much
// main-thread GC and CPU per request, and the peak RSS. Collection counts barely move with the machine's load where
// CPU time does, so they tell heap settings apart on a noisy machine (docs/performance.md, "4 MB semi-spaces").
// Run:
//   npx tsx test/bench/got-loop.bench.ts [--requests N] [--in-flight N] [--runs N] [--variant="FLAGS"]...
// e.g. --variant="--max-semi-space-size=2 --max-old-space-size=256" --variant="--max-semi-space-size=4 --max-old-space-size=256"
// Without --variant it runs `npm start`'s flags. Each run is a child process of its own; variants are interleaved.

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startEnv, startNodeFlags } from '../helpers/start-command.js';
import { startSystem } from './harness/processes.js';
import { startSink } from './harness/sink-client.js';

/** What one run reports (the ready line of test/bench/systems/got-loop.ts). */
export interface LoopRun {
  requests: number;
  cpuUsPerRequest: number;
  perSecond: number;
  scavenges: number;
  fullCollections: number;
  gcMsPerThousand: number;
  peakRssMb: number;
}

/** Runs one measured child with `flags` against the tracker at `origin`; rejects, naming the flags, if it fails. */
export async function runLoop(flags: readonly string[], origin: string, requests: number, inFlight: number): Promise<LoopRun> {
  const child = await startSystem(`got-loop ${flags.join(' ') || '(no flags)'}`, 'got-loop.ts', { origin, requests, inFlight }, {
    nodeArgs: [...flags],
    env: startEnv(),
    readyTimeoutMs: 600_000,
  });
  await child.exited;
  return child.ready as unknown as LoopRun;
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
