// The benchmark harness's own arithmetic and bookkeeping (test/bench/harness): nothing here is timed.

import { expect } from 'chai';
import { judge } from '../bench/harness/bars.js';
import { clockOffset } from '../bench/harness/clock.js';
import { topSelfTime } from '../bench/harness/cpu-profile.js';
import { judgeDeliveries } from '../bench/harness/correctness.js';
import { runPrefix } from '../bench/harness/database.js';
import { accountExactlyOnce, DeliveryLedger, keyOfQuery, postbackKey } from '../bench/harness/ledger.js';
import { BenchOptionError, parseBenchOptions, SCENARIOS } from '../bench/harness/options.js';
import { dueAt, eventsDue } from '../bench/harness/pacing.js';
import { parseProcStatus } from '../bench/harness/rss.js';
import { distribution, percentile, perSecond, ratio } from '../bench/harness/stats.js';
import { formatCount, formatMarkdownTable, formatMegabytes, formatMs, formatRatio, formatTable } from '../bench/harness/table.js';
import type { TableRow } from '../bench/harness/table.js';
import { parseRedisInfo } from '../bench/harness/redis.js';
import { cpuPerUnit, formatCpuPerUnit, formatWork, parseProcStatTicks, parseStatusRows, statusDelta, workPerUnit } from '../bench/harness/work.js';
import type { StatusCounters } from '../bench/harness/work.js';
import { deliveriesOf, leadBody, planBacklog, planKeys, planPostbacks, sinkTemplate, sinkUrl } from '../bench/harness/workload.js';

describe('bench harness: percentiles and rates', () => {
  it('takes the nearest-rank percentile, never a value between two samples', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 0.5)).to.equal(5);
    expect(percentile(sorted, 0.99)).to.equal(10);
    expect(percentile(sorted, 0.9)).to.equal(9);
    expect(percentile(sorted, 0.91)).to.equal(10);
    expect(percentile(sorted, 0)).to.equal(1);
    expect(percentile([42], 0.99)).to.equal(42);
    expect(percentile([], 0.5)).to.be.NaN;
    expect(() => percentile(sorted, 50)).to.throw(RangeError);
  });

  it('sorts numerically, not as strings, before taking p50, p99 and max', () => {
    const samples = [100, 9, 80, 7, 1000, 2, 30, 4, 50, 6];
    expect(distribution(samples)).to.deep.equal({ count: 10, p50: 9, p99: 1000, max: 1000 });
    // Something that never arrived is slower than everything that did.
    expect(distribution([5, Number.POSITIVE_INFINITY, 1])).to.deep.equal({ count: 3, p50: 5, p99: Number.POSITIVE_INFINITY, max: Number.POSITIVE_INFINITY });
    const many = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    expect(distribution(many)).to.include({ p50: 500, p99: 990, max: 1000 });
  });

  it('gives rates per second and ratios, and no ratio when a side was not measured', () => {
    expect(perSecond(500, 250)).to.equal(2000);
    expect(perSecond(0, 1000)).to.equal(null);
    expect(perSecond(5, 0)).to.equal(null);
    expect(ratio(9000, 3000)).to.equal(3);
    expect(ratio(9000, null)).to.equal(null);
    expect(ratio(null, 3000)).to.equal(null);
    expect(ratio(1, 0)).to.equal(null);
  });
});

