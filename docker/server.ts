// The standalone entry point (npm start, the Docker image): the one place that reads the process environment.

import { withDeferredListFormats } from '../lib/server/deferred-list-format.js';

// Imported inside the window, so got's dependencies find the deferring `Intl.ListFormat` (deferred-list-format.ts).
const [{ loadConfig }, { createServerLogger }, { SHUTDOWN_BOUND_MS, serveUntilSignalled }] = await withDeferredListFormats(() =>
  Promise.all([import('../lib/config/load.js'), import('../lib/server/logger.js'), import('../lib/server/serve.js')]),
);

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
