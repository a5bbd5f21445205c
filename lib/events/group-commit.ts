// Group commit: events that arrive while earlier ones are being committed share the next transaction.

import { IngestOverloadedError } from '../errors.js';

/** How one item of a batch ended: its value, or the error its caller receives. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

/** Limits of a {@link GroupCommit}. */
export interface GroupCommitLimits {
  /** Most items in one batch. */
  maxBatch: number;
  /** Batches being committed at once (each holds one database connection). */
  maxConcurrent: number;
  /** Most items waiting for a batch; past it `submit` refuses at once, so a flood cannot grow memory without end. */
  maxQueued: number;
}

interface Waiting<I, O> {
  item: I;
  key: string;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects items and hands them to `commit` in batches. A batch starts as soon as a slot is free, so an item
 * arriving at a quiet moment is committed at once, alone; under load, items queue while every slot is busy
 * and the next batch takes them all (up to `maxBatch`). Nothing waits on a timer. Two items with the same
 * key are never committed at once, in one batch or two: the later one waits until the first one's batch has
 * committed, and then sees it.
 */
export class GroupCommit<I, O> {
  readonly #commit: (items: I[]) => Promise<Array<Settled<O>>>;
  readonly #key: (item: I) => string;
  readonly #limits: GroupCommitLimits;
  #queue: Array<Waiting<I, O>> = [];
  #running = 0;
  // Keys of the batches being committed: a later item with one of them waits, so the first to arrive commits first.
  readonly #committing = new Set<string>();

  constructor(commit: (items: I[]) => Promise<Array<Settled<O>>>, key: (item: I) => string, limits: GroupCommitLimits) {
    this.#commit = commit;
    this.#key = key;
    this.#limits = limits;
  }

  /**
   * Resolves with the item's value once its batch committed, or rejects with its own error; rejects at once with
   * an {@link IngestOverloadedError} when `maxQueued` items already wait (nothing of the item was stored).
   */
  submit(item: I): Promise<O> {
    if (this.#queue.length >= this.#limits.maxQueued) return Promise.reject(new IngestOverloadedError());
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, key: this.#key(item), resolve, reject });
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#running < this.#limits.maxConcurrent && this.#queue.length > 0) {
      const batch = this.#take();
      // Everything queued waits for a batch being committed: the end of that batch drains again.
      if (batch.length === 0) return;
      for (const waiting of batch) this.#committing.add(waiting.key);
      this.#running += 1;
      this.#run(batch).then(
        () => {
          this.#finish(batch);
        },
        (error: unknown) => {
          // #run settles every item itself; should it ever throw, its callers get the error instead of waiting forever.
          for (const waiting of batch) waiting.reject(error);
          this.#finish(batch);
        },
      );
    }
  }

  #finish(batch: ReadonlyArray<Waiting<I, O>>): void {
    for (const waiting of batch) this.#committing.delete(waiting.key);
    this.#running -= 1;
    this.#drain();
  }

  // Stops scanning once the batch is full, so a long queue (a host recording thousands at once) costs no more per batch.
  #take(): Array<Waiting<I, O>> {
    const batch: Array<Waiting<I, O>> = [];
    const keys = new Set<string>();
    const deferred: Array<Waiting<I, O>> = [];
    let index = 0;
    for (; index < this.#queue.length && batch.length < this.#limits.maxBatch; index++) {
      const waiting = this.#queue[index] as Waiting<I, O>;
      if (keys.has(waiting.key) || this.#committing.has(waiting.key)) {
        deferred.push(waiting);
      } else {
        batch.push(waiting);
        keys.add(waiting.key);
      }
    }
    this.#queue = deferred.concat(this.#queue.slice(index));
    return batch;
  }

  async #run(batch: Array<Waiting<I, O>>): Promise<void> {
    let settled: Array<Settled<O>>;
    try {
      settled = await this.#commit(batch.map((waiting) => waiting.item));
    } catch (error) {
      settled = batch.map(() => ({ ok: false, error }));
    }
    batch.forEach((waiting, index) => {
      const outcome = settled[index] ?? { ok: false, error: new Error('group commit returned no outcome for an item') };
      if (outcome.ok) waiting.resolve(outcome.value);
      else waiting.reject(outcome.error);
    });
  }
}
