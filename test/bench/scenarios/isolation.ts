// Scenario 6, isolation under load: a backlog spread over 20 tracker hosts (ports of their own on 127.0.0.1), one of
// which hangs and one answers 500, drained by a relay at its defaults; the healthy hosts' rate beside the same run
// without the bad two.

import { atLeast, BARS, judge } from '../harness/bars.js';
import type { Scenario, ScenarioContext } from '../harness/context.js';
import { judgeDeliveries } from '../harness/correctness.js';
import { accountExactlyOnce, postbackKey } from '../harness/ledger.js';
import { outboxCounts } from '../harness/outbox.js';
import { logNotes } from '../harness/processes.js';
import { startRelay } from '../harness/relay-process.js';
import { fillBacklog } from '../harness/setup.js';
import type { Sink } from '../harness/sink-client.js';
import { startSink } from '../harness/sink-client.js';
import { perSecond, ratio } from '../harness/stats.js';
import { formatCount, formatRatio } from '../harness/table.js';
import type { BacklogPlan } from '../harness/workload.js';
import { endpointSpecs, planBacklog, planEndpoints, planPostbacks } from '../harness/workload.js';

/** Tracker hosts in all, and how many of them misbehave. */
const HOSTS = 20;
const BAD = { hanging: 1, failing: 1 };
// Two endpoints per affiliate: 20 endpoints, one per host.
const FANOUT = 2;

interface HealthyDrain {
  postbacks: number;
  perSecond: number | null;
  complete: boolean;
  duplicated: number;
  lost: number;
  failures: string[];
  notes: string[];
}

export const isolationScenario: Scenario = async (context) => {
  const { options } = context;
  const plan = planBacklog('isolation', `${context.tag}-i`, Math.round(options.backlog / 2), FANOUT);
  const sink = await startSink({ healthy: HOSTS - 1 - BAD.hanging - BAD.failing, hanging: BAD.hanging, failing: BAD.failing });
  try {
    const healthyOrigins = [sink.origin, ...sink.hosts.healthy];
    const markers = endpointSpecs(FANOUT).map((spec) => spec.marker);
    // Endpoint i on host i: the first 18 healthy, then the hanging one and the failing one.
    const withBad = Object.fromEntries(markers.map((marker, i) => [marker, [...healthyOrigins, ...sink.hosts.hanging, ...sink.hosts.failing][i] as string]));
    const healthyOnly = Object.fromEntries(markers.slice(0, healthyOrigins.length).map((marker, i) => [marker, healthyOrigins[i] as string]));
    const baseline = await drainHealthy(context, sink, plan, healthyOnly, 'without the bad two');
    const mixed = await drainHealthy(context, sink, plan, withBad, 'with a hanging and a failing host');
    const healthyRatio = ratio(mixed.perSecond, baseline.perSecond);
    const healthy = planEndpoints(plan, healthyOnly);
    return {
      figures: { hosts: HOSTS, bad: BAD, healthyPostbacks: healthy, leads: plan.leads, baseline, mixed, healthyRatio },
      rows: [
        {
          scenario: 'isolation',
          figure: `healthy hosts ${formatCount(mixed.perSecond)} postbacks/s beside a hanging and a failing host${mixed.complete ? '' : ' (drain incomplete)'}`,
          comparison: `${formatCount(baseline.perSecond)}/s without them (${HOSTS - 2} hosts, relay defaults)`,
          ratio: formatRatio(healthyRatio),
          bar: `>= ${BARS.isolation.minHealthyRatio.toFixed(1)}x`,
          result: judge([atLeast(healthyRatio, BARS.isolation.minHealthyRatio)], options.smoke),
        },
        {
          scenario: 'isolation',
          figure: `healthy: ${formatCount(mixed.postbacks)} of ${formatCount(healthy)} exactly once (and ${formatCount(baseline.postbacks)} without the bad two)`,
          comparison: `${mixed.duplicated + baseline.duplicated} duplicated, ${mixed.lost + baseline.lost} lost`,
          ratio: '-',
          bar: 'no duplicate, none lost',
          result: mixed.failures.length + baseline.failures.length === 0 ? 'ok' : 'FAILED',
        },
      ],
      failures: [...baseline.failures, ...mixed.failures],
      notes: [...baseline.notes, ...mixed.notes],
    };
  } finally {
    await sink.child.stop();
  }
};

// Fills the plan's backlog with the endpoints at `origins` and lets a relay at its defaults drain what goes to the
// healthy hosts; the bad hosts' postbacks are left pending (retried later, or behind an open breaker).
async function drainHealthy(context: ScenarioContext, sink: Sink, plan: BacklogPlan, origins: Record<string, string>, label: string): Promise<HealthyDrain> {
  const { options } = context;
  const healthyMarkers = new Set(Object.keys(origins).filter((marker) => [sink.origin, ...sink.hosts.healthy].includes(origins[marker] as string)));
  const keys = [...planPostbacks(plan)].filter(({ endpoint }) => healthyMarkers.has(endpoint.marker)).map(({ endpoint, lead }) => postbackKey(plan.scenario, endpoint.marker, `lead-${lead.id}`));
  const prefix = context.usePrefix(label.startsWith('without') ? 'isobase' : 'isobad');
  context.progress(`isolation: filling ${formatCount(planEndpoints(plan, origins))} pending deliveries over ${new Set(Object.values(origins)).size} hosts (${label})`);
  await fillBacklog(prefix, sink.origin, plan, origins);
  await sink.reset();
  context.progress(`isolation: relay at its defaults draining (${label})`);
  const relay = await startRelay('relay', { tablePrefix: prefix, concurrency: 'defaults', batchSize: undefined });
  const stats = await sink.waitForUnique(keys.length, options.drainTimeoutS * 1000);
  await relay.child.stop();
  const notes = logNotes(`isolation (${label})`, relay.child);
  const report = accountExactlyOnce(keys, await sink.entries());
  const verdict = judgeDeliveries(`isolation (${label})`, report, await outboxCounts(prefix));
  const spanMs = stats.firstAt === null || stats.lastAt === null ? null : stats.lastAt - stats.firstAt;
  if (stats.unique < keys.length) notes.push(`isolation: ${label}, the healthy hosts got ${formatCount(stats.unique)} of ${formatCount(keys.length)} within ${options.drainTimeoutS} s; the rate is over those`);
  return {
    postbacks: stats.unique,
    perSecond: spanMs === null ? null : perSecond(stats.unique - 1, spanMs),
    complete: stats.unique >= keys.length,
    duplicated: report.duplicated,
    lost: verdict.lost,
    failures: verdict.failures,
    notes,
  };
}
