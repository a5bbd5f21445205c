// Scenario 1, ingest: leads acknowledged per second over HTTP at N clients, beside a naive one-transaction-per-request
// handler on the same MariaDB and an Express handler doing nothing (the ceiling).

import { atLeast, BARS, below, judge } from '../harness/bars.js';
import type { Scenario } from '../harness/context.js';
import type { LeadLoad, LoadResult } from '../harness/load.js';
import { postLeads } from '../harness/load.js';
import { logNotes, startSystem } from '../harness/processes.js';
import { BENCH_API_KEY, BENCH_DATABASE_URL, profileArgs, startRelay } from '../harness/relay-process.js';
import { createSinkEndpoints } from '../harness/setup.js';
import { ratio } from '../harness/stats.js';
import { formatCount, formatMs, formatRatio } from '../harness/table.js';
import type { TableRow } from '../harness/table.js';
import { databaseServerPid } from '../harness/server-pids.js';
import { cpuPerUnit, formatCpuPerUnit, formatWork, startCpuMeter, startStatusMeter, workPerUnit } from '../harness/work.js';
import type { CpuPerUnit, WorkPerUnit } from '../harness/work.js';

const LEADS_PATH = '/postbacks/events/leads';

export const ingestScenario: Scenario = async (context) => {
  const { options, sink } = context;
  const prefix = context.usePrefix('ingest');
  const databasePid = await databaseServerPid(BENCH_DATABASE_URL);
  // The naive handler's database is metered beside it; the no-op Express has none (`serverPid` undefined).
  const load = (system: string, url: string, pid: number, serverPid: number | undefined) => warmThenMeasure({ url, headers: {}, tag: `${context.tag}-${system}`, connections: options.connections, durationS: options.durationS }, options.warmupS, pid, serverPid);

  // First the same work as the naive handler (each lead and its one outbox row, durable; nothing sent): an
  // ingest-only instance. Then the same load on a relay that also sends every postback meanwhile, at the bench's
  // concurrency and at the relay's defaults. MariaDB's counters and the relay's CPU time are metered over the
  // measured load only (after the warm-up): work per acknowledged event.
  const measureRelay = async (system: string, dispatch: boolean, concurrency: number | 'defaults'): Promise<RelayIngest> => {
    context.progress(`ingest: relay (${dispatch ? `dispatching meanwhile at ${concurrency}` : 'ingest only'}), ${options.connections} connections, ${options.durationS} s`);
    const relay = await startRelay(system, {
      // Its own tables: a dispatching relay must not find another one's outbox rows to send.
      tablePrefix: dispatch ? context.usePrefix(system) : prefix,
      concurrency,
      batchSize: options.batchSize,
      dispatch,
      ...profileArgs(options.cpuProfDir, system === 'relay' ? 'ingest' : system),
    });
    try {
      // One endpoint per affiliate: each lead stores one outbox row, as the naive handler does.
      await createSinkEndpoints(relay, sink.origin, 'ingest', 1);
      const loadOptions = { url: `${relay.api}/events/leads`, headers: { authorization: `Bearer ${BENCH_API_KEY}` }, tag: `${context.tag}-${system}`, connections: options.connections, durationS: options.durationS };
      if (options.warmupS > 0) await postLeads({ ...loadOptions, tag: `${loadOptions.tag}-warm`, durationS: options.warmupS });
      const status = await startStatusMeter(BENCH_DATABASE_URL);
      const [cpu, databaseCpu] = [startCpuMeter(relay.child.pid), startCpuMeter(databasePid)];
      const result = await postLeads(loadOptions);
      const [cpuUs, databaseCpuUs] = [cpu.stop(), databaseCpu.stop()];
      const delta = await status.stop();
      return { result, work: workPerUnit(delta, cpuUs, result.ok), cpu: cpuPerUnit(cpuUs, databaseCpuUs, result.ok), log: logNotes(`ingest (${system})`, relay.child) };
    } finally {
      await relay.child.stop();
    }
  };
  const { result: relayResult, work: relayWork, cpu: relayCpu, log: relayLog } = await measureRelay('relay', false, options.concurrency);
  const { result: sendingResult, work: sendingWork, log: sendingLog } = await measureRelay('relay-dispatching', true, options.concurrency);
  const { result: defaultsResult, work: defaultsWork, log: defaultsLog } = await measureRelay('relay-defaults', true, 'defaults');

  context.progress('ingest: naive handler (one transaction per request)');
  const naive = await startSystem('naive handler', 'naive-server.ts', { database: BENCH_DATABASE_URL, tablePrefix: prefix, path: LEADS_PATH });
  let naiveResult: MeteredLoad;
  try {
    naiveResult = await load('naive', `http://127.0.0.1:${String(naive.ready.port)}${LEADS_PATH}`, naive.pid, databasePid);
  } finally {
    await naive.stop();
  }

  context.progress('ingest: no-op Express (ceiling)');
  const noop = await startSystem('no-op Express', 'noop-server.ts', { path: LEADS_PATH });
  let ceilingResult: MeteredLoad;
  try {
    ceilingResult = await load('noop', `http://127.0.0.1:${String(noop.ready.port)}${LEADS_PATH}`, noop.pid, undefined);
  } finally {
    await noop.stop();
  }

  const timesNaive = ratio(relayResult.perSecond, naiveResult.perSecond);
  const ofCeiling = ratio(relayResult.perSecond, ceilingResult.perSecond);
  const non2xx = (result: LoadResult) => (result.non2xx + result.errors > 0 ? ` (${result.non2xx} non-2xx, ${result.errors} errors)` : '');
  const latency = (result: LoadResult) => `p50 ${formatMs(result.latency.p50)} / p99 ${formatMs(result.latency.p99)}`;
  return {
    figures: { connections: options.connections, durationS: options.durationS, relay: relayResult, relayDispatching: sendingResult, relayDispatchingAtDefaults: defaultsResult, workPerEvent: { relay: relayWork ?? null, relayDispatching: sendingWork ?? null, relayDispatchingAtDefaults: defaultsWork ?? null }, relayCpuPerEvent: relayCpu ?? null, naive: naiveResult, ceiling: ceilingResult, relayTimesNaive: timesNaive, relayOfCeiling: ofCeiling },
    rows: [
      {
        scenario: 'ingest',
        figure: `relay (ingest only) ${formatCount(relayResult.perSecond)} events/s${non2xx(relayResult)}`,
        comparison: `naive 1-tx ${formatCount(naiveResult.perSecond)}/s${non2xx(naiveResult)}; no-op ${formatCount(ceilingResult.perSecond)}/s`,
        ratio: `${formatRatio(timesNaive)} naive; ${formatRatio(ofCeiling)} ceiling`,
        bar: `>= ${BARS.ingest.minTimesNaive}x naive, >= ${BARS.ingest.minOfCeiling}x ceiling`,
        result: judge([atLeast(timesNaive, BARS.ingest.minTimesNaive), atLeast(ofCeiling, BARS.ingest.minOfCeiling)], options.smoke),
      },
      {
        scenario: 'ingest',
        figure: `relay sending meanwhile ${formatCount(sendingResult.perSecond)} events/s${non2xx(sendingResult)}`,
        comparison: `${latency(sendingResult)}; the naive handler sends nothing`,
        ratio: `${formatRatio(ratio(sendingResult.perSecond, naiveResult.perSecond))} naive`,
        bar: `>= ${BARS.ingest.minSendingTimesNaive}x naive`,
        result: judge([atLeast(ratio(sendingResult.perSecond, naiveResult.perSecond), BARS.ingest.minSendingTimesNaive)], options.smoke),
      },
      {
        scenario: 'ingest',
        figure: `relay ${latency(relayResult)}`,
        comparison: `naive ${latency(naiveResult)}; no-op ${latency(ceilingResult)}`,
        ratio: '-',
        bar: `p99 < ${BARS.ingest.maxP99Ms} ms`,
        result: judge([below(relayResult.latency.p99, BARS.ingest.maxP99Ms)], options.smoke),
      },
      {
        scenario: 'ingest',
        figure: `relay at its defaults, sending meanwhile ${formatCount(defaultsResult.perSecond)} events/s${non2xx(defaultsResult)}`,
        comparison: latency(defaultsResult),
        ratio: `${formatRatio(ratio(defaultsResult.perSecond, naiveResult.perSecond))} naive`,
        bar: '-',
        result: '-',
      },
      workRow('relay (ingest only)', relayWork),
      workRow(`relay sending meanwhile at ${options.concurrency}`, sendingWork),
      workRow('relay sending meanwhile at its defaults', defaultsWork),
      {
        scenario: 'ingest',
        figure: `CPU per event, ingest only: ${formatCpuPerUnit('relay', 'MariaDB', relayCpu)}`,
        comparison: `${formatCpuPerUnit('naive', 'MariaDB', naiveResult.cpu)}; no-op Express ${formatCount(ceilingResult.cpu?.process ?? null)} us; load generator ${formatCount(ceilingResult.loadGeneratorUs)} us`,
        ratio: `${formatRatio(ratio(relayCpu?.total ?? null, naiveResult.cpu?.total ?? null))} naive's`,
        bar: '-',
        result: '-',
      },
    ],
    failures: [],
    notes: [...(relayResult.non2xx > 0 ? [`ingest: the relay answered ${relayResult.non2xx} requests with a non-2xx`] : []), ...relayLog, ...sendingLog, ...defaultsLog],
  };
};

