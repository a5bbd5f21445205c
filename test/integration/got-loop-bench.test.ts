// The got-loop micro-benchmark (test/bench/got-loop.bench.ts) measures what it says: its collection counts follow
// the heap flags, every request reaches the tracker, and its summary gives each figure's spread over the runs.

import { expect } from 'chai';
import { formatLoopRuns, runLoop } from '../bench/got-loop.bench.js';
import type { LoopRun } from '../bench/got-loop.bench.js';
import { startTestTracker } from '../helpers/tracker.js';

describe('got-loop micro-benchmark', function () {
  this.timeout(120_000);

  it('counts more scavenges with a 1 MB young generation than with a 16 MB one, over the same requests, all of them sent', async () => {
    const tracker = await startTestTracker();
    try {
      const small = await runLoop(['--max-semi-space-size=1'], tracker.origin, 3000, 16);
      const large = await runLoop(['--max-semi-space-size=16'], tracker.origin, 3000, 16);
      expect(small.requests).to.equal(3000);
      expect(small.scavenges, `1 MB: ${small.scavenges}, 16 MB: ${large.scavenges}`).to.be.greaterThan(large.scavenges * 2);
      expect(small.cpuUsPerRequest).to.be.greaterThan(0);
      expect(small.peakRssMb).to.be.greaterThan(0);
      // A warm-up and a measured loop per run.
      expect(tracker.received).to.have.length(4 * 3000);
    } finally {
      await tracker.close();
    }
  });

  it('reports a failed request as a failed run, naming the flags', async () => {
    const tracker = await startTestTracker();
    tracker.respondWith(500);
    try {
      const failure = await runLoop(['--max-semi-space-size=2'], tracker.origin, 10, 2).catch((error: unknown) => error);
      expect(String(failure)).to.match(/--max-semi-space-size=2 exited with 1 before it was ready; stderr: .*request \d+ failed/s);
    } finally {
      await tracker.close();
    }
  });

  it('summarises each figure as its range over the runs, and the CPU also as a mean', () => {
    const run = (cpuUsPerRequest: number, scavenges: number): LoopRun => ({
      requests: 100, cpuUsPerRequest, perSecond: 1000, scavenges, fullCollections: 3, gcMsPerThousand: 40.25, peakRssMb: 80,
    });
    expect(formatLoopRuns('--max-semi-space-size=4', [run(250, 480), run(270, 488)])).to.equal(
      '--max-semi-space-size=4: 480–488 scavenges, 3 full collections, 40.3 ms main-thread GC per 1,000 requests, 250–270 µs CPU per request (mean 260), 1000 requests/s, peak RSS 80.0 MB',
    );
    expect(formatLoopRuns('', [run(250, 480)])).to.match(/^\(no flags\): 480 scavenges/);
  });
});
