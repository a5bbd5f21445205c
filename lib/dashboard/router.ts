// The dashboard router: overview, endpoints (form, preview, test postback), the paged delivery log and replay; HTML rendered here.

import express, { Router } from 'express';
import type { Request, Response } from 'express';
import type { DeliveryService } from '../deliveries/service.js';
import { driftQuery } from '../contract/endpoint-routes.js';
import { logSearch } from '../deliveries/search.js';
import type { Delivery } from '../deliveries/types.js';
import type { TestPostbackResult } from '../dispatch/send-test.js';
import type { EndpointService } from '../endpoints/service.js';
import type { FleetView } from '../fleet/instances-store.js';
import type { Endpoint } from '../endpoints/types.js';
import { NotFoundError, RelayError } from '../errors.js';
import { EVENT_NAMES } from '../events/types.js';
import type { EventName } from '../events/types.js';
import { requireScope, trustHostAuth } from '../http/auth.js';
import { verifyFormBytes } from '../http/raw-body.js';
import type { Logger } from '../log.js';
import type { AdjustmentMode } from '../plugins/capabilities.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { maskerFor } from '../secrets.js';
import type { DeliveryActivityStore } from '../store/delivery-activity.js';
import type { DeliveryFilter } from '../store/outbox-store.js';
import { check, optional, text } from '../validation.js';
import { DASHBOARD_CSS, DASHBOARD_SCRIPT, FAVICON_SVG } from './assets.js';
import { createCsrfGuard } from './csrf.js';
import { blankForm, formInput, formOf, formSettings, readForm, restoreMasked } from './endpoint-form.js';
import type { EndpointFormValues } from './endpoint-form.js';
import { dashboardErrorHandler } from './error-page.js';
import type { SafeHtml } from './html.js';
import type { PageContext } from './layout.js';
import { deliveryLogPage, deliveryPage, SEARCH_FIELDS } from './pages/deliveries.js';
import type { LogEntry } from './pages/deliveries.js';
import { replayedNotice } from './log-search-form.js';
import { endpointFormPage, endpointListPage } from './pages/endpoints.js';
import type { FormError } from './pages/endpoints.js';
import { fleetPage } from './pages/fleet.js';
import { overviewPage } from './pages/overview.js';
import { adjustmentModeField, driftPage, warningList } from './pages/tracker-books.js';
import { booksOf } from '../plugins/capabilities.js';
import { previewPostbacks } from './preview.js';
import type { PostbackPreview } from './preview.js';
import { endpointHost, hostOf } from './target-host.js';

/** What the dashboard reads and acts through: the same services as the API. */
export interface DashboardDeps {
  endpoints: EndpointService;
  deliveries: DeliveryService;
  activity: DeliveryActivityStore;
  plugins: PluginRegistry;
  sendTest(endpointId: string, event: EventName): Promise<TestPostbackResult>;
  /** The fleet's instances and the leases still held by dead ones. */
  fleet(): Promise<FleetView>;
  /** The fleet's shared secret for form tokens; a random one per process when absent. */
  secret?: string;
  bodyLimit: string;
  logger: Logger;
}

// Self only, no inline code: a hostile value that slipped through escaping still could not run.
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // Page URLs carry click IDs and lead ids.
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};
const LOG_PAGE = 50;
const HOUR_MS = 3_600_000;
const CHART_MINUTES = 60;
const NOTICES: Readonly<Record<string, string>> = {
  created: 'Endpoint created.',
  saved: 'Changes saved.',
  replayed: 'Replay queued: the delivery is sent again shortly.',
  'marked-delivered': 'Marked delivered: the tracker has it.',
  'sent-again': 'Queued to be sent again.',
};
// datetime-local inputs send no zone: the dashboard shows and reads times as UTC.
const logForm = logSearch(SEARCH_FIELDS, 'form');
const pageCursor = optional(text({ max: 19, pattern: /^\d+$/, patternHint: 'a delivery id (digits)' }));

