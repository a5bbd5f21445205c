// Endpoint management over HTTP.

import { Router } from 'express';
import { driftQuery, endpointListQuery, endpointRoutes } from '../contract/endpoint-routes.js';
import { mountRoutes } from '../contract/route.js';
import type { EndpointService } from '../endpoints/service.js';
import { check } from '../validation.js';

/**
 * The routes of {@link endpointRoutes}, under `/endpoints`. Settings are answered with their secrets masked; a create
 * or update answers `warnings` too (a tracker that cannot dedupe, an inferred adjustment mode).
 */
export function createEndpointsRouter(endpoints: EndpointService): Router {
  const router = Router();
  mountRoutes(
    router,
    endpointRoutes,
    {
      async listEndpoints(req, res) {
        res.json({ data: (await endpoints.list(check(endpointListQuery, req.query))).map((endpoint) => endpoints.masked(endpoint)) });
      },
      async createEndpoint(req, res) {
        const endpoint = await endpoints.create(req.body);
        res.status(201).json({ data: endpoints.masked(endpoint), warnings: endpoints.warnings(endpoint) });
      },
      async getEndpoint(req, res) {
        res.json({ data: endpoints.masked(await endpoints.get(String(req.params.id))) });
      },
      async updateEndpoint(req, res) {
        const endpoint = await endpoints.update(String(req.params.id), req.body);
        res.json({ data: endpoints.masked(endpoint), warnings: endpoints.warnings(endpoint) });
      },
      async endpointDrift(req, res) {
        res.json({ data: await endpoints.drift(String(req.params.id), check(driftQuery, req.query)) });
      },
    },
    { prefix: '/endpoints' },
  );
  return router;
}
