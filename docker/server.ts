// The standalone entry point (npm start, the Docker image): the one place that reads the process environment.

import { loadConfig } from '../lib/config/load.js';
import { createJsonLogger } from '../lib/log.js';
import { startServer } from '../lib/server/server.js';

const SHUTDOWN_BOUND_MS = 20_000;

async function main(): Promise<void> {
  const config = loadConfig({ env: process.env });
  const logger = createJsonLogger(config.log.level);
  const server = await startServer(config, logger);
  const shutdown = (signal: string) => {
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
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`postback-relay failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
