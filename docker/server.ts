// The standalone entry point (npm start, the Docker image): the one place that reads the process environment.

import { loadConfig } from '../lib/config/load.js';
import { createServerLogger } from '../lib/server/logger.js';
import { SHUTDOWN_BOUND_MS, serveUntilSignalled } from '../lib/server/serve.js';

async function main(): Promise<void> {
  const config = loadConfig({ env: process.env });
  await serveUntilSignalled(config, createServerLogger(config.log.level));
}

main().catch((error: unknown) => {
  process.stderr.write(`postback-relay failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  // A failed start stops everything it began, so the process ends by itself; the bound only covers a bug there.
  process.exitCode = 1;
  setTimeout(() => {
    process.stderr.write('postback-relay: something still ran after the failed start; exiting\n');
    process.exit(1);
  }, SHUTDOWN_BOUND_MS).unref();
});
