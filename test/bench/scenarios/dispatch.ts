// Scenario 2, dispatch: postbacks per second from a backlog of pending deliveries to the sink, beside the same work
// done by a BullMQ worker on Redis with got, and by a raw node:http loop (the ceiling); one concurrency for all three.

import { Queue } from 'bullmq';
import { atLeast, atMost, BARS, judge } from '../harness/bars.js';
import type { Scenario, ScenarioContext } from '../harness/context.js';
import { judgeDeliveries } from '../harness/correctness.js';
import type { DeliveryVerdict } from '../harness/correctness.js';
import { accountExactlyOnce } from '../harness/ledger.js';
import type { ExactlyOnceReport } from '../harness/ledger.js';
import { outboxCounts } from '../harness/outbox.js';
import { logNotes, startSystem } from '../harness/processes.js';
import type { Child } from '../harness/processes.js';
import { BENCH_DATABASE_URL, profileArgs, startRelay } from '../harness/relay-process.js';
import { bullmqConnection, RedisUnavailableError } from '../harness/redis.js';
import { fillBacklog } from '../harness/setup.js';
import type { SinkStats } from '../harness/sink-client.js';
import { perSecond, ratio } from '../harness/stats.js';
import { formatCount, formatRatio } from '../harness/table.js';
import type { TableRow } from '../harness/table.js';
import { databaseServerPid, redisServerPid } from '../harness/server-pids.js';
import { cpuPerUnit, formatCpuPerUnit, formatWork, startCpuMeter, startStatusMeter, workPerUnit } from '../harness/work.js';
import type { CpuPerUnit, WorkPerUnit } from '../harness/work.js';
import type { BacklogPlan } from '../harness/workload.js';
import { deliveriesOf, planBacklog, planKeys, planPostbacks } from '../harness/workload.js';
import type { PostbackJob } from '../systems/bullmq-worker.js';

/** One system's drain of the backlog, as the sink clocked it. */
export interface Drain {
  postbacks: number;
  /** From the first postback's arrival to the last's. */
  perSecond: number | null;
  spanMs: number | null;
  complete: boolean;
  exactlyOnce: ExactlyOnceReport;
}

