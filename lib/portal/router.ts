// The affiliate portal router: who the affiliate is (host login or signed link), then its pages and JSON API, all through its scope.

import { createHmac, randomBytes } from 'node:crypto';
import express, { Router } from 'express';
import type { ErrorRequestHandler, Request, Response } from 'express';
import { DASHBOARD_CSS, DASHBOARD_SCRIPT } from '../dashboard/assets.js';
import { createCsrfGuard } from '../dashboard/csrf.js';
import { blankForm, formInput, formOf, formSettings, readForm } from '../dashboard/endpoint-form.js';
import type { EndpointFormValues } from '../dashboard/endpoint-form.js';
import { dashboardErrorHandler } from '../dashboard/error-page.js';
import type { SafeHtml } from '../dashboard/html.js';
import type { PageContext } from '../dashboard/layout.js';
import { endpointFormPage } from '../dashboard/pages/endpoints.js';
import { driftPage } from '../dashboard/pages/tracker-books.js';
import { replayedNotice } from '../dashboard/log-search-form.js';
import { formError, query } from '../dashboard/router.js';
import type { FormError } from '../dashboard/pages/endpoints.js';
import type { PostbackPreview } from '../dashboard/preview.js';
import type { Delivery } from '../deliveries/types.js';
import type { TestPostbackResult } from '../dispatch/send-test.js';
import type { Endpoint } from '../endpoints/types.js';
import { InvalidPortalLinkError, NotFoundError, RateLimitedError, RelayError } from '../errors.js';
import { EVENT_NAMES } from '../events/types.js';
import type { EventName } from '../events/types.js';
import { errorHandler } from '../http/errors.js';
import type { Logger } from '../log.js';
import { maskerFor } from '../secrets.js';
import { driftQuery } from '../contract/endpoint-routes.js';
import { logSearch } from '../deliveries/search.js';
import { check } from '../validation.js';
import { createPortalApi, draftOf } from './api.js';
import type { OfferedTracker } from './api.js';
import { verifyPortalToken } from './link.js';
import type { PortalMountOptions } from './options.js';
import { portalDeliveryPage, portalEndpointsPage, portalLogPage, PORTAL_NAV } from './pages.js';
import { AffiliateScope, PORTAL_LOG_LIMIT, PORTAL_SEARCH_FIELDS } from './scope.js';
import type { AffiliateEndpointDraft, PortalServices } from './scope.js';

/** The cookie a signed link leaves: the link's own token, so any instance verifies it with the shared secrets. */
export const PORTAL_COOKIE = 'pb_portal';
const SCOPE = 'postbackRelayPortalScope';
const AFFILIATE = /^[^\s]{1,191}$/;
const NOTICES: Readonly<Record<string, string>> = {
  created: 'Endpoint saved. Send a test postback to check it.',
  saved: 'Changes saved.',
  replayed: 'Replay queued: the delivery is sent again shortly.',
};
// datetime-local inputs send no zone: the portal shows and reads times as UTC, as the dashboard does.
const logForm = logSearch(PORTAL_SEARCH_FIELDS, 'form');

// The report's reasons are written for operators; an affiliate cannot decide an unconfirmed delivery itself.
const DRIFT_NOTE = 'An unconfirmed delivery may or may not have reached your tracker: the platform\'s operators check it with your tracker\'s reports and send it again or mark it delivered.';

