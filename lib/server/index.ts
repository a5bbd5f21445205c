// The `postback-relay/server` entry: the standalone server, its configuration and logger, for hosts that run the
// server in their own process, and for the knex CLI (knexfile.js). Re-exports only.

// Start the server from a configuration, as `npm start` and the image do.
export { startServer } from './server.js';
export type { RunningServer } from './server.js';
export { serveUntilSignalled } from './serve.js';
// The configuration: loaded from environment variables and a JSON file (convict), every setting described once.
export { loadConfig, maskedConfig, configSchema } from '../config/load.js';
export type { ConfigSource, LogLevel, RelayConfig } from '../config/load.js';
export { SETTINGS } from '../config/settings.js';
export type { Setting, SettingFormat } from '../config/settings.js';
export { relayOptionsFromConfig } from './relay-options.js';
// The server's pino logger.
export { createServerLogger } from './logger.js';
// A database URL as a knex config, and the relay's migrations, for the knex CLI.
export { knexConfigForUrl } from '../store/database.js';
export { migrationConfig } from '../store/migrations/index.js';