export const dispatchScenario: Scenario = async (context) => {
  const { options, sink } = context;
  const plan = planBacklog('dispatch', `${context.tag}-d`, options.backlog, options.fanout);
  const total = deliveriesOf(plan);
  const failures: string[] = [];
  const notes: string[] = [];

  const databasePid = await databaseServerPid(BENCH_DATABASE_URL);
  const run = await relayRun(context, plan, options.concurrency, databasePid);
  const defaults = await relayRun(context, plan, 'defaults', databasePid);
  const relayDrain = run.drain;
  const verdict = run.verdict;
  for (const { failures: runFailures, notes: runNotes } of [run, defaults]) {
    failures.push(...runFailures);
    notes.push(...runNotes);
  }

  // Only a missing Redis (or driver) skips the comparison; any other failure of it is a harness error.
  const bullmq = await bullmqDrain(context, plan).catch((error: unknown) => {
    if (!(error instanceof RedisUnavailableError)) throw error;
    notes.push(`dispatch: the BullMQ comparison did not run: ${error.message}`);
    return undefined;
  });
  if (bullmq && !bullmq.complete) notes.push(`dispatch: BullMQ delivered ${formatCount(bullmq.postbacks)} of ${formatCount(total)} within ${options.drainTimeoutS} s`);

  context.progress('dispatch: raw node:http loop (ceiling)');
  await sink.reset();
  const raw = await startSystem('raw client', 'raw-client.ts', { plan, concurrency: options.concurrency, sinkOrigin: sink.origin });
  const rawStats = await sink.waitForUnique(total, options.drainTimeoutS * 1000);
  await raw.stop();
  const rawDrain = await drainOf(context, plan, rawStats);

  const timesBullmq = ratio(relayDrain.perSecond, bullmq?.perSecond ?? null);
  const ofCeiling = ratio(relayDrain.perSecond, rawDrain.perSecond);
  return {
    figures: {
      backlog: total,
      leads: plan.leads,
      fanout: plan.fanout,
      concurrency: options.concurrency,
      relay: run.figures,
      relayDefaults: defaults.figures,
      bullmq: bullmq ?? null,
      raw: rawDrain,
      relayTimesBullmq: timesBullmq,
      relayOfCeiling: ofCeiling,
    },
    rows: [
      {
        scenario: 'dispatch',
        figure: `relay ${formatCount(relayDrain.perSecond)} postbacks/s${relayDrain.complete ? '' : ' (drain incomplete)'}`,
        comparison: `BullMQ+got ${bullmq ? `${formatCount(bullmq.perSecond)}/s` : 'not run'}; raw node:http ${formatCount(rawDrain.perSecond)}/s`,
        ratio: `${formatRatio(timesBullmq)} BullMQ; ${formatRatio(ofCeiling)} ceiling`,
        bar: `>= ${BARS.dispatch.minTimesBullmq.toFixed(1)}x BullMQ, >= ${BARS.dispatch.minOfCeiling}x ceiling`,
        result: judge([atLeast(timesBullmq, BARS.dispatch.minTimesBullmq), atLeast(ofCeiling, BARS.dispatch.minOfCeiling)], options.smoke),
      },
      {
        scenario: 'dispatch',
        figure: `relay: ${formatCount(relayDrain.exactlyOnce.exactlyOnce)} of ${formatCount(total)} exactly once`,
        comparison: `${relayDrain.exactlyOnce.duplicated} duplicated, ${verdict.lost} lost, ${verdict.notYetDelivered} still pending`,
        ratio: '-',
        bar: 'no duplicate, none lost',
        result: verdict.failures.length === 0 ? 'ok' : 'FAILED',
      },
      workRow(`relay at ${options.concurrency}/${options.concurrency}`, run, options.smoke),
      {
        scenario: 'dispatch',
        figure: `relay at its defaults ${formatCount(defaults.drain.perSecond)} postbacks/s${defaults.drain.complete ? '' : ' (drain incomplete)'}`,
        comparison: `${defaults.drain.exactlyOnce.duplicated} duplicated, ${defaults.verdict.lost} lost`,
        ratio: `${formatRatio(ratio(defaults.drain.perSecond, bullmq?.perSecond ?? null))} BullMQ at ${options.concurrency}`,
        bar: `>= ${BARS.dispatch.minTimesBullmq.toFixed(1)}x BullMQ`,
        result: judge([atLeast(ratio(defaults.drain.perSecond, bullmq?.perSecond ?? null), BARS.dispatch.minTimesBullmq)], options.smoke),
      },
      workRow('relay at its defaults (16, 4 per host)', defaults, options.smoke),
      {
        scenario: 'dispatch',
        figure: `CPU per postback at ${options.concurrency}/${options.concurrency}: ${formatCpuPerUnit('relay', 'MariaDB', run.cpu)}`,
        comparison: `${formatCpuPerUnit('BullMQ worker', 'Redis', bullmq?.cpu)}; at its defaults ${formatCpuPerUnit('relay', 'MariaDB', defaults.cpu)}`,
        ratio: `${formatRatio(ratio(run.cpu?.total ?? null, bullmq?.cpu?.total ?? null))} BullMQ's`,
        bar: '-',
        result: '-',
      },
    ],
    failures,
    notes,
  };
};

/** One relay's drain of a fresh copy of the backlog, with the work it cost. */
interface RelayRun {
  drain: Drain;
  verdict: DeliveryVerdict;
  work: WorkPerUnit | undefined;
  /** The relay's CPU time and its database server's, per delivered postback. */
  cpu: CpuPerUnit | undefined;
  figures: Record<string, unknown>;
  failures: string[];
  notes: string[];
}

/**
 * Fills a backlog into fresh tables and lets a relay drain it at `concurrency` (or at its defaults), metering
 * MariaDB's counters from before the relay starts to the last postback (its start-up included), and the relay's
 * CPU time and the database server's (when it runs here, `databasePid`) from ready to the last postback.
 */
async function relayRun(context: ScenarioContext, plan: BacklogPlan, concurrency: number | 'defaults', databasePid: number | undefined): Promise<RelayRun> {
  const { options, sink } = context;
  const total = deliveriesOf(plan);
  const label = concurrency === 'defaults' ? 'relay at its defaults' : `relay at ${concurrency}`;
  const prefix = context.usePrefix(concurrency === 'defaults' ? 'dispdef' : 'dispatch');
  context.progress(`dispatch: filling ${formatCount(total)} pending deliveries (${formatCount(plan.leads)} leads x ${plan.fanout} endpoints)`);
  const fill = await fillBacklog(prefix, sink.origin, plan);
  await sink.reset();
  context.progress(`dispatch: ${label} draining`);
  const startedAt = Date.now();
  const status = await startStatusMeter(BENCH_DATABASE_URL);
  const relay = await startRelay('relay', { tablePrefix: prefix, concurrency, batchSize: options.batchSize, ...profileArgs(options.cpuProfDir, concurrency === 'defaults' ? 'dispatch-defaults' : 'dispatch') });
  const cpu = startCpuMeter(relay.child.pid);
  const databaseCpu = startCpuMeter(databasePid);
  const stats = await sink.waitForUnique(total, options.drainTimeoutS * 1000);
  const cpuUs = cpu.stop();
  const databaseCpuUs = databaseCpu.stop();
  const delta = await status.stop();
  const wallMsFromStart = Date.now() - startedAt;
  await relay.child.stop();
  const notes = logNotes(`dispatch (${label})`, relay.child);
  const drain = await drainOf(context, plan, stats);
  const outbox = await outboxCounts(prefix);
  const verdict = judgeDeliveries(`dispatch (${label})`, drain.exactlyOnce, outbox);
  if (!drain.complete) notes.push(`dispatch: the ${label} delivered ${formatCount(drain.postbacks)} of ${formatCount(total)} within ${options.drainTimeoutS} s; its rate is over those`);
  const work = workPerUnit(delta, cpuUs, drain.postbacks);
  const cpuPerPostback = cpuPerUnit(cpuUs, databaseCpuUs, drain.postbacks);
  return {
    drain,
    verdict,
    work,
    cpu: cpuPerPostback,
    figures: { ...drain, concurrency, fillMs: fill.ms, wallMsFromStart, outbox, lost: verdict.lost, log: relay.child.logCounts(), status: delta, cpuUs, workPerPostback: work ?? null, cpuPerPostback: cpuPerPostback ?? null },
    failures: verdict.failures,
    notes,
  };
}