describe('bench harness: the table', () => {
  const rows: TableRow[] = [
    { scenario: 'ingest', figure: 'relay 9,000 events/s', comparison: 'naive 1-tx 2,000/s', ratio: '4.50x naive', bar: '>= 8,000/s', result: 'met' },
    { scenario: 'e2e', figure: 'p50 3.21 ms', comparison: '-', ratio: '-', bar: 'p50 < 15 ms', result: 'missed' },
  ];

  it('pads every column to its widest cell, under a header and a rule', () => {
    const lines = formatTable(rows).split('\n');
    expect(lines).to.have.length(4);
    expect(lines[0]).to.match(/^scenario \| figure {15}\| comparison {9}\| ratio {7}\| bar {9}\| result$/);
    expect(lines[1]).to.match(/^-{9}\|-{22}\|/);
    expect(lines[2]).to.equal('ingest   | relay 9,000 events/s | naive 1-tx 2,000/s | 4.50x naive | >= 8,000/s  | met');
    expect(lines[3]).to.equal('e2e      | p50 3.21 ms          | -                  | -           | p50 < 15 ms | missed');
    // Every separator sits at the same column on every line.
    const bars = (line: string) => [...line.matchAll(/\|/g)].map((match) => match.index);
    expect(bars(lines[2] ?? '')).to.deep.equal(bars(lines[3] ?? ''));
  });

  it('writes the same rows as Markdown, escaping a pipe inside a cell', () => {
    const markdown = formatMarkdownTable([{ ...rows[0]!, comparison: 'a | b' }]).split('\n');
    expect(markdown[0]).to.equal('| scenario | figure | comparison | ratio | bar | result |');
    expect(markdown[1]).to.equal('|---|---|---|---|---|---|');
    expect(markdown[2]).to.equal('| ingest | relay 9,000 events/s | a \\| b | 4.50x naive | >= 8,000/s | met |');
  });

  it('formats counts, times, ratios and sizes, and a dash for what was not measured', () => {
    expect(formatCount(12345.6)).to.equal('12,346');
    expect(formatCount(null)).to.equal('-');
    expect(formatCount(Number.NaN)).to.equal('-');
    expect(formatMs(3.14159)).to.equal('3.14 ms');
    expect(formatMs(31.4159)).to.equal('31.4 ms');
    expect(formatMs(314.159)).to.equal('314 ms');
    expect(formatMs(-2.5)).to.equal('-2.50 ms');
    expect(formatMs(Number.POSITIVE_INFINITY)).to.equal('never');
    expect(formatRatio(3)).to.equal('3.00x');
    expect(formatRatio(null)).to.equal('-');
    expect(formatMegabytes(123_456_789)).to.equal('123.5 MB');
  });

  it('judges a bar met only when every condition holds, and never in a smoke run', () => {
    expect(judge([true, true], false)).to.equal('met');
    expect(judge([true, false], false)).to.equal('missed');
    expect(judge([null, false], false)).to.equal('missed');
    expect(judge([true, null], false)).to.equal('not measured');
    expect(judge([true, true], true)).to.equal('not judged (smoke)');
  });
});

describe('bench harness: table prefixes', () => {
  it('makes a valid table prefix from any system name, distinct per call', () => {
    const prefixes = ['relay-dispatching', 'relay-defaults', 'ingest'].map(runPrefix);
    for (const prefix of prefixes) expect(prefix).to.match(/^[A-Za-z0-9_]+$/);
    expect(new Set(prefixes).size).to.equal(3);
  });
});

describe('bench harness: options', () => {
  it('has full-length defaults, and short ones for a smoke run', () => {
    const full = parseBenchOptions([])!;
    expect(full).to.include({ smoke: false, durationS: 10, connections: 64, concurrency: 64, backlog: 50_000, memoryBacklog: 100_000, memoryDrainTimeoutS: 300, rate: 1_000, e2eDurationS: 30, out: 'bench-results.json' });
    expect(full.only).to.deep.equal(SCENARIOS);
    expect(full.batchSize).to.equal(undefined);
    const smoke = parseBenchOptions(['--smoke'])!;
    expect(smoke).to.include({ smoke: true, durationS: 2, warmupS: 0, e2eDurationS: 3 });
    expect(smoke.backlog).to.be.below(full.backlog);
  });

  it('takes --only in any order but runs scenarios in their fixed order, and takes values inline or after the flag', () => {
    const options = parseBenchOptions(['--only', 'dispatch,ingest', '--duration=5', '--concurrency', '32', '--batch-size', '200', '--smoke'])!;
    expect(options.only).to.deep.equal(['ingest', 'dispatch']);
    expect(options).to.include({ durationS: 5, concurrency: 32, batchSize: 200, smoke: true });
    expect(parseBenchOptions(['--warmup', '0'])!.warmupS).to.equal(0);
    expect(parseBenchOptions(['--memory-drain-timeout', '90'])!.memoryDrainTimeoutS).to.equal(90);
  });

  it('refuses unknown options, unknown scenarios and bad numbers, naming them', () => {
    expect(() => parseBenchOptions(['--fast'])).to.throw(BenchOptionError, /unknown option "--fast"/);
    expect(() => parseBenchOptions(['--only', 'ingest,latency'])).to.throw(BenchOptionError, /--only takes ingest, dispatch, isolation, e2e, memory, scaleout/);
    expect(() => parseBenchOptions(['--duration', '0'])).to.throw(BenchOptionError, /--duration must be an integer >= 1, got "0"/);
    expect(() => parseBenchOptions(['--concurrency', '1.5'])).to.throw(BenchOptionError, /--concurrency/);
    expect(() => parseBenchOptions(['--duration'])).to.throw(BenchOptionError, /--duration needs a value/);
    expect(parseBenchOptions(['--help'])).to.equal(undefined);
  });
});

