import { expect } from 'chai';
import { IngestOverloadedError } from '../../lib/errors.js';
import { GroupCommit } from '../../lib/events/group-commit.js';
import type { Settled } from '../../lib/events/group-commit.js';

// A commit function that records each batch and finishes when the test says so.
function recordingCommit() {
  const batches: string[][] = [];
  const release: Array<() => void> = [];
  const commit = (items: string[]): Promise<Array<Settled<string>>> => {
    batches.push(items);
    return new Promise((resolve) => {
      release.push(() => {
        resolve(items.map((item) => (item.startsWith('bad') ? { ok: false, error: new Error(`refused ${item}`) } : { ok: true, value: `stored ${item}` })));
      });
    });
  };
  return { batches, release, commit };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', function () {
  it('commits an item alone at once when nothing else is committing', async function () {
    const { batches, release, commit } = recordingCommit();
    const group = new GroupCommit(commit, (item: string) => item, { maxBatch: 10, maxConcurrent: 1, maxQueued: 100 });
    const first = group.submit('a');
    expect(batches).to.deep.equal([['a']]);
    release.shift()?.();
    expect(await first).to.equal('stored a');
  });

  it('gathers what arrives during a commit into the next batch, up to maxBatch', async function () {
    const { batches, release, commit } = recordingCommit();
    const group = new GroupCommit(commit, (item: string) => item, { maxBatch: 3, maxConcurrent: 1, maxQueued: 100 });
    const all = ['a', 'b', 'c', 'd', 'e', 'f'].map((item) => group.submit(item));
    expect(batches).to.deep.equal([['a']]);
    for (let round = 0; round < 3; round++) {
      release.shift()?.();
      await tick();
    }
    expect(batches).to.deep.equal([['a'], ['b', 'c', 'd'], ['e', 'f']]);
    expect(await Promise.all(all)).to.deep.equal(['stored a', 'stored b', 'stored c', 'stored d', 'stored e', 'stored f']);
  });

  it('runs up to maxConcurrent batches at once', function () {
    const { batches, commit } = recordingCommit();
    const group = new GroupCommit(commit, (item: string) => item, { maxBatch: 2, maxConcurrent: 2, maxQueued: 100 });
    for (const item of ['a', 'b', 'c', 'd']) void group.submit(item);
    expect(batches).to.deep.equal([['a'], ['b']]);
  });

  it('never puts two items with the same key in one batch: the later one waits for the next', async function () {
    const { batches, release, commit } = recordingCommit();
    const group = new GroupCommit(commit, (item: string) => item.slice(0, 1), { maxBatch: 10, maxConcurrent: 1, maxQueued: 100 });
    const all = ['x0', 'a1', 'a2', 'b1', 'a3'].map((item) => group.submit(item));
    for (let round = 0; round < 4; round++) {
      release.shift()?.();
      await tick();
    }
    expect(batches).to.deep.equal([['x0'], ['a1', 'b1'], ['a2'], ['a3']]);
    await Promise.all(all);
  });

  it('never commits two items with the same key at once, even in two concurrent batches', async function () {
    const { batches, release, commit } = recordingCommit();
    const group = new GroupCommit(commit, (item: string) => item.slice(0, 1), { maxBatch: 10, maxConcurrent: 2, maxQueued: 100 });
    const all = ['a1', 'a2', 'b1'].map((item) => group.submit(item));
    // a2 does not start beside a1 in the second slot; b1 does.
    expect(batches).to.deep.equal([['a1'], ['b1']]);
    release.shift()?.();
    await tick();
    expect(batches).to.deep.equal([['a1'], ['b1'], ['a2']]);
    release.shift()?.();
    release.shift()?.();
    expect(await Promise.all(all)).to.deep.equal(['stored a1', 'stored a2', 'stored b1']);
  });

  it("rejects only the items the commit refused, and each batch's items when the commit itself throws", async function () {
    const { release, commit } = recordingCommit();
    const group = new GroupCommit(commit, (item: string) => item, { maxBatch: 10, maxConcurrent: 1, maxQueued: 100 });
    const good = group.submit('ok');
    const bad = group.submit('bad1');
    release.shift()?.();
    await tick();
    release.shift()?.();
    expect(await good).to.equal('stored ok');
    let refused: unknown;
    await bad.catch((error: unknown) => (refused = error));
    expect(String(refused)).to.contain('refused bad1');

    const broken = new GroupCommit<string, string>(() => Promise.reject(new Error('database gone')), (item) => item, { maxBatch: 10, maxConcurrent: 1, maxQueued: 100 });
    const outcomes = await Promise.allSettled([broken.submit('p'), broken.submit('q')]);
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : 'kept'))).to.deep.equal(['Error: database gone', 'Error: database gone']);
  });

  it('refuses an item at once past maxQueued waiting, and takes items again once a batch has made room', async function () {
    const { batches, release, commit } = recordingCommit();
    const group = new GroupCommit(commit, (item: string) => item, { maxBatch: 2, maxConcurrent: 1, maxQueued: 3 });
    // 'a' goes straight into a batch; b, c, d wait: the queue is full.
    const accepted = ['a', 'b', 'c', 'd'].map((item) => group.submit(item));
    let refused: unknown;
    await group.submit('e').catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(IngestOverloadedError);
    expect(refused).to.include({ code: 'ERR_PB_INGEST_OVERLOADED', statusCode: 503, retryAfterSeconds: 1 });
    // The refused item was never handed to a commit.
    release.shift()?.();
    await tick();
    expect(batches).to.deep.equal([['a'], ['b', 'c']]);
    // Room for two again ('d' still waits).
    const later = ['f', 'g'].map((item) => group.submit(item));
    for (let round = 0; round < 3; round++) {
      release.shift()?.();
      await tick();
    }
    expect(batches.flat()).to.not.include('e');
    expect(await Promise.all([...accepted, ...later])).to.deep.equal(['stored a', 'stored b', 'stored c', 'stored d', 'stored f', 'stored g']);
  });
});