function workRow(label: string, run: RelayRun, smoke: boolean): TableRow {
  return {
    scenario: 'dispatch',
    figure: `${label}: work per delivered postback`,
    comparison: formatWork(run.work),
    ratio: '-',
    bar: `<= ${BARS.work.maxStatementsPerPostback} stmt, <= ${BARS.work.maxRowsPerPostback} rows`,
    result: judge([atMost(run.work?.statements ?? null, BARS.work.maxStatementsPerPostback), atMost(run.work?.rowsWritten ?? null, BARS.work.maxRowsPerPostback)], smoke),
  };
}

/** The drain the sink saw, checked against the plan's keys. */
export async function drainOf(context: ScenarioContext, plan: BacklogPlan, stats: SinkStats): Promise<Drain> {
  const exactlyOnce = accountExactlyOnce(planKeys(plan), await context.sink.entries());
  const spanMs = stats.firstAt === null || stats.lastAt === null ? null : stats.lastAt - stats.firstAt;
  return {
    postbacks: stats.unique,
    perSecond: spanMs === null ? null : perSecond(stats.unique - 1, spanMs),
    spanMs,
    complete: stats.unique >= deliveriesOf(plan),
    exactlyOnce,
  };
}

// The jobs are all queued before the worker starts, as the relay's backlog is all stored before it starts. The
// worker's CPU time and Redis's are metered from the worker's ready line to the last postback, as the relay's are.
async function bullmqDrain(context: ScenarioContext, plan: BacklogPlan): Promise<Drain & { cpu: CpuPerUnit | undefined }> {
  const { options, sink } = context;
  const total = deliveriesOf(plan);
  const name = `${context.tag}-bullmq`;
  const redis = await bullmqConnection();
  const queue = new Queue<PostbackJob>(name, { connection: redis.connection });
  queue.on('error', () => undefined);
  let worker: Child | undefined;
  try {
    await queue.waitUntilReady();
    context.progress(`dispatch: BullMQ: queueing ${formatCount(total)} jobs`);
    const batch: Array<{ name: string; data: PostbackJob; opts: { attempts: number; backoff: { type: 'exponential'; delay: number } } }> = [];
    for (const { endpoint, lead } of planPostbacks(plan)) {
      // Retried like the relay's postbacks (a few attempts with a growing wait); kept once completed, as the relay keeps its log.
      batch.push({ name: 'postback', data: { scenario: plan.scenario, marker: endpoint.marker, lead }, opts: { attempts: 8, backoff: { type: 'exponential', delay: 5_000 } } });
      if (batch.length === 1_000) await queue.addBulk(batch.splice(0));
    }
    if (batch.length > 0) await queue.addBulk(batch.splice(0));
    await sink.reset();
    context.progress(`dispatch: BullMQ worker at concurrency ${options.concurrency}`);
    const redisPid = await redisServerPid();
    worker = await startSystem('BullMQ worker', 'bullmq-worker.ts', { queue: name, concurrency: options.concurrency, sinkOrigin: sink.origin });
    const [workerCpu, redisCpu] = [startCpuMeter(worker.pid), startCpuMeter(redisPid)];
    const stats = await sink.waitForUnique(total, options.drainTimeoutS * 1000);
    const [workerCpuUs, redisCpuUs] = [workerCpu.stop(), redisCpu.stop()];
    await worker.stop();
    const drain = await drainOf(context, plan, stats);
    return { ...drain, cpu: cpuPerUnit(workerCpuUs, redisCpuUs, drain.postbacks) };
  } finally {
    await worker?.stop();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.close();
  }
}