/** Builds one portal router; `services` are the relay's, `mount` says how the host authenticates affiliates. */
export function createPortalRouter(services: PortalServices, mount: PortalMountOptions, deps: { bodyLimit: string; logger: Logger }): Router {
  const { options } = services;
  const trackers: OfferedTracker[] = services.offered.map((plugin) => ({
    name: plugin.name,
    trackerName: plugin.recognize?.trackerName ?? plugin.name,
    help: plugin.recognize?.help ?? plugin.description ?? '',
    settings: plugin.settingsSchema,
  }));
  // Form tokens are bound to the affiliate, so a token from one affiliate's page cannot act for another.
  const csrfRoot = options.linkSecrets[0] === undefined ? randomBytes(32) : createHmac('sha256', options.linkSecrets[0]).update('portal-form-tokens').digest();
  const csrfOf = (affiliateId: string) => createCsrfGuard(createHmac('sha256', csrfRoot).update(affiliateId).digest());
  const scopeOf = (res: Response): AffiliateScope => res.locals[SCOPE] as AffiliateScope;
  const context = (req: Request, res: Response): PageContext => {
    const scope = res.locals[SCOPE] as AffiliateScope | undefined;
    return { base: req.baseUrl, csrf: scope ? csrfOf(scope.affiliateId).token() : '' };
  };
  const send = (res: Response, status: number, markup: SafeHtml) => res.status(status).type('html').send(markup.toString());
  const frameAncestors = options.frameAncestors.length === 0 ? "'none'" : options.frameAncestors.join(' ');

  const router = Router();
  router.use(function securityHeaders(_req, res, next) {
    res.set({
      'Content-Security-Policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors ${frameAncestors}; base-uri 'none'`,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      // X-Frame-Options cannot name origins: it is only sent when nothing may frame the portal.
      ...(options.frameAncestors.length === 0 ? { 'X-Frame-Options': 'DENY' } : {}),
    });
    next();
  });
  router.get('/assets/portal.css', function stylesheet(_req, res) {
    res.type('css').set('Cache-Control', 'max-age=3600').send(DASHBOARD_CSS);
  });
  router.get('/assets/dashboard.css', function stylesheet(_req, res) {
    res.type('css').set('Cache-Control', 'max-age=3600').send(DASHBOARD_CSS);
  });
  router.get('/assets/dashboard.js', function script(_req, res) {
    res.type('js').set('Cache-Control', 'max-age=3600').send(DASHBOARD_SCRIPT);
  });
  router.get('/link/:token', function openLink(req, res) {
    const { expiresAt } = verifyPortalToken(options.linkSecrets, req.params.token, new Date());
    // Secure (and so SameSite=None, which lets the portal work inside the host's frame) only where the browser will keep it.
    const site = req.secure ? 'SameSite=None; Secure' : 'SameSite=Lax';
    res.set('Set-Cookie', `${PORTAL_COOKIE}=${req.params.token}; Path=${req.baseUrl || '/'}; Expires=${expiresAt.toUTCString()}; HttpOnly; ${site}`);
    // Off the URL at once: it would otherwise stay in the history and the address bar.
    res.redirect(303, `${req.baseUrl}/endpoints`);
  });
  router.use(async function authenticate(req, res, next) {
    const fromHost = mount.affiliateOf ? await mount.affiliateOf(req) : undefined;
    let affiliateId = typeof fromHost === 'string' && AFFILIATE.test(fromHost) ? fromHost : undefined;
    if (affiliateId === undefined) {
      const token = cookie(req, PORTAL_COOKIE);
      if (token === undefined) throw new InvalidPortalLinkError('sign in to the platform, or open the portal link it gave you');
      affiliateId = verifyPortalToken(options.linkSecrets, token, new Date()).affiliateId;
    }
    res.locals[SCOPE] = new AffiliateScope(affiliateId, services);
    next();
  });
  router.use('/api', createPortalApi({ scopeOf, trackers, bodyLimit: deps.bodyLimit }), retryAfterHeader, errorHandler(deps.logger, deps.bodyLimit));
  router.use(express.urlencoded({ extended: false, limit: deps.bodyLimit, parameterLimit: 200 }));
  router.use(function csrfOnPost(req, res, next) {
    if (req.method === 'POST') csrfOf(scopeOf(res).affiliateId).check(req, res, next);
    else next();
  });

  router.get('/', function home(req, res) {
    res.redirect(303, `${req.baseUrl}/endpoints`);
  });
  router.get('/endpoints', async function listEndpoints(req, res) {
    send(res, 200, await listPage(req, res, '', undefined));
  });
  router.post('/recognize', async function recognize(req, res) {
    const pasted = typeof (req.body as Record<string, unknown>).url === 'string' ? String((req.body as Record<string, unknown>).url) : '';
    const scope = scopeOf(res);
    let found;
    try {
      found = scope.recognize(pasted);
    } catch (error) {
      send(res, 400, await listPage(req, res, pasted, formError(error)));
      return;
    }
    if (!found) {
      send(res, 400, await listPage(req, res, pasted, { field: 'url', message: 'This URL is not one of the trackers offered here: pick your tracker yourself and fill in its settings.' }));
      return;
    }
    const tracker = trackers.find((candidate) => candidate.name === found.plugin);
    const values = formValues(scope.affiliateId, found.plugin, found.settings);
    const notice = `Recognised as ${tracker?.trackerName ?? found.plugin}. Check the settings and the events, then save: nothing is saved yet.${found.notes.length > 0 ? ` ${found.notes.join(' ')}` : ''}`;
    send(res, 200, formPage(req, res, values, undefined, undefined, { notice }));
  });
  router.get('/endpoints/new', function newEndpoint(req, res) {
    const values = { ...blankForm(offeredPlugin(query(req, 'plugin'))), affiliateId: scopeOf(res).affiliateId };
    send(res, 200, formPage(req, res, values, undefined, undefined));
  });
  router.post('/endpoints', async function createEndpoint(req, res) {
    const scope = scopeOf(res);
    const values = { ...readForm(req.body as Record<string, unknown>), affiliateId: scope.affiliateId };
    try {
      const created = await scope.createEndpoint(draftFromForm(values));
      res.redirect(303, `${req.baseUrl}/endpoints/${created.id}?notice=created`);
    } catch (error) {
      send(res, statusOf(error), formPage(req, res, values, undefined, formError(error)));
    }
  });
  router.get('/endpoints/:id', async function showEndpoint(req, res) {
    const saved = await scopeOf(res).endpoint(req.params.id);
    const plugin = query(req, 'plugin');
    const values = formOf(saved, maskerFor(services.plugins, saved));
    const shown = plugin !== '' && plugin !== saved.plugin ? { ...values, plugin: offeredPlugin(plugin), settings: {}, settingsJson: '{}' } : values;
    send(res, 200, formPage(req, res, shown, saved, undefined, { notice: NOTICES[query(req, 'notice')] }));
  });
  router.post('/endpoints/:id', async function updateEndpoint(req, res) {
    const scope = scopeOf(res);
    const saved = await scope.endpoint(req.params.id);
    const values = { ...readForm(req.body as Record<string, unknown>), affiliateId: scope.affiliateId };
    try {
      await scope.updateEndpoint(saved.id, draftFromForm(values));
      res.redirect(303, `${req.baseUrl}/endpoints/${saved.id}?notice=saved`);
    } catch (error) {
      send(res, statusOf(error), formPage(req, res, values, saved, formError(error)));
    }
  });
  router.post('/endpoints/:id/test', async function sendTestPostback(req, res) {
    const scope = scopeOf(res);
    const saved = await scope.endpoint(req.params.id);
    const given = (req.body as Record<string, unknown>).event;
    const event = (EVENT_NAMES as readonly unknown[]).includes(given) ? (given as EventName) : 'lead_created';
    const test = await scope.sendTest(saved.id, event);
    send(res, 200, formPage(req, res, formOf(saved, maskerFor(services.plugins, saved)), saved, undefined, { test }));
  });
  router.post('/endpoints/:id/replay-failed', async function replayFailed(req, res) {
    const scope = scopeOf(res);
    const count = await scope.replayFailed(req.params.id);
    res.redirect(303, `${req.baseUrl}/deliveries?endpointId=${encodeURIComponent(req.params.id)}&replayed=${count}`);
  });
  router.post('/preview', function preview(req, res) {
    const values = readForm(req.body as Record<string, unknown>);
    const draft = draftFromForm(values);
    res.json({ data: scopeOf(res).preview(draft.plugin, draft.settings, draft.offerId ?? null) });
  });

  router.get('/deliveries', async function deliveryLog(req, res) {
    const scope = scopeOf(res);
    const search = logForm.typed((name) => query(req, name));
    const notice = replayedNotice(query(req, 'replayed'));
    const endpoints = await scope.listEndpoints();
    const page = (status: number, error: FormError | undefined, found: readonly Delivery[]) =>
      send(res, status, portalLogPage(context(req, res), { search, endpoints, error, deliveries: found.slice(0, PORTAL_LOG_LIMIT), truncated: found.length > PORTAL_LOG_LIMIT, notice }));
    let filter;
    try {
      filter = logForm.filter(search);
    } catch (error) {
      page(400, formError(error), []);
      return;
    }
    page(200, undefined, await scope.deliveries(filter));
  });
  router.get('/deliveries/:id', async function showDelivery(req, res) {
    const scope = scopeOf(res);
    const delivery = await scope.delivery(req.params.id);
    send(res, 200, portalDeliveryPage(context(req, res), delivery, await scope.endpoint(delivery.endpointId), { allowReplay: options.allowReplay, notice: NOTICES[query(req, 'notice')] }));
  });
  router.post('/deliveries/:id/replay', async function replayDelivery(req, res) {
    const delivery = await scopeOf(res).replay(req.params.id);
    res.redirect(303, `${req.baseUrl}/deliveries/${delivery.id}?notice=replayed`);
  });
  router.get('/endpoints/:id/drift', async function endpointDrift(req, res) {
    const scope = scopeOf(res);
    const saved = await scope.endpoint(req.params.id);
    const report = await scope.drift(saved.id, check(driftQuery, req.query));
    send(res, 200, driftPage(context(req, res), report, saved.name ?? `#${saved.id}`, { nav: PORTAL_NAV, note: DRIFT_NOTE }));
  });

  router.use(function notFound(req, _res, next) {
    next(new NotFoundError('page', req.path));
  });
  router.use(retryAfterHeader, dashboardErrorHandler(deps.logger, deps.bodyLimit, (req) => context(req, req.res as Response), ['/preview']));
  return router;

  function offeredPlugin(name: string): string {
    return trackers.some((tracker) => tracker.name === name) ? name : (trackers[0]?.name ?? '');
  }

  function formValues(affiliateId: string, plugin: string, settings: Record<string, unknown>): EndpointFormValues {
    const stored: Endpoint = { id: '', affiliateId, offerId: null, name: null, plugin, settings, events: [...EVENT_NAMES], enabled: true, adjustmentMode: null, createdAt: new Date(0), updatedAt: new Date(0) };
    return formOf(stored, (value) => value);
  }

  function draftFromForm(values: EndpointFormValues): AffiliateEndpointDraft {
    const plugin = offeredPlugin(values.plugin) === values.plugin ? services.plugins.get(values.plugin) : undefined;
    const draft: Record<string, unknown> = { ...formInput(values, formSettings(values, plugin?.settingsSchema)) };
    // The scope sets the affiliate; the form's read-only field is only shown.
    delete draft.affiliateId;
    // The adjustment mode is the operator's choice (the dashboard's form): the portal form has no such field.
    delete draft.adjustmentMode;
    return draftOf(draft) as AffiliateEndpointDraft;
  }

  async function listPage(req: Request, res: Response, pasted: string, error: FormError | undefined): Promise<SafeHtml> {
    const scope = scopeOf(res);
    return portalEndpointsPage(context(req, res), { affiliateId: scope.affiliateId, endpoints: await scope.listEndpoints(), trackers, pasted, error, maxEndpoints: options.maxEndpoints });
  }

  function formPage(req: Request, res: Response, values: EndpointFormValues, saved: Endpoint | undefined, error: FormError | undefined, extra: { test?: TestPostbackResult; notice?: string | undefined } = {}): SafeHtml {
    let previews: PostbackPreview[] | string;
    try {
      const draft = draftFromForm(values);
      previews = scopeOf(res).preview(draft.plugin, draft.settings, draft.offerId ?? null);
    } catch (problem) {
      if (!(problem instanceof RelayError)) throw problem;
      previews = problem.message;
    }
    const tracker = trackers.find((candidate) => candidate.name === values.plugin);
    const schema = tracker === undefined ? undefined : services.plugins.get(tracker.name).settingsSchema;
    const plugins = trackers.map((candidate) => ({ name: candidate.name, description: candidate.trackerName }));
    return endpointFormPage(context(req, res), { saved, values, plugins, schema, error, previews, test: extra.test, notice: extra.notice, fixedAffiliate: true, help: tracker?.help, allowReplay: options.allowReplay, nav: PORTAL_NAV });
  }
}

/** A refused test send says when the affiliate may send again. */
const retryAfterHeader: ErrorRequestHandler = function retryAfterHeader(error: unknown, _req, res, next) {
  if (error instanceof RateLimitedError) res.set('Retry-After', String(error.retryAfterSeconds));
  next(error);
};

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function statusOf(error: unknown): number {
  return error instanceof RelayError ? error.statusCode : 500;
}
