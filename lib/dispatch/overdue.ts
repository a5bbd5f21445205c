// Requests that outlive their share of the concurrency: a tracker that hangs keeps its requests open until the
// timeout, and counted against `dispatch.concurrency` a few hanging hosts would hold every place while the
// healthy ones wait. A request still unanswered after a while gives its place to the next postback and goes on
// here, owned until it ends; at most `max` do, so no more than twice the concurrency is ever in flight. The per-host
// cap still counts it: a hanging host gains nothing by it.

/** Where requests go on once they are overdue. */
export class OverdueRequests {
  readonly #afterMs: number;
  readonly #max: number;
  readonly #running = new Set<Promise<void>>();

  constructor(settings: { afterMs: number; max: number }) {
    this.#afterMs = settings.afterMs;
    this.#max = settings.max;
  }

  /** Requests overdue and still running. */
  get size(): number {
    return this.#running.size;
  }

  /**
   * Resolves when `work` ends, or once it has run `afterMs` while fewer than `max` are overdue; it then goes on,
   * held here. `work` must never reject: its owner handles its failures.
   */
  async place(work: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const overdue = await Promise.race([work.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(resolve, this.#afterMs, true)))]);
    clearTimeout(timer);
    if (!overdue) return;
    if (this.#running.size >= this.#max) {
      await work;
      return;
    }
    const held: Promise<void> = work.then(() => {
      this.#running.delete(held);
    });
    this.#running.add(held);
  }

  /** Resolves once every overdue request has ended; call it when no more can become overdue. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }
}
