// Endpoint management over HTTP.

import { Router } from 'express';
import type { EndpointService } from '../endpoints/service.js';
import { optional, pageLimit, text, timestamp } from '../validation.js';

const idQuery = optional(text({ max: 191 }));
const clickQuery = optional(text({ max: 255 }));
const timeQuery = optional(timestamp);


/**
 * `GET|POST /endpoints`, `GET|PATCH /endpoints/:id`. Settings are answered with their secrets masked; a create or
 * update answers `warnings` too (a tracker that cannot dedupe, an inferred adjustment mode).
 * `GET /endpoints/:id/drift?since&until&clickId&after&limit`: the drift report (docs/drift.md).
 */
export function createEndpointsRouter(endpoints: EndpointService): Router {
  const router = Router();
  router.get('/', async function listEndpoints(req, res) {
    res.json({ data: (await endpoints.list({ affiliateId: idQuery(req.query.affiliateId, 'affiliateId') })).map((endpoint) => endpoints.masked(endpoint)) });
  });
  router.post('/', async function createEndpoint(req, res) {
    const endpoint = await endpoints.create(req.body);
    res.status(201).json({ data: endpoints.masked(endpoint), warnings: endpoints.warnings(endpoint) });
  });
  router.get('/:id', async function getEndpoint(req, res) {
    res.json({ data: endpoints.masked(await endpoints.get(req.params.id)) });
  });
  router.get('/:id/drift', async function endpointDrift(req, res) {
    const q = req.query;
    const query = {
      since: timeQuery(q.since, 'since'),
      until: timeQuery(q.until, 'until'),
      clickId: clickQuery(q.clickId, 'clickId'),
      after: clickQuery(q.after, 'after'),
      limit: pageLimit(q.limit, 'limit'),
    };
    res.json({ data: await endpoints.drift(req.params.id, query) });
  });
  router.patch('/:id', async function updateEndpoint(req, res) {
    const endpoint = await endpoints.update(req.params.id, req.body);
    res.json({ data: endpoints.masked(endpoint), warnings: endpoints.warnings(endpoint) });
  });
  return router;
}
