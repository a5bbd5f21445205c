// Group commit for finished attempts: whatever arrives while one write runs goes out together in the next.

/**
 * Collects items and hands them to `write` in batches of at most `maxBatch`. A write starts as soon as the
 * event-loop turn that added the first item ends, so a lone item waits for nothing; items that arrive while a
 * write runs are taken by the next one, so under load each write carries everything that finished meanwhile.
 * The buffer holds only what the caller added and this has not yet written: the caller bounds it (the
 * dispatcher never has more deliveries claimed than its capacity). `write` reports its own failures; it must
 * not reject.
 */
export class BatchWriter<T> {
  readonly #write: (batch: T[]) => Promise<void>;
  readonly #maxBatch: number;
  #buffer: T[] = [];
  #writing: Promise<void> | undefined;

  constructor(write: (batch: T[]) => Promise<void>, maxBatch: number) {
    this.#write = write;
    this.#maxBatch = maxBatch;
  }

  /** Items added and not yet written. */
  get size(): number {
    return this.#buffer.length;
  }

  add(item: T): void {
    this.#buffer.push(item);
    this.#writing ??= this.#run();
  }

  /** Resolves once every item added so far has been written. */
  async flushed(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #run(): Promise<void> {
    // One turn's grace: the responses handled in this turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.length <= this.#maxBatch ? this.#buffer : this.#buffer.slice(0, this.#maxBatch);
      this.#buffer = batch === this.#buffer ? [] : this.#buffer.slice(this.#maxBatch);
      await this.#write(batch);
    }
    this.#writing = undefined;
  }
}