describe('bench harness: exactly-once accounting', () => {
  it('keys a postback by scenario, endpoint and transaction ID, and counts one without them as malformed', () => {
    expect(keyOfQuery(new URLSearchParams('s=dispatch&ep=a1e0&txid=lead-x-1&cid=c'))).to.equal(postbackKey('dispatch', 'a1e0', 'lead-x-1'));
    expect(keyOfQuery(new URLSearchParams('s=dispatch&txid=lead-x-1'))).to.equal(undefined);
    const ledger = new DeliveryLedger();
    ledger.record('k1', 10);
    ledger.record(undefined, 11);
    ledger.record('k1', 12);
    ledger.record('k2', 15);
    expect(ledger.stats()).to.deep.equal({ received: 4, unique: 2, malformed: 1, firstAt: 10, lastAt: 15 });
    expect(ledger.entries()).to.deep.equal([['k1', 2, 10, 12], ['k2', 1, 15, 15]]);
    ledger.reset();
    expect(ledger.stats()).to.deep.equal({ received: 0, unique: 0, malformed: 0, firstAt: null, lastAt: null });
  });

  it('tells exactly-once, duplicated, missing and unexpected postbacks apart', () => {
    const report = accountExactlyOnce(['a', 'b', 'c', 'd', 'a'], [['a', 1, 0, 0], ['b', 3, 0, 0], ['x', 2, 0, 0]]);
    expect(report).to.deep.include({ expected: 4, exactlyOnce: 1, duplicated: 1, extraCopies: 2, missing: 2, unexpected: 1 });
    expect(report.examples).to.deep.equal({ duplicated: ['b'], missing: ['c', 'd'], unexpected: ['x'] });
  });

  it('fails a duplicate or a lost postback, but not one still pending in the outbox', () => {
    const clean = accountExactlyOnce(['a', 'b'], [['a', 1, 0, 0], ['b', 1, 0, 0]]);
    expect(judgeDeliveries('t', clean, { pending: 0, failed: 0, delivered: 2 })).to.deep.equal({ lost: 0, notYetDelivered: 0, failures: [] });

    const slow = accountExactlyOnce(['a', 'b', 'c'], [['a', 1, 0, 0]]);
    expect(judgeDeliveries('t', slow, { pending: 2, failed: 0, delivered: 1 })).to.deep.equal({ lost: 0, notYetDelivered: 2, failures: [] });

    const lost = judgeDeliveries('t', slow, { pending: 1, failed: 0, delivered: 2 });
    expect(lost.lost).to.equal(1);
    expect(lost.failures).to.have.length(1);
    expect(lost.failures[0]).to.match(/^t: 1 acknowledged postbacks never arrived/);

    const doubled = judgeDeliveries('t', accountExactlyOnce(['a'], [['a', 2, 0, 0]]), { pending: 0, failed: 0, delivered: 1 });
    expect(doubled.failures[0]).to.match(/^t: 1 postbacks arrived more than once \(1 extra copies\), e\.g\. a$/);
  });

  it('allows as many unexpected postbacks as events were in flight unanswered, and no more', () => {
    const report = accountExactlyOnce(['a'], [['a', 1, 0, 0], ['x', 1, 0, 0], ['y', 1, 0, 0]]);
    expect(judgeDeliveries('t', report, undefined, 2).failures).to.deep.equal([]);
    expect(judgeDeliveries('t', report, undefined, 1).failures[0]).to.match(/2 postbacks arrived that no acknowledged event asked for/);
  });
});

