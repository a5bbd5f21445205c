// Group commit for finished attempts: whatever arrives while one write runs goes out together in the next.

/** How a failed write is tried again. */
export interface WriteRetry {
  /** The wait after the first failure; each further failure doubles it. */
  firstDelayMs: number;
  /** The longest wait between two tries. */
  maxDelayMs: number;
  /** Called with each failure (the writer keeps the batch and tries again). Must not throw. */
  onFailure: (error: unknown) => void;
}

/** Under load, how a write waits for a fuller batch. */
export interface BatchFill {
  /** Whether more items are on their way (requests in flight): only then is a short batch held back. */
  coming: () => boolean;
  /** The longest a batch is held back for more. */
  maxWaitMs: number;
}

const DEFAULT_RETRY: WriteRetry = { firstDelayMs: 100, maxDelayMs: 5_000, onFailure: () => undefined };

/**
 * Collects items and hands them to `write` in batches of at most `maxBatch`. A write starts as soon as the
 * event-loop turn that added the first item ends, so a lone item waits for nothing; items that arrive while a
 * write runs are taken by the next one, so under load each write carries everything that finished meanwhile.
 * With `fill`, a batch short of `maxBatch` waits (at most `fill.maxWaitMs`) while more items are coming, so under
 * load each write carries a full batch; with nothing more coming it goes at once.
 * A write that rejects keeps its batch: it is tried again (with what arrived meanwhile, up to `maxBatch`) after a
 * backoff, until one succeeds or the writer is closed. The buffer holds only what the caller added and this has
 * not yet written: the caller bounds it (the dispatcher never has more deliveries claimed than its capacity).
 */
export class BatchWriter<T> {
  readonly #write: (batch: T[]) => Promise<void>;
  readonly #maxBatch: number;
  readonly #retry: WriteRetry;
  readonly #fill: BatchFill | undefined;
  #wakeFill: (() => void) | undefined;
  #buffer: T[] = [];
  #writing: Promise<void> | undefined;
  #failingSince: Date | undefined;
  #closed = false;
  #wakeBackoff: (() => void) | undefined;

  constructor(write: (batch: T[]) => Promise<void>, maxBatch: number, retry: WriteRetry = DEFAULT_RETRY, fill?: BatchFill) {
    this.#write = write;
    this.#maxBatch = maxBatch;
    this.#retry = retry;
    this.#fill = fill;
  }

  /** Items added and not yet written. */
  get size(): number {
    return this.#buffer.length;
  }

  /** Since when writes have been failing; undefined while they succeed. */
  get failingSince(): Date | undefined {
    return this.#failingSince;
  }

  add(item: T): void {
    this.#buffer.push(item);
    if (this.#buffer.length >= this.#maxBatch) this.#wakeFill?.();
    if (!this.#closed) this.#writing ??= this.#run();
  }

  /** Resolves once every item added so far has been written (or the writer was closed). */
  async flushed(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /** Stops trying: a write under way ends, no other starts; returns the items never written. */
  async close(): Promise<T[]> {
    this.#closed = true;
    this.#wakeBackoff?.();
    this.#wakeFill?.();
    await this.flushed();
    const left = this.#buffer;
    this.#buffer = [];
    return left;
  }

  async #run(): Promise<void> {
    // One turn's grace: the responses handled in this turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    let delay = this.#retry.firstDelayMs;
    while (this.#buffer.length > 0 && !this.#closed) {
      await this.#filled();
      const batch = this.#buffer.splice(0, this.#maxBatch);
      try {
        await this.#write(batch);
      } catch (error) {
        // Back first in line, ahead of what arrived meanwhile.
        this.#buffer.unshift(...batch);
        this.#failingSince ??= new Date();
        this.#retry.onFailure(error);
        await this.#backoff(delay);
        delay = Math.min(delay * 2, this.#retry.maxDelayMs);
        continue;
      }
      this.#failingSince = undefined;
      delay = this.#retry.firstDelayMs;
    }
    this.#writing = undefined;
  }

  // Waits while a short batch may still fill: until it is full, nothing more is coming, the wait is over, or close.
  async #filled(): Promise<void> {
    const fill = this.#fill;
    if (!fill || this.#buffer.length >= this.#maxBatch || !fill.coming()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, fill.maxWaitMs);
      this.#wakeFill = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wakeFill = undefined;
  }

  async #backoff(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wakeBackoff = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wakeBackoff = undefined;
  }
}
