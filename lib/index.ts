// The public API of postback-relay: re-exports only.

// The factory and the instance it returns: the one way in.
export { createPostbackRelay } from './relay.js';
export type { PostbackRelay } from './relay.js';
export type { PostbackRelayOptions, DispatchOptions, IngestOptions, RetentionOptions, FleetOptions } from './options.js';
export type { FleetView, FleetInstance } from './fleet/instances-store.js';

// The form-fill pixel: its options, and the router factory for hosts that wire their own recorder.
export { createPixelRouter } from './http/pixel-router.js';
export type { PixelRouterOptions, PixelOutcome } from './http/pixel-router.js';
export type { PixelOptions } from './pixel/options.js';
export type { PixelRejection } from './pixel/hit.js';
export type { BrowserPixel, BrowserPixelLister } from './pixel/browser-pixels.js';
export type { PixelStats } from './relay.js';
export type { EndpointKind } from './endpoints/kind.js';
export type { BrowserSettings, BrowserPixelType } from '../plugins/browser/index.js';
// Operations: where metrics go, what a metric label or attempt log line can say, what a test postback returns.
export type { MetricsOptions } from './metrics/metrics.js';
export type { AttemptObservation, AttemptOutcome, EventResult } from './metrics/instrumentation.js';
export type { TestPostbackResult } from './dispatch/send-test.js';
// Security surfaces a host reuses: key scopes, signing for its clients, the rate limiter for its own routers.
export type { ApiScope } from './http/auth.js';
export { signRequest } from './http/signing.js';
export { createRateLimiter } from './http/rate-limit.js';
export type { RateLimitOptions, RateLimitStoreFactory } from './http/rate-limit.js';
export type { AmountLimitOptions } from './events/amount-limits.js';
export { classifyAddress } from './dispatch/target-guard.js';
export type { AddressClass } from './dispatch/target-guard.js';

// Domain types the in-process API takes and returns.
export { EVENT_NAMES } from './events/types.js';
export type { EventName, Lead, LeadInput, LeadSource, Commission, CommissionInput, Adjustment, AdjustmentInput, Recorded } from './events/types.js';
export type { Endpoint, EndpointInput, EndpointPatch } from './endpoints/types.js';
export type { Delivery, DeliveryAttempt, DeliveryStatus, UnconfirmedDecision } from './deliveries/types.js';
export { DELIVERY_STATUSES } from './deliveries/types.js';
export type { FailureKind } from './dispatch/failure-kind.js';
export { FAILURE_KINDS } from './dispatch/failure-kind.js';
// What saving an endpoint warns about, and the drift report of relay.endpoints.drift().
export type { EndpointWarning } from './endpoints/warnings.js';
export type { DriftReport, DriftQuery } from './drift/report.js';
export type { ClickDrift } from './drift/books.js';
// The filter and signals of relay.deliveries.list() and stats().
export type { DeliveryFilter, OutboxStats } from './store/outbox-store.js';

// Errors, so callers can match on `code` and `instanceof`.
export * from './errors.js';

// Exact money helpers, for hosts that compute amounts before sending them.
export { parseDecimal, addDecimal, subtractDecimal, MONEY_SCALE } from './money.js';
export type { DecimalString } from './money.js';

// The plugin contract and the helpers a plugin author builds on.
export type { FormatterPlugin, PostbackContext, PostbackRequest } from './plugins/types.js';
export type { AdjustmentFamily, PluginKind, PostbackSkip, PostbackResponse, SettingSpec } from './plugins/types.js';
export { ADJUSTMENT_FAMILIES, PLUGIN_KINDS, isSkip } from './plugins/types.js';
// What a plugin declares its tracker stores and how it keeps its books.
export { ADJUSTMENT_MODES } from './plugins/capabilities.js';
export type { AdjustmentMode, ConversionFamily, TrackerBooks, TrackerDedupe } from './plugins/capabilities.js';
export { definePlugin } from './plugins/define.js';
export { loadPlugins } from './plugins/loader.js';
export { clickStatus, defineQueryPlugin, eventKey, optional } from './plugins/query-plugin.js';
export type { QueryPluginSpec, QueryPostback, QueryParams, QuerySettings } from './plugins/query-plugin.js';
export { MACRO_NAMES, macroValues } from './plugins/macros.js';
export type { MacroName } from './plugins/macros.js';
export { parseTemplate, parseUrlTemplate, renderTemplate } from './plugins/template.js';
export type { Template } from './plugins/template.js';
// Paste to configure: a plugin's recogniser of its tracker's postback URL.
export { isPlaceholder, parsePastedUrl, pathPrefix, recognizePostbackUrl } from './plugins/recognize.js';
export type { PastedPostbackUrl, Recognition, UrlMatch, UrlRecognizer } from './plugins/recognize.js';

// The affiliate self-service portal: its options, the mount options and the link options.
export type { AffiliateOf, PortalMountOptions, PortalOptions } from './portal/options.js';
export type { PortalFactory, PortalLinkOptions } from './portal/portal.js';

// The logger a host passes (pino, or anything with pino's methods) and the fields the relay logs.
export type { HostLogger, LogFields } from './log.js';

// The standalone server and its configuration are on the `postback-relay/server` subpath (lib/server/index.ts).