describe('bench harness: workload, pacing, clocks and memory', () => {
  it('plans a backlog whose keys are unique and as many as its deliveries', () => {
    const plan = planBacklog('dispatch', 'run1', 1_003, 5);
    expect(plan.leads).to.equal(201);
    expect(deliveriesOf(plan)).to.equal(1_005);
    const keys = planKeys(plan);
    expect(keys).to.have.length(1_005);
    expect(new Set(keys).size).to.equal(1_005);
    // The comparison systems' URLs carry the same keys the relay's template produces.
    const [first] = planPostbacks(plan);
    expect(keyOfQuery(new URL(sinkUrl('http://127.0.0.1:1', 'dispatch', first!.endpoint.marker, first!.lead)).searchParams)).to.equal(keys[0]);
    expect(sinkTemplate('http://127.0.0.1:1', 'dispatch', 'a0e0')).to.include('s=dispatch&ep=a0e0&txid={transaction_id}');
    expect(leadBody('run1', 7).id).to.equal('run1-7');
    expect(leadBody('run1', 7).clickId).to.match(/^[0-9a-z]{24}$/);
    expect(leadBody('run1', 7).clickId).to.not.equal(leadBody('run1', 8).clickId);
  });

  it('paces open-loop: events due by elapsed time, whatever was answered', () => {
    expect(eventsDue(-1, 500, 100)).to.equal(0);
    expect(eventsDue(0, 500, 100)).to.equal(1);
    expect(eventsDue(1.9, 500, 100)).to.equal(1);
    expect(eventsDue(2, 500, 100)).to.equal(2);
    expect(eventsDue(1000, 500, 100)).to.equal(100);
    expect(dueAt(250, 500)).to.equal(500);
  });

  it('takes the clock offset from the probe with the shortest round trip', () => {
    const offset = clockOffset([
      { sentAt: 100, remoteAt: 160, receivedAt: 120 },
      { sentAt: 200, remoteAt: 252, receivedAt: 204 },
      { sentAt: 300, remoteAt: 390, receivedAt: 330 },
    ]);
    expect(offset).to.deep.equal({ offsetMs: 50, uncertaintyMs: 2 });
    expect(() => clockOffset([])).to.throw(/no clock probes/);
  });

  it('reads VmRSS and VmHWM out of /proc/<pid>/status', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmHWM:\t  150000 kB\nVmRSS:\t  120000 kB\nThreads:\t11\n';
    expect(parseProcStatus(status)).to.deep.equal({ rssBytes: 120000 * 1024, peakRssBytes: 150000 * 1024 });
    expect(parseProcStatus('Name:\tnode\n')).to.equal(undefined);
  });
});

describe('bench harness: CPU profiles', () => {
  it('sums self time per function over its nodes, largest first, each sample owning the delta before it', () => {
    const frame = (functionName: string, line: number) => ({ functionName, url: 'file:///repo/lib/a.js', lineNumber: line });
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
        { id: 2, callFrame: frame('claim', 9) },
        { id: 3, callFrame: frame('format', 19) },
        { id: 4, callFrame: frame('claim', 9) },
      ],
      samples: [2, 3, 4, 2, 1],
      timeDeltas: [1000, 500, 2000, 1500, 5000],
    };
    expect(topSelfTime(profile, 2, '/repo/')).to.deep.equal([
      { frame: '(root)', ms: 5, share: 0.5 },
      { frame: 'claim (lib/a.js:10)', ms: 4.5, share: 0.45 },
    ]);
  });

  it('sums self time per package: a dependency, a node built-in, a folder of the repository, V8 by name', () => {
    const node = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 0 } });
    const profile = {
      nodes: [
        node(1, '(garbage collector)', ''),
        node(2, 'request', 'file:///repo/node_modules/got/dist/source/core/index.js'),
        node(3, 'merge', 'file:///repo/node_modules/got/dist/source/core/options.js'),
        node(4, 'query', 'file:///repo/node_modules/@scope/db/index.js'),
        node(5, 'write', 'node:_http_outgoing'),
        node(6, 'claim', 'file:///repo/dist/lib/store/claims.js'),
        node(7, 'outbox', 'file:///repo/lib/store/outbox-store.ts'),
      ],
      samples: [1, 2, 3, 4, 5, 6, 7],
      timeDeltas: [4000, 1000, 2000, 500, 700, 300, 200],
    };
    expect(topSelfTime(profile, 10, '/repo/', 'package').map(({ frame, ms }) => [frame, ms])).to.deep.equal([
      ['(garbage collector)', 4],
      ['got', 3],
      ['node:_http_outgoing', 0.7],
      ['@scope/db', 0.5],
      ['lib/store', 0.5],
    ]);
  });
});

