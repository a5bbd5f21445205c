// The bench's command line: `npm run bench -- --smoke --only ingest,dispatch --duration 5`, checked before anything starts.

export const SCENARIOS = ['ingest', 'dispatch', 'isolation', 'e2e', 'memory', 'scaleout'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Every knob of one bench run, defaults filled in. */
export interface BenchOptions {
  smoke: boolean;
  only: readonly ScenarioName[];
  /** Seconds each ingest system (and the scale-out pair) is loaded for. */
  durationS: number;
  /** Seconds of unmeasured load before each ingest measurement, so every system is measured warm. */
  warmupS: number;
  /** Concurrent HTTP clients of the ingest and scale-out load. */
  connections: number;
  /** Postback requests in flight, the same for the relay, the BullMQ worker and the raw client. */
  concurrency: number;
  /** The relay's POSTBACK_RELAY_BATCH_SIZE; undefined leaves the relay's default. */
  batchSize: number | undefined;
  /** Pending deliveries the dispatch scenario drains. */
  backlog: number;
  /** Pending deliveries the memory scenario drains. */
  memoryBacklog: number;
  /** Endpoints per affiliate in a backlog: each lead fans out to this many postbacks. */
  fanout: number;
  /** Events per second of the end-to-end scenario's open-loop load, and how long it runs. */
  rate: number;
  e2eDurationS: number;
  /** The longest a drain may take before the scenario reports what it got that far. */
  drainTimeoutS: number;
  /** The same for the memory scenario, whose bar holds only over the whole of its larger backlog. */
  memoryDrainTimeoutS: number;
  /** Where the results are written. */
  out: string;
  /** Writes CPU profiles of the relay during ingest and dispatch into this directory. */
  cpuProfDir: string | undefined;
}

export class BenchOptionError extends Error {
  constructor(message: string) {
    super(`${message} (see npm run bench -- --help)`);
    this.name = 'BenchOptionError';
  }
}

export const USAGE = `npm run bench -- [options]
  --smoke               a few seconds per scenario (what CI runs; figures not judged)
  --only a,b            scenarios to run: ${SCENARIOS.join(', ')} (default: all)
  --duration S          seconds of ingest load per system (default 10, smoke 2)
  --warmup S            unmeasured seconds before each ingest measurement (default 1, smoke 0)
  --connections N       concurrent ingest clients (default 64)
  --concurrency N       postbacks in flight for the relay, BullMQ and the raw client (default 64)
  --batch-size N        the relay's POSTBACK_RELAY_BATCH_SIZE (default: the relay's own)
  --backlog N           pending deliveries of the dispatch scenario (default 50000, smoke 2000); isolation drains half
  --memory-backlog N    pending deliveries of the memory scenario (default 100000, smoke 4000)
  --fanout N            endpoints per affiliate in a backlog (default 10)
  --rate N              events/s of the end-to-end scenario (default 1000)
  --e2e-duration S      seconds of end-to-end load (default 30, smoke 3)
  --drain-timeout S     longest wait for a drain (default 45, smoke 30)
  --memory-drain-timeout S  longest wait for the memory scenario's drain (default 300, smoke 30)
  --out FILE            results file (default bench-results.json)
  --cpu-prof DIR        write CPU profiles of the relay under ingest, dispatch and end to end into DIR/<scenario>
  --help`;

const COUNTS: Readonly<Record<string, keyof BenchOptions>> = {
  '--duration': 'durationS',
  '--warmup': 'warmupS',
  '--connections': 'connections',
  '--concurrency': 'concurrency',
  '--batch-size': 'batchSize',
  '--backlog': 'backlog',
  '--memory-backlog': 'memoryBacklog',
  '--fanout': 'fanout',
  '--rate': 'rate',
  '--e2e-duration': 'e2eDurationS',
  '--drain-timeout': 'drainTimeoutS',
  '--memory-drain-timeout': 'memoryDrainTimeoutS',
};
// Warm-up may be zero; everything else counts something that must exist.
const ZERO_ALLOWED: ReadonlySet<string> = new Set(['--warmup']);

/** Parses argv (without node and the script); `--help` answers undefined. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | undefined {
  const given = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag = '', inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg];
    if (flag === '--help' || flag === '-h') return undefined;
    if (flag === '--smoke') {
      given.set(flag, true);
      continue;
    }
    if (!(flag in COUNTS) && !['--only', '--out', '--cpu-prof'].includes(flag)) throw new BenchOptionError(`unknown option ${JSON.stringify(arg)}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new BenchOptionError(`${flag} needs a value`);
    given.set(flag, value);
  }
  const smoke = given.get('--smoke') === true;
  const options: BenchOptions = {
    smoke,
    only: parseOnly(given.get('--only')),
    durationS: smoke ? 2 : 10,
    warmupS: smoke ? 0 : 1,
    connections: 64,
    concurrency: 64,
    batchSize: undefined,
    backlog: smoke ? 2_000 : 50_000,
    memoryBacklog: smoke ? 4_000 : 100_000,
    fanout: 10,
    rate: 1_000,
    e2eDurationS: smoke ? 3 : 30,
    drainTimeoutS: smoke ? 30 : 45,
    memoryDrainTimeoutS: smoke ? 30 : 300,
    out: stringValue(given.get('--out')) ?? 'bench-results.json',
    cpuProfDir: stringValue(given.get('--cpu-prof')),
  };
  for (const [flag, key] of Object.entries(COUNTS)) {
    const value = given.get(flag);
    if (typeof value !== 'string') continue;
    const number = Number(value);
    const min = ZERO_ALLOWED.has(flag) ? 0 : 1;
    if (!Number.isInteger(number) || number < min) throw new BenchOptionError(`${flag} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
    (options as unknown as Record<string, number>)[key] = number;
  }
  return options;
}

function parseOnly(value: string | true | undefined): readonly ScenarioName[] {
  if (typeof value !== 'string') return SCENARIOS;
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) throw new BenchOptionError(`--only takes ${SCENARIOS.join(', ')}; got ${JSON.stringify(value)}`);
  // Scenarios run in their fixed order, whatever order they were named in.
  return SCENARIOS.filter((name) => names.includes(name));
}

function stringValue(value: string | true | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
