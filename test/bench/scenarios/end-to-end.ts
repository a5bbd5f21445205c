// Scenario 3, end to end: a steady open-loop rate of leads for a fixed time; for each, the time from its 2xx at the
// client to its postback's arrival at the sink, both on one clock (the sink's offset measured and taken off).

import { BARS, below, judge } from '../harness/bars.js';
import type { Scenario } from '../harness/context.js';
import { judgeDeliveries } from '../harness/correctness.js';
import { accountExactlyOnce, postbackKey } from '../harness/ledger.js';
import { paced } from '../harness/open-loop.js';
import type { PacedSend } from '../harness/open-loop.js';
import { outboxCounts } from '../harness/outbox.js';
import { logNotes } from '../harness/processes.js';
import { BENCH_API_KEY, profileArgs, startRelay } from '../harness/relay-process.js';
import { createSinkEndpoints } from '../harness/setup.js';
import { distribution, perSecond } from '../harness/stats.js';
import { formatCount, formatMs } from '../harness/table.js';
import { endpointSpecs, leadBody } from '../harness/workload.js';

export const endToEndScenario: Scenario = async (context) => {
  const { options, sink } = context;
  const prefix = context.usePrefix('e2e');
  const total = options.rate * options.e2eDurationS;
  const markerOf = new Map(endpointSpecs(1).map((spec) => [spec.affiliateId, spec.marker]));
  const keyOf = (index: number) => {
    const lead = leadBody(context.tag, index);
    return postbackKey('e2e', markerOf.get(lead.affiliateId) ?? '', `lead-${lead.id}`);
  };
  const relay = await startRelay('relay', { tablePrefix: prefix, concurrency: options.concurrency, batchSize: options.batchSize, ...profileArgs(options.cpuProfDir, 'e2e') });
  let sends: PacedSend[];
  let clock: { offsetMs: number; uncertaintyMs: number };
  try {
    await createSinkEndpoints(relay, sink.origin, 'e2e', 1);
    await sink.reset();
    clock = await sink.clockOffset();
    context.progress(`e2e: ${options.rate} events/s for ${options.e2eDurationS} s (open loop)`);
    // One bound for everything after the last send: the answers still missing, then the postbacks still missing.
    const sendsEndAt = Date.now() + options.e2eDurationS * 1000;
    const answerWithinMs = options.drainTimeoutS * 1000;
    sends = await paced(`${relay.api}/events/leads`, { authorization: `Bearer ${BENCH_API_KEY}` }, { ratePerS: options.rate, total, answerWithinMs }, (i) =>
      JSON.stringify(leadBody(context.tag, i)),
    );
    const acknowledged = sends.flatMap((send, index) => (send.status !== null && send.status >= 200 && send.status < 300 ? [keyOf(index)] : []));
    await sink.waitForKeys(acknowledged, Math.max(1_000, sendsEndAt + answerWithinMs - Date.now()));
  } finally {
    await relay.child.stop();
  }
  const outbox = await outboxCounts(prefix);

  const entries = await sink.entries();
  const arrivals = new Map(entries.map(([key, , firstAt]) => [key, firstAt - clock.offsetMs]));
  const ackedKeys: string[] = [];
  const endToEnd: number[] = [];
  const ingest: number[] = [];
  const lateSends: number[] = [];
  sends.forEach((send, index) => {
    lateSends.push(send.sentAt - send.dueAt);
    if (send.status === null || send.status < 200 || send.status >= 300) return;
    const key = keyOf(index);
    ackedKeys.push(key);
    ingest.push(send.answeredAt - send.sentAt);
    const arrivedAt = arrivals.get(key);
    // The postback may arrive before the 2xx reaches the client (the dispatcher is woken at commit): a negative latency.
    // One that never arrived within the bound is slower than any that did: it counts, as an infinite latency.
    endToEnd.push(arrivedAt === undefined ? Number.POSITIVE_INFINITY : arrivedAt - send.answeredAt);
  });
  const exactlyOnce = accountExactlyOnce(ackedKeys, entries);
  // An event aborted unanswered may still have been stored and sent: its postback is unexpected, not an error.
  const verdict = judgeDeliveries('end to end', exactlyOnce, outbox, sends.filter((send) => send.status === null).length);
  const latency = distribution(endToEnd);
  const offered = sends.length > 0 ? perSecond(sends.length - 1, (sends.at(-1)?.sentAt ?? 0) - (sends[0]?.sentAt ?? 0)) : null;
  const failed = sends.length - ackedKeys.length;
  return {
    figures: {
      rate: options.rate,
      durationS: options.e2eDurationS,
      sent: sends.length,
      acknowledged: ackedKeys.length,
      failedRequests: failed,
      offeredPerSecond: offered,
      sendLagMs: distribution(lateSends),
      ingestLatencyMs: distribution(ingest),
      endToEndMs: latency,
      clockOffsetMs: clock.offsetMs,
      clockUncertaintyMs: clock.uncertaintyMs,
      outbox,
      exactlyOnce,
      lost: verdict.lost,
      relayLog: relay.child.logCounts(),
    },
    rows: [
      {
        scenario: 'e2e',
        figure: `2xx -> sink p50 ${formatMs(latency.p50)} / p99 ${formatMs(latency.p99)} / max ${formatMs(latency.max)}`,
        comparison: `at ${formatCount(offered)} events/s offered; ingest p99 ${formatMs(distribution(ingest).p99)}`,
        ratio: '-',
        bar: `p99 < ${BARS.e2e.maxP99Ms} ms at 1,000 events/s`,
        result: judge([below(latency.p99, BARS.e2e.maxP99Ms), options.rate >= 1_000 ? true : null, failed === 0 ? true : null], options.smoke),
      },
      {
        scenario: 'e2e',
        figure: `${formatCount(exactlyOnce.exactlyOnce)} of ${formatCount(ackedKeys.length)} exactly once`,
        comparison: `${exactlyOnce.duplicated} duplicated, ${verdict.lost} lost, ${verdict.notYetDelivered} still pending`,
        ratio: '-',
        bar: 'no duplicate, none lost',
        result: verdict.failures.length === 0 ? 'ok' : 'FAILED',
      },
    ],
    failures: verdict.failures,
    notes: [
      ...(failed > 0 ? [`e2e: ${failed} of ${sends.length} events got no 2xx`] : []),
      ...logNotes('e2e', relay.child),
      ...(clock.uncertaintyMs > 1 ? [`e2e: the sink's clock offset is known to +-${clock.uncertaintyMs.toFixed(2)} ms only`] : []),
    ],
  };
};