describe('bench harness: work per postback', () => {
  const zero: StatusCounters = parseStatusRows([]);

  it('reads the counters out of SHOW GLOBAL STATUS rows whatever their case, and 0 for one the server lacks', () => {
    const counters = parseStatusRows([
      { Variable_name: 'Com_select', Value: '12' },
      { Variable_name: 'INNODB_OS_LOG_WRITTEN', Value: 4096 },
      { Variable_name: 'Uptime', Value: '99' },
    ]);
    expect(counters.Com_select).to.equal(12);
    expect(counters.Innodb_os_log_written).to.equal(4096);
    expect(counters.Com_delete).to.equal(0);
    expect(counters).to.not.have.property('Uptime');
  });

  it('takes after minus before, less the questions the measuring itself asked', () => {
    const before = { ...zero, Questions: 1000, Com_update: 10, Innodb_rows_updated: 50 };
    const after = { ...zero, Questions: 1101, Com_update: 30, Innodb_rows_updated: 250 };
    const delta = statusDelta(before, after, 1);
    expect(delta).to.include({ Questions: 100, Com_update: 20, Innodb_rows_updated: 200, Com_select: 0 });
    // Never below zero: nothing else ran but the measuring.
    expect(statusDelta(before, { ...before, Questions: 1001 }, 1).Questions).to.equal(0);
  });

  it('divides statements, rows, bytes, fsyncs and CPU time over the units, and has nothing to say of none', () => {
    const delta = { ...zero, Questions: 400, Com_select: 10, Com_insert: 20, Com_update: 60, Com_delete: 10, Innodb_rows_inserted: 1000, Innodb_rows_updated: 900, Innodb_rows_deleted: 100, Innodb_data_written: 2_048_000, Innodb_os_log_written: 4_096_000, Innodb_data_fsyncs: 50 };
    const work = workPerUnit(delta, 310_000, 1000);
    expect(work).to.deep.equal({ units: 1000, statements: 0.1, questions: 0.4, selects: 0.01, inserts: 0.02, updates: 0.06, deletes: 0.01, rowsWritten: 2, dataBytes: 2048, redoBytes: 4096, fsyncs: 0.05, cpuUs: 310 });
    expect(workPerUnit(delta, null, 1000)?.cpuUs).to.equal(null);
    // MariaDB 10 has no Innodb_rows_* counters: the handler's row writes stand in.
    const handlerOnly = { ...delta, Innodb_rows_inserted: 0, Innodb_rows_updated: 0, Innodb_rows_deleted: 0, Handler_write: 1500, Handler_update: 400, Handler_delete: 100 };
    expect(workPerUnit(handlerOnly, null, 1000)?.rowsWritten).to.equal(2);
    expect(workPerUnit({ ...delta, Handler_write: 99_999 }, null, 1000)?.rowsWritten).to.equal(2);
    expect(workPerUnit(delta, 1, 0)).to.equal(undefined);
    expect(formatWork(work)).to.equal('0.10 stmt (0.01 sel, 0.02 ins, 0.06 upd), 2.00 rows, 4.0 KB redo, 2.0 KB data, 0.05 fsync, 310 us CPU');
    expect(formatWork(undefined)).to.equal('-');
  });

  it('reads user + system ticks from /proc/<pid>/stat, even with spaces and parentheses in the command name', () => {
    const stat = '4242 (node (relay) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 731 269 0 0 20 0 11 0 123 456 789';
    expect(parseProcStatTicks(stat)).to.equal(1000);
    expect(parseProcStatTicks('4242 (node) S 1')).to.equal(undefined);
  });

  it("divides a system's CPU time and its server's over the units, with no total when either was not read", () => {
    expect(cpuPerUnit(367_000, 95_000, 1000)).to.deep.equal({ process: 367, server: 95, total: 462 });
    expect(cpuPerUnit(367_000, null, 1000)).to.deep.equal({ process: 367, server: null, total: null });
    expect(cpuPerUnit(null, 95_000, 1000)).to.deep.equal({ process: null, server: 95, total: null });
    expect(cpuPerUnit(1, 1, 0)).to.equal(undefined);
    expect(formatCpuPerUnit('relay', 'MariaDB', cpuPerUnit(1_367_400, 95_000, 1000))).to.equal('relay 1,367 + MariaDB 95 = 1,462 us');
    expect(formatCpuPerUnit('BullMQ worker', 'Redis', cpuPerUnit(180_000, null, 1000))).to.equal('BullMQ worker 180 + Redis - = - us');
    expect(formatCpuPerUnit('relay', 'MariaDB', undefined)).to.equal('relay - + MariaDB - = - us');
  });

  it("reads Redis's version and process ID out of INFO server, only once both lines have arrived whole", () => {
    const reply = '$120\r\n# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nprocess_id:2250\r\ntcp_port:6379\r\n';
    expect(parseRedisInfo(reply)).to.deep.equal({ version: '7.0.15', processId: 2250 });
    // Cut inside the process ID: 22 of 2250 must not be taken for it.
    expect(parseRedisInfo(reply.slice(0, reply.indexOf('2250') + 2))).to.equal(undefined);
    expect(parseRedisInfo('$120\r\n# Server\r\nredis_version:7.0.15\r\n')).to.equal(undefined);
  });
});
