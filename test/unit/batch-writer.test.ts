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

  it('keeps a batch whose write failed, tries it again first (with what came meanwhile), and reports failing until a write succeeds', async () => {
    const failures: unknown[] = [];
    const attempts: number[][] = [];
    let failuresLeft = 3;
    let retried: () => void = () => undefined;
    const succeeded = new Promise<void>((resolve) => (retried = resolve));
    const writer = new BatchWriter<number>(
      (batch) => {
        attempts.push([...batch]);
        if (failuresLeft-- > 0) return Promise.reject(new Error('database away'));
        retried();
        return Promise.resolve();
      },
      3,
      {
        firstDelayMs: 1,
        maxDelayMs: 4,
        onFailure: (error) => {
          failures.push(error);
          if (failures.length > 1) return;
          failingAtFirst = writer.failingSince;
          // Arrived during the failed write: the retry takes them after the kept batch, up to maxBatch.
          writer.add(3);
          writer.add(4);
        },
      },
    );
    let failingAtFirst: Date | undefined;
    writer.add(1);
    writer.add(2);
    await succeeded;
    expect(failingAtFirst).to.be.instanceOf(Date);
    await writer.flushed();
    expect(attempts[0]).to.deep.equal([1, 2]);
    expect(attempts.slice(1)).to.deep.equal([[1, 2, 3], [1, 2, 3], [1, 2, 3], [4]]);
    expect(failures).to.have.length(3);
    expect(writer.failingSince).to.equal(undefined);
    expect(writer.size).to.equal(0);
  });

  it('close() ends the retries and hands back what was never written', async () => {
    let failed: () => void = () => undefined;
    const firstFailure = new Promise<void>((resolve) => (failed = resolve));
    const writer = new BatchWriter<number>(() => Promise.reject(new Error('database away')), 10, { firstDelayMs: 60_000, maxDelayMs: 60_000, onFailure: () => { failed(); } });
    writer.add(1);
    writer.add(2);
    await firstFailure;
    expect(await writer.close()).to.deep.equal([1, 2]);
    writer.add(3);
    await writer.flushed();
    expect(writer.size).to.equal(1);
  });
});

describe('completion batch writer, filling batches under load', () => {
  it('holds a short batch while more items are coming, and writes it the moment it is full', async () => {
    const batches: number[][] = [];
    let written: () => void = () => undefined;
    const write = (batch: number[]) => {
      batches.push([...batch]);
      written();
      return Promise.resolve();
    };
    // A wait far longer than the test: only a full batch can have started the write.
    const writer = new BatchWriter(write, 3, undefined, { coming: () => true, maxWaitMs: 600_000 });
    const firstWrite = new Promise<void>((resolve) => (written = resolve));
    writer.add(1);
    writer.add(2);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(batches).to.deep.equal([]);
    writer.add(3);
    await firstWrite;
    expect(batches).to.deep.equal([[1, 2, 3]]);
    expect(await writer.close()).to.deep.equal([]);
  });

  it('writes a short batch at once when nothing more is coming', async () => {
    const batches: number[][] = [];
    let written: () => void = () => undefined;
    const writer = new BatchWriter(
      (batch: number[]) => {
        batches.push([...batch]);
        written();
        return Promise.resolve();
      },
      100,
      undefined,
      { coming: () => false, maxWaitMs: 600_000 },
    );
    const firstWrite = new Promise<void>((resolve) => (written = resolve));
    writer.add(1);
    await firstWrite;
    expect(batches).to.deep.equal([[1]]);
  });

  it('writes what it holds when closed, without waiting out the fill', async () => {
    const batches: number[][] = [];
    const writer = new BatchWriter((batch: number[]) => {
      batches.push([...batch]);
      return Promise.resolve();
    }, 100, undefined, { coming: () => true, maxWaitMs: 600_000 });
    writer.add(1);
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Closing wakes the fill: the write it held back goes now, and none after it.
    expect(await writer.close()).to.deep.equal([]);
    expect(batches).to.deep.equal([[1]]);
  });
});
