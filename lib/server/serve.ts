// Runs the standalone server until SIGTERM or SIGINT, then stops taking work, drains, closes and exits within a bound.

import type { RelayConfig } from '../config/load.js';
import { fromHostLogger } from '../log.js';
import type { HostLogger } from '../log.js';
import { startServer } from './server.js';

/** Longer than the dispatcher's own drain bound, so a clean drain always wins the race. */
export const SHUTDOWN_BOUND_MS = 20_000;

/** Starts the server and installs the signal handlers; the process exits 0 after a clean stop, 1 otherwise. */
export async function serveUntilSignalled(config: Readonly<RelayConfig>, hostLogger: HostLogger): Promise<void> {
  const server = await startServer(config, hostLogger);
  const logger = fromHostLogger(hostLogger);
  let stopping = false;
  const shutdown = (signal: string) => {
    // A second signal (an impatient supervisor, a double Ctrl-C) must not kill the drain half-way; the bound still holds.
    if (stopping) {
      logger.info('already shutting down', { signal });
      return;
    }
    stopping = true;
    logger.info('shutting down', { signal });
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_BOUND_MS).unref();
    server.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
