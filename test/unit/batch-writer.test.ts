// The completion writer's grouping, without a clock: a lone item goes at once, what arrives during a write goes in the next.

import { expect } from 'chai';
import { BatchWriter } from '../../lib/dispatch/batch-writer.js';

// A writer whose writes the test finishes by hand, so "while a write runs" is a state, not a race.
function controlledWrites(maxBatch = 100) {
  const batches: number[][] = [];
  const finish: Array<() => void> = [];
  let started: () => void = () => undefined;
  const write = (batch: number[]) => {
    batches.push([...batch]);
    started();
    return new Promise<void>((resolve) => finish.push(resolve));
  };
  const nextWrite = () => new Promise<void>((resolve) => (started = resolve));
  const writer = new BatchWriter(write, maxBatch);
  // Adds the items in one turn; resolves when the write that takes them has begun.
  const addAndWait = (...items: number[]) => {
    const started = nextWrite();
    for (const item of items) writer.add(item);
    return started;
  };
  return { batches, finish, nextWrite, writer, addAndWait };
}

describe('completion batch writer', () => {
  it('writes a lone item without waiting for more', async () => {
    const w = controlledWrites();
    const { writer } = w;
    await w.addAndWait(1);
    expect(w.batches).to.deep.equal([[1]]);
    w.finish[0]?.();
    await writer.flushed();
    expect(writer.size).to.equal(0);
  });

  it('puts everything added in one turn in one write, and everything added during a write in the next', async () => {
    const w = controlledWrites();
    const { writer } = w;
    await w.addAndWait(1, 2);
    const started = w.nextWrite();
    for (const item of [3, 4, 5]) writer.add(item);
    expect(writer.size).to.equal(3);
    expect(w.batches).to.deep.equal([[1, 2]]);
    w.finish[0]?.();
    await started;
    expect(w.batches).to.deep.equal([[1, 2], [3, 4, 5]]);
    w.finish[1]?.();
    await writer.flushed();
    expect(w.batches).to.have.length(2);
  });

  it('splits a large buffer into writes of at most maxBatch, one after another', async () => {
    const w = controlledWrites(2);
    const { writer } = w;
    let started = w.nextWrite();
    for (const item of [1, 2, 3, 4, 5]) writer.add(item);
    for (let i = 0; i < 3; i++) {
      await started;
      expect(w.batches).to.have.length(i + 1);
      started = w.nextWrite();
      w.finish[i]?.();
    }
    await writer.flushed();
    expect(w.batches).to.deep.equal([[1, 2], [3, 4], [5]]);
  });

  it('flushed() waits for the write in progress and for items added after it began', async () => {
    const w = controlledWrites();
    const { writer } = w;
    await w.addAndWait(1);
    let done = false;
    const flushed = writer.flushed().then(() => (done = true));
    const started = w.nextWrite();
    writer.add(2);
    w.finish[0]?.();
    await started;
    expect(done).to.equal(false);
    w.finish[1]?.();
    await flushed;
    expect(w.batches).to.deep.equal([[1], [2]]);
  });
});
