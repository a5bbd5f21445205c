// The public API of postback-relay: re-exports only.

// The factory and the instance it returns: the one way in.
export { createPostbackRelay } from './relay.js';
export type { PostbackRelay } from './relay.js';
export type { PostbackRelayOptions, DispatchOptions } from './options.js';

// Domain types the in-process API takes and returns.
export { EVENT_NAMES } from './events/types.js';
export type { EventName, Lead, LeadInput, LeadSource, Commission, CommissionInput, Adjustment, AdjustmentInput, Recorded } from './events/types.js';
export type { Endpoint, EndpointInput, EndpointPatch } from './endpoints/types.js';
export type { Delivery, DeliveryAttempt, DeliveryStatus } from './deliveries/types.js';
// The filter and signals of relay.deliveries.list() and stats().
export type { DeliveryFilter, OutboxStats } from './store/outbox-store.js';
export type { TestPostbackResult } from './dispatch/dispatcher.js';

// Errors, so callers can match on `code` and `instanceof`.
export * from './errors.js';

// Exact money helpers, for hosts that compute amounts before sending them.
export { parseDecimal, addDecimal, subtractDecimal, MONEY_SCALE } from './money.js';
export type { DecimalString } from './money.js';

// The plugin contract and the helpers a plugin author builds on.
export type { FormatterPlugin, PostbackContext, PostbackRequest } from './plugins/types.js';
export { MACRO_NAMES, macroValues } from './plugins/macros.js';
export type { MacroName } from './plugins/macros.js';
export { parseTemplate, parseUrlTemplate, renderTemplate } from './plugins/template.js';
export type { Template } from './plugins/template.js';

// Logging contract, and the JSON logger the server uses.
export { createJsonLogger, silentLogger } from './log.js';
export type { Logger, LogFields, LogLevel } from './log.js';

// Server-side helpers: configuration and the database URL, for the standalone server and the knex CLI.
export { loadConfig, configSchema } from './config/load.js';
export type { RelayConfig } from './config/load.js';
export { knexConfigForUrl } from './store/database.js';
export { migrationConfig } from './store/migrations/index.js';
export { startServer } from './server/server.js';
export type { RunningServer } from './server/server.js';
