// The affiliate-scoped JSON API, for hosts that build their own UI: the same scope as the pages, `{data}` or `{error}`.

import express, { Router } from 'express';
import type { Request, Response } from 'express';
import { driftQuery } from '../contract/endpoint-routes.js';
import { CsrfError, ValidationError } from '../errors.js';
import { EVENT_NAMES } from '../events/types.js';
import { requireJson } from '../http/errors.js';
import { logSearch } from '../deliveries/search.js';
import { check, oneOf, optional, plainObject } from '../validation.js';
import type { AffiliateEndpointDraft, AffiliateScope } from './scope.js';
import { PORTAL_LOG_LIMIT, PORTAL_SEARCH_FIELDS } from './scope.js';

/** The fields an affiliate may send for its endpoint; anything else (its affiliate above all) is refused by name. */
const DRAFT_FIELDS = ['name', 'offerId', 'plugin', 'settings', 'events', 'enabled'];
const logQuery = logSearch(PORTAL_SEARCH_FIELDS, 'api');

/** What the API lists about each tracker on offer. */
export interface OfferedTracker {
  name: string;
  trackerName: string;
  help: string;
  settings: Readonly<Record<string, unknown>> | undefined;
}

/** The JSON API under the portal: `scopeOf(res)` is the affiliate the portal authenticated. */
export function createPortalApi(options: { scopeOf: (res: Response) => AffiliateScope; trackers: readonly OfferedTracker[]; bodyLimit: string }): Router {
  const { scopeOf } = options;
  const router = Router();
  router.use(function sameSiteOnly(req, _res, next) {
    // A JSON body already needs a CORS preflight from another site; the browser's own word is checked too.
    const site = req.get('sec-fetch-site');
    next(req.method !== 'GET' && site !== undefined && site !== 'same-origin' && site !== 'none' ? new CsrfError(`refused a request from another site (Sec-Fetch-Site: ${site})`) : undefined);
  });
  router.use(requireJson, express.json({ limit: options.bodyLimit }));

  router.get('/trackers', function trackers(_req, res) {
    res.json({ data: options.trackers });
  });
  router.post('/recognize', function recognize(req, res) {
    const scope = scopeOf(res);
    const found = scope.recognize(body(req).url);
    res.json({ data: found && { ...found, preview: scope.preview(found.plugin, found.settings) } });
  });
  router.post('/preview', function preview(req, res) {
    const given = body(req);
    const draft = draftOf({ plugin: given.plugin, settings: given.settings ?? {} });
    res.json({ data: scopeOf(res).preview(String(draft.plugin), draft.settings ?? {}) });
  });
  router.get('/endpoints', async function listEndpoints(_req, res) {
    const scope = scopeOf(res);
    res.json({ data: (await scope.listEndpoints()).map((endpoint) => scope.masked(endpoint)) });
  });
  router.post('/endpoints', async function createEndpoint(req, res) {
    const scope = scopeOf(res);
    res.status(201).json({ data: scope.masked(await scope.createEndpoint(draftOf(body(req)) as AffiliateEndpointDraft)) });
  });
  router.get('/endpoints/:id', async function getEndpoint(req, res) {
    const scope = scopeOf(res);
    res.json({ data: scope.masked(await scope.endpoint(req.params.id)) });
  });
  router.patch('/endpoints/:id', async function updateEndpoint(req, res) {
    const scope = scopeOf(res);
    res.json({ data: scope.masked(await scope.updateEndpoint(req.params.id, draftOf(body(req)))) });
  });
  router.get('/endpoints/:id/drift', async function endpointDrift(req, res) {
    res.json({ data: await scopeOf(res).drift(req.params.id, check(driftQuery, req.query)) });
  });
  router.post('/endpoints/:id/test', async function sendTest(req, res) {
    const event = check(optional(oneOf(EVENT_NAMES)), body(req).event, 'event') ?? 'lead_created';
    res.json({ data: await scopeOf(res).sendTest(req.params.id, event) });
  });
  router.post('/endpoints/:id/replay-failed', async function replayFailed(req, res) {
    res.json({ data: { replayed: await scopeOf(res).replayFailed(req.params.id) } });
  });
  router.get('/deliveries', async function listDeliveries(req, res) {
    const found = await scopeOf(res).deliveries(logQuery.filter(req.query));
    res.json({ data: found.slice(0, PORTAL_LOG_LIMIT), truncated: found.length > PORTAL_LOG_LIMIT });
  });
  router.get('/deliveries/:id', async function getDelivery(req, res) {
    res.json({ data: await scopeOf(res).delivery(req.params.id) });
  });
  router.post('/deliveries/:id/replay', async function replay(req, res) {
    res.status(202).json({ data: await scopeOf(res).replay(req.params.id) });
  });
  return router;
}

function body(req: Request): Record<string, unknown> {
  return check(plainObject, req.body ?? {}, 'body');
}

/** The draft fields of a body, refusing any other by name; the endpoint service checks each field's value. */
export function draftOf(given: Record<string, unknown>): Partial<AffiliateEndpointDraft> {
  const unknown = Object.keys(given).find((key) => !DRAFT_FIELDS.includes(key));
  if (unknown !== undefined) throw new ValidationError(unknown, `is not a field an affiliate can set (fields: ${DRAFT_FIELDS.join(', ')})`);
  if (given.settings !== undefined) check(plainObject, given.settings, 'settings');
  return given;
}