/** Builds the dashboard: `app.use('/postbacks/admin', hostAuth, relay.dashboard)`. */
export function createDashboardRouter(deps: DashboardDeps): Router {
  const { endpoints, deliveries, activity, plugins } = deps;
  const csrf = deps.secret === undefined ? createCsrfGuard() : createCsrfGuard(deps.secret);
  const pluginList = plugins.names().map((name) => ({ name, description: plugins.get(name).description }));
  const context = (req: Request): PageContext => ({ base: req.baseUrl, csrf: csrf.token() });
  const send = (res: Response, status: number, markup: SafeHtml) => res.status(status).type('html').send(markup.toString());

  const router = Router();
  router.use(function securityHeaders(_req, res, next) {
    res.set(SECURITY_HEADERS);
    next();
  });
  // The host authenticated the request before the router; it may still narrow the scopes (as for relay.router).
  router.use(trustHostAuth, requireScope('admin'));
  router.get('/assets/dashboard.css', function stylesheet(_req, res) {
    res.type('css').set('Cache-Control', 'max-age=3600').send(DASHBOARD_CSS);
  });
  router.get('/assets/dashboard.js', function script(_req, res) {
    res.type('js').set('Cache-Control', 'max-age=3600').send(DASHBOARD_SCRIPT);
  });
  router.get('/assets/favicon.svg', function favicon(_req, res) {
    res.type('svg').set('Cache-Control', 'max-age=86400').send(FAVICON_SVG);
  });
  router.use(express.urlencoded({ extended: false, limit: deps.bodyLimit, parameterLimit: 200, verify: verifyFormBytes }));
  router.use(function csrfOnPost(req, res, next) {
    if (req.method === 'POST') csrf.check(req, res, next);
    else next();
  });

  router.get('/', async function overview(req, res) {
    const now = new Date();
    const chartFrom = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - (CHART_MINUTES - 1) * 60_000);
    const [stats, lastHour, lastDay, minutes, endpointList, health] = await Promise.all([
      deliveries.stats(),
      activity.countsSince(new Date(now.getTime() - HOUR_MS)),
      activity.countsSince(new Date(now.getTime() - 24 * HOUR_MS)),
      activity.attemptsPerMinute(chartFrom, new Date(now.getTime() + 1)),
      endpoints.list(),
      activity.endpointHealth(),
    ]);
    send(res, 200, overviewPage(context(req), { now, stats, lastHour, lastDay, minutes, chartFrom, chartMinutes: CHART_MINUTES, endpoints: endpointList, health }));
  });

  router.get('/fleet', async function fleet(req, res) {
    send(res, 200, fleetPage(context(req), await deps.fleet()));
  });

  router.get('/endpoints', async function listEndpoints(req, res) {
    const affiliateId = query(req, 'affiliateId');
    const list = await endpoints.list(affiliateId === '' ? {} : { affiliateId });
    const now = new Date();
    const hosts = new Map(list.flatMap((endpoint) => {
      const host = endpointHost(plugins, endpoint, now);
      return host === undefined ? [] : [[endpoint.id, host] as const];
    }));
    send(res, 200, endpointListPage(context(req), list, affiliateId, hosts));
  });
  router.get('/endpoints/new', function newEndpoint(req, res) {
    const values = blankForm(knownPlugin(query(req, 'plugin')));
    send(res, 200, formPage(req, values, undefined, undefined));
  });
  router.post('/endpoints', async function createEndpoint(req, res) {
    const values = readForm(req.body as Record<string, unknown>);
    try {
      const created = await endpoints.create(formInput(values, formSettings(values, plugins.get(values.plugin).settingsSchema)));
      res.redirect(303, `${req.baseUrl}/endpoints/${created.id}?notice=created`);
    } catch (error) {
      send(res, 400, formPage(req, values, undefined, formError(error)));
    }
  });
  router.get('/endpoints/:id', async function showEndpoint(req, res) {
    const saved = await endpoints.get(req.params.id);
    const values = formOf(saved, maskerFor(plugins, saved));
    const plugin = query(req, 'plugin');
    // Switching tracker starts its settings afresh: the old plugin's settings mean nothing to the new one.
    const shown = plugin !== '' && plugin !== saved.plugin ? { ...values, plugin: knownPlugin(plugin), settings: {}, settingsJson: '{}' } : values;
    send(res, 200, formPage(req, shown, saved, undefined, { notice: NOTICES[query(req, 'notice')] }));
  });
  router.post('/endpoints/:id', async function updateEndpoint(req, res) {
    const saved = await endpoints.get(req.params.id);
    const values = readForm(req.body as Record<string, unknown>);
    try {
      const given = formSettings(values, plugins.get(values.plugin).settingsSchema);
      const settings = values.plugin === saved.plugin ? (restoreMasked(given, saved.settings, maskerFor(plugins, saved)) as Record<string, unknown>) : given;
      await endpoints.update(saved.id, formInput(values, settings));
      res.redirect(303, `${req.baseUrl}/endpoints/${saved.id}?notice=saved`);
    } catch (error) {
      send(res, 400, formPage(req, values, saved, formError(error)));
    }
  });
  router.post('/endpoints/:id/test', async function sendTestPostback(req, res) {
    const saved = await endpoints.get(req.params.id);
    const event = (EVENT_NAMES as readonly unknown[]).includes((req.body as Record<string, unknown>).event) ? ((req.body as Record<string, unknown>).event as EventName) : 'lead_created';
    const test = await deps.sendTest(saved.id, event);
    send(res, 200, formPage(req, formOf(saved, maskerFor(plugins, saved)), saved, undefined, { test }));
  });
  router.post('/endpoints/:id/replay-failed', async function replayFailed(req, res) {
    const saved = await endpoints.get(req.params.id);
    const count = await deliveries.replayFailed(saved.id);
    res.redirect(303, `${req.baseUrl}/deliveries?endpointId=${saved.id}&replayed=${count}`);
  });
  router.post('/preview', function preview(req, res) {
    const values = readForm(req.body as Record<string, unknown>);
    res.json({ data: previewOf(values) });
  });

  router.get('/deliveries', async function deliveryLog(req, res) {
    const search = logForm.typed((name) => query(req, name));
    const notice = replayedNotice(query(req, 'replayed'));
    let filter: DeliveryFilter;
    try {
      filter = { ...logForm.filter(search), beforeId: check(pageCursor, query(req, 'before') || undefined, 'before') };
    } catch (error) {
      send(res, 400, deliveryLogPage(context(req), { search, error: formError(error), entries: [], olderThan: undefined, paged: false, notice }));
      return;
    }
    const found = await searchDeliveries(filter);
    const shown = found.slice(0, LOG_PAGE);
    const entries = await logEntries(shown);
    const olderThan = found.length > LOG_PAGE ? shown.at(-1)?.id : undefined;
    send(res, 200, deliveryLogPage(context(req), { search, error: undefined, entries, olderThan, paged: filter.beforeId !== undefined, notice }));
  });
  router.get('/deliveries/:id', async function showDelivery(req, res) {
    const delivery = await deliveries.get(req.params.id);
    send(res, 200, deliveryPage(context(req), delivery, await endpoints.get(delivery.endpointId), NOTICES[query(req, 'notice')]));
  });
  router.get('/endpoints/:id/drift', async function endpointDrift(req, res) {
    const saved = await endpoints.get(req.params.id);
    const report = await endpoints.drift(saved.id, check(driftQuery, req.query));
    send(res, 200, driftPage(context(req), report, saved.name ?? `#${saved.id}`));
  });
  for (const [decision, notice] of [['send-again', 'sent-again'], ['mark-delivered', 'marked-delivered']] as const) {
    router.post(`/deliveries/:id/${decision}`, async function decideUnconfirmed(req, res) {
      const delivery = await deliveries.decide(req.params.id, decision);
      res.redirect(303, `${req.baseUrl}/deliveries/${delivery.id}?notice=${notice}`);
    });
  }
  router.post('/deliveries/:id/replay', async function replayDelivery(req, res) {
    const delivery = await deliveries.replay(req.params.id);
    res.redirect(303, `${req.baseUrl}/deliveries/${delivery.id}?notice=replayed`);
  });

  router.use(function notFound(req, _res, next) {
    next(new NotFoundError('page', req.path));
  });
  router.use(dashboardErrorHandler(deps.logger, deps.bodyLimit, context, ['/preview']));
  return router;

  function knownPlugin(name: string): string {
    return plugins.names().includes(name) ? name : (plugins.names().includes('generic') ? 'generic' : (plugins.names()[0] ?? ''));
  }

  function previewOf(values: EndpointFormValues): PostbackPreview[] {
    const draft = { affiliateId: values.affiliateId || 'affiliate', offerId: values.offerId || null, plugin: values.plugin, adjustmentMode: (values.adjustmentMode || null) as AdjustmentMode | null };
    return previewPostbacks(plugins, { ...draft, settings: formSettings(values, plugins.get(values.plugin).settingsSchema) }, new Date());
  }

  function formPage(req: Request, values: EndpointFormValues, saved: Endpoint | undefined, error: FormError | undefined, extra: { test?: TestPostbackResult; notice?: string | undefined } = {}): SafeHtml {
    let previews: PostbackPreview[] | string;
    try {
      previews = previewOf(values);
    } catch (problem) {
      if (!(problem instanceof RelayError)) throw problem;
      previews = problem.message;
    }
    const schema = plugins.names().includes(values.plugin) ? plugins.get(values.plugin).settingsSchema : undefined;
    const books = { field: adjustmentModeField(values.adjustmentMode, modesFor(values), error?.field === 'adjustmentMode' ? error.message : undefined), warnings: warningList(saved ? endpoints.warnings(saved) : []) };
    return endpointFormPage(context(req), { saved, values, plugins: pluginList, schema, error, previews, test: extra.test, notice: extra.notice, books });
  }

  // The modes the plugin supports with the settings as typed; with settings it refuses, its defaults' (or skip).
  function modesFor(values: EndpointFormValues): readonly AdjustmentMode[] {
    if (!plugins.names().includes(values.plugin)) return ['skip'];
    const plugin = plugins.get(values.plugin);
    try {
      return booksOf(plugin, plugin.parseSettings(formSettings(values, plugin.settingsSchema))).adjustmentModes;
    } catch (problem) {
      if (!(problem instanceof RelayError)) throw problem;
      return [plugin.adjustments === 'unsupported' ? 'skip' : plugin.adjustments];
    }
  }

  /**
   * A page of the log, newest first, and one more to tell whether an older page follows. The affiliate's
   * deliveries are those of its endpoints (an endpoint only ever fires for its own affiliate's leads).
   */
  async function searchDeliveries(filter: DeliveryFilter): Promise<Delivery[]> {
    const { affiliateId, endpointId, ...rest } = filter;
    if (affiliateId === undefined) return deliveries.list({ ...filter, newestFirst: true, limit: LOG_PAGE + 1 });
    const ids = (await endpoints.list({ affiliateId })).map((endpoint) => endpoint.id).filter((id) => endpointId === undefined || id === endpointId);
    return deliveries.newestOf(ids, rest, LOG_PAGE + 1);
  }

  async function logEntries(shown: readonly Delivery[]): Promise<LogEntry[]> {
    const [clickIds, endpointList] = await Promise.all([activity.clickIds(shown.map((delivery) => delivery.id)), endpoints.list()]);
    const byId = new Map(endpointList.map((endpoint) => [endpoint.id, endpoint]));
    const now = new Date();
    const hosts = new Map<string, string | undefined>();
    const currentHost = (endpoint: Endpoint) => {
      if (!hosts.has(endpoint.id)) hosts.set(endpoint.id, endpointHost(plugins, endpoint, now));
      return hosts.get(endpoint.id);
    };
    return shown.map((delivery) => {
      const endpoint = byId.get(delivery.endpointId);
      const lastUrl = delivery.attempts.at(-1)?.url;
      const sentTo = lastUrl === undefined ? undefined : hostOf(lastUrl);
      return { delivery, clickId: clickIds.get(delivery.id), endpoint, targetHost: sentTo ?? (endpoint ? currentHost(endpoint) : undefined) };
    });
  }
}

/** A query parameter's first value, trimmed; empty when absent. */
export function query(req: Request, name: string): string {
  const value: unknown = req.query[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.trim() : '';
}

/** A refused save's field and message; anything but a client error goes on to the error handler. */
export function formError(error: unknown): FormError {
  if (error instanceof RelayError && error.statusCode >= 400 && error.statusCode < 500) return { field: error.field, message: error.message };
  throw error;
}