interface RelayIngest {
  result: LoadResult;
  work: WorkPerUnit | undefined;
  /** The relay's CPU time and its database server's, per acknowledged event. */
  cpu: CpuPerUnit | undefined;
  log: string[];
}

// A relay sending meanwhile also pays for its postbacks here: its figures are per acknowledged event all the same.
function workRow(label: string, work: WorkPerUnit | undefined): TableRow {
  return { scenario: 'ingest', figure: `${label}: work per event`, comparison: formatWork(work), ratio: '-', bar: '-', result: '-' };
}

/**
 * A comparison system's load, with its CPU time and its database server's (when it has one) per acknowledged request,
 * and the load generator's (autocannon runs in the bench's own process).
 */
type MeteredLoad = LoadResult & { cpu: CpuPerUnit | undefined; loadGeneratorUs: number | null };

// Metered over the measured load only, as the relay is.
async function warmThenMeasure(load: LeadLoad, warmupS: number, pid: number, serverPid: number | undefined): Promise<MeteredLoad> {
  if (warmupS > 0) await postLeads({ ...load, tag: `${load.tag}-warm`, durationS: warmupS });
  const [cpu, serverCpu, own] = [startCpuMeter(pid), startCpuMeter(serverPid), process.cpuUsage()];
  const result = await postLeads(load);
  const generator = process.cpuUsage(own);
  return { ...result, cpu: cpuPerUnit(cpu.stop(), serverCpu.stop(), result.ok), loadGeneratorUs: result.ok > 0 ? (generator.user + generator.system) / result.ok : null };
}
