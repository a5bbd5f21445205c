// Scenario 5, scale-out: two relay servers on one MariaDB and table prefix, the load split between them. Their
// combined throughput beside one relay doing both jobs (the ingest scenario's relay sending meanwhile), and a check
// against the sink that every acknowledged event's postback arrived exactly once.

import type { Scenario } from '../harness/context.js';
import { judgeDeliveries } from '../harness/correctness.js';
import { accountExactlyOnce } from '../harness/ledger.js';
import { postLeads } from '../harness/load.js';
import { outboxCounts } from '../harness/outbox.js';
import { logNotes } from '../harness/processes.js';
import type { RelayProcess } from '../harness/relay-process.js';
import { BENCH_API_KEY, startRelay } from '../harness/relay-process.js';
import { createSinkEndpoints } from '../harness/setup.js';
import { perSecond, ratio } from '../harness/stats.js';
import { formatCount, formatMs, formatRatio } from '../harness/table.js';
import { leadKeys } from '../harness/workload.js';

export const scaleOutScenario: Scenario = async (context) => {
  const { options, sink } = context;
  const prefix = context.usePrefix('scale');
  const settings = { tablePrefix: prefix, concurrency: options.concurrency, batchSize: options.batchSize };
  // The first one migrates; the second starts on the migrated tables, as a second replica does.
  const relays = [await startRelay('relay A', settings)];
  const acked = [new Set<number>(), new Set<number>()];
  const tags = [`${context.tag}-a`, `${context.tag}-b`];
  const expectedKeysOf = (sets: ReadonlyArray<Set<number>>, tagsOf: readonly string[] = tags) => sets.flatMap((set, i) => leadKeys('scaleout', tagsOf[i] as string, set, 1));
  let loads;
  let delivered: Array<number | null>;
  let stats;
  try {
    relays.push(await startRelay('relay B', settings));
    await createSinkEndpoints(relays[0] as RelayProcess, sink.origin, 'scaleout', 1);
    const perRelay = Math.max(1, Math.floor(options.connections / relays.length));
    const loadBoth = (tagsOf: readonly string[], sets: ReadonlyArray<Set<number>>, durationS: number) =>
      Promise.all(
        relays.map((relay, i) =>
          postLeads({
            url: `${relay.api}/events/leads`,
            headers: { authorization: `Bearer ${BENCH_API_KEY}` },
            tag: tagsOf[i] as string,
            connections: perRelay,
            durationS,
            onAcknowledged: (index) => sets[i]?.add(index),
          }),
        ),
      );
    // Warmed up as the ingest scenario's relays are, and the warm-up's postbacks delivered before the sink is reset.
    if (options.warmupS > 0) {
      const warmTags = tags.map((tag) => `${tag}-warm`);
      const warmAcked = [new Set<number>(), new Set<number>()];
      await loadBoth(warmTags, warmAcked, options.warmupS);
      await sink.waitForKeys(expectedKeysOf(warmAcked, warmTags), options.drainTimeoutS * 1000);
    }
    await sink.reset();
    const deliveredBefore = await Promise.all(relays.map(deliveredBy));
    context.progress(`scale-out: 2 relays, ${perRelay} connections each, ${options.durationS} s`);
    loads = await loadBoth(tags, acked, options.durationS);
    stats = await sink.waitForKeys(expectedKeysOf(acked), options.drainTimeoutS * 1000);
    delivered = await deliveredSplit(relays, stats.unique, deliveredBefore);
  } finally {
    await Promise.all(relays.map((relay) => relay.child.stop()));
  }
  const outbox = await outboxCounts(prefix);
  const expectedKeys = expectedKeysOf(acked);
  const exactlyOnce = accountExactlyOnce(expectedKeys, await sink.entries());
  // An event in flight when a load stopped (the warm-up's or the measured one's) may be stored and sent without its
  // 2xx ever being counted.
  const verdict = judgeDeliveries('scale-out', exactlyOnce, outbox, options.warmupS > 0 ? 2 * options.connections : options.connections);
  const ingested = loads.reduce((sum, load) => sum + load.ok, 0);
  const ingestMs = Math.max(...loads.map((load) => load.durationMs));
  const pairPerSecond = perSecond(ingested, ingestMs);
  const spanMs = stats.firstAt === null || stats.lastAt === null ? null : stats.lastAt - stats.firstAt;
  const postbacksPerSecond = spanMs === null ? null : perSecond(stats.unique - 1, spanMs);
  const single = context.earlier.get('ingest')?.figures.relayDispatching as { perSecond: number | null } | undefined;
  const timesSingle = ratio(pairPerSecond, single?.perSecond ?? null);
  return {
    figures: { connections: options.connections, durationS: options.durationS, loads, pairPerSecond, postbacksPerSecond, deliveredByInstance: delivered, relayLogs: relays.map((relay) => relay.child.logCounts()), outbox, exactlyOnce, lost: verdict.lost, timesSingle },
    rows: [
      {
        scenario: 'scale-out',
        figure: `2 relays ${formatCount(pairPerSecond)} events/s; ${formatCount(postbacksPerSecond)} postbacks/s`,
        comparison: `one relay sending meanwhile ${single ? `${formatCount(single.perSecond)}/s` : 'not run'}; sent A/B ${delivered.map((n) => formatCount(n)).join('/')}; p99 ${loads.map((load) => formatMs(load.latency.p99)).join('/')}`,
        ratio: `${formatRatio(timesSingle)} one relay`,
        bar: '-',
        result: '-',
      },
      {
        scenario: 'scale-out',
        figure: `${formatCount(exactlyOnce.exactlyOnce)} of ${formatCount(exactlyOnce.expected)} exactly once`,
        comparison: `${exactlyOnce.duplicated} duplicated, ${verdict.lost} lost, ${verdict.notYetDelivered} still pending, ${exactlyOnce.unexpected} sent while in flight`,
        ratio: '-',
        bar: 'every postback exactly once',
        result: verdict.failures.length === 0 && verdict.notYetDelivered === 0 ? 'met' : verdict.failures.length === 0 ? 'not judged (drain incomplete)' : 'FAILED',
      },
    ],
    failures: verdict.failures,
    notes: [
      ...(verdict.notYetDelivered > 0 ? [`scale-out: ${verdict.notYetDelivered} postbacks were still pending after ${options.drainTimeoutS} s`] : []),
      ...relays.flatMap((relay) => logNotes('scale-out', relay.child)),
    ],
  };
};

// An instance records a postback (and counts it) after the sink has it: wait, briefly, until the counts since `before`
// (the warm-up's) catch up.
async function deliveredSplit(relays: readonly RelayProcess[], atSink: number, before: ReadonlyArray<number | null>): Promise<Array<number | null>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const counts = (await Promise.all(relays.map(deliveredBy))).map((count, i) => (count === null ? null : count - (before[i] ?? 0)));
    if (counts.reduce<number>((sum, n) => sum + (n ?? 0), 0) >= atSink || Date.now() > deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// Each instance's own count of delivered postbacks, from its Prometheus metrics; null when they cannot be read.
async function deliveredBy(relay: RelayProcess): Promise<number | null> {
  try {
    const text = await (await fetch(`${relay.origin}/metrics`)).text();
    let sum = 0;
    for (const match of text.matchAll(/^\w*postbacks_sent_total\{[^}]*outcome="delivered"[^}]*\} (\d+)$/gm)) sum += Number(match[1]);
    return sum;
  } catch {
    return null;
  }
}
