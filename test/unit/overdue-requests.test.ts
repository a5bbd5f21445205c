// Requests that outlive their share of the concurrency step aside, bounded, and are waited for at stop.

import { expect } from 'chai';
import { OverdueRequests } from '../../lib/dispatch/overdue.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

// One turn of the event loop: every promise already settled has run its callbacks by then.
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('OverdueRequests', () => {
  it('keeps the place of a request answered in time until it ends, and holds nothing', async () => {
    const overdue = new OverdueRequests({ afterMs: 60_000, max: 4 });
    const work = deferred();
    let placed = false;
    const place = overdue.place(work.promise).then(() => (placed = true));
    await turn();
    expect(placed).to.equal(false);
    work.resolve();
    await place;
    expect(overdue.size).to.equal(0);
    await overdue.idle();
  });

  it('gives the place of an overdue request back while it runs on, and idle() waits for it to end', async () => {
    const overdue = new OverdueRequests({ afterMs: 5, max: 2 });
    const work = deferred();
    await overdue.place(work.promise);
    expect(overdue.size).to.equal(1);
    let idle = false;
    const waiting = overdue.idle().then(() => (idle = true));
    await turn();
    expect(idle).to.equal(false);
    work.resolve();
    await waiting;
    expect(overdue.size).to.equal(0);
  });

  it('lets at most `max` requests step aside: one more overdue keeps its place until it ends', async () => {
    const overdue = new OverdueRequests({ afterMs: 5, max: 1 });
    const first = deferred();
    await overdue.place(first.promise);
    const second = deferred();
    let placed = false;
    const place = overdue.place(second.promise).then(() => (placed = true));
    // A witness started after the second, with the same delay: its timer fires after the second's (Node fires
    // timers of one duration in the order they were set), so once it resolves the second was overdue too.
    await new OverdueRequests({ afterMs: 5, max: 1 }).place(new Promise<void>(() => undefined));
    expect(placed).to.equal(false);
    expect(overdue.size).to.equal(1);
    second.resolve();
    await place;
    first.resolve();
    await overdue.idle();
    expect(overdue.size).to.equal(0);
  });
});
