// The owner of retention: prunes on a timer while the relay runs, logs and retries a failed run, stops cleanly.

import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import type { Pruned, RetentionStore, RetentionWindows } from './retention.js';

/** What the runner needs, passed in by the wiring function. */
export interface RetentionRunnerDeps {
  store: RetentionStore;
  windows: RetentionWindows;
  intervalMs: number;
  logger: Logger;
  /** Called after each run that deleted something. */
  onPruned: (pruned: Pruned) => void;
}

// A failed run (the database away) is tried again sooner than the next regular run, but not in a tight loop.
const RETRY_MS = 60_000;

export class RetentionRunner {
  readonly #deps: RetentionRunnerDeps;
  #timer: NodeJS.Timeout | undefined;
  #run: Promise<void> | undefined;
  #abort: AbortController | undefined;

  constructor(deps: RetentionRunnerDeps) {
    this.#deps = deps;
  }

  /** Starts pruning: a first run soon, then one every `intervalMs`. Does nothing when both windows keep forever. */
  start(): void {
    const { windows, intervalMs } = this.#deps;
    if (this.#abort || (windows.deliveredDays === null && windows.failedDays === null)) return;
    this.#abort = new AbortController();
    this.#schedule(Math.min(intervalMs, 5_000));
  }

  /** Stops the timer and waits for a run in progress to finish its current statement. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#run;
    this.#abort = undefined;
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#run = this.#pruneOnce()
        // Only a host logger or metrics hook that throws lands here, and it cannot be told: try again later.
        .catch(() => Math.min(this.#deps.intervalMs, RETRY_MS))
        .then((nextMs) => {
          this.#run = undefined;
          if (this.#abort?.signal.aborted === false) this.#schedule(nextMs);
        });
    }, delayMs);
    // Pruning alone never keeps a process alive.
    this.#timer.unref();
  }

  // A failed run is logged and the next one scheduled sooner.
  async #pruneOnce(): Promise<number> {
    const { store, windows, intervalMs, logger, onPruned } = this.#deps;
    try {
      const pruned = await store.prune(windows, new Date(), { signal: this.#abort?.signal });
      if (pruned.deliveries > 0 || pruned.attempts > 0) {
        onPruned(pruned);
        logger.info('retention pruned finished deliveries', { ...pruned });
      }
      return intervalMs;
    } catch (error) {
      logger.warn('retention pruning failed; it runs again later', { error: describeError(error) });
      return Math.min(intervalMs, RETRY_MS);
    }
  }
}
