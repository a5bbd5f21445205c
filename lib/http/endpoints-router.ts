// Endpoint management over HTTP.

import { Router } from 'express';
import { endpointListQuery, endpointRoutes } from '../contract/endpoint-routes.js';
import { mountRoutes } from '../contract/route.js';
import type { EndpointService } from '../endpoints/service.js';
import { check } from '../validation.js';

/** The routes of {@link endpointRoutes}, under `/endpoints`. Settings are answered with their secrets masked. */
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
        res.status(201).json({ data: endpoints.masked(await endpoints.create(req.body)) });
      },
      async getEndpoint(req, res) {
        res.json({ data: endpoints.masked(await endpoints.get(String(req.params.id))) });
      },
      async updateEndpoint(req, res) {
        res.json({ data: endpoints.masked(await endpoints.update(String(req.params.id), req.body)) });
      },
    },
    { prefix: '/endpoints' },
  );
  return router;
}
