// The router the host mounts: authentication, JSON bodies, the event, endpoint and delivery routes, JSON errors.

import express, { Router } from 'express';
import type { EndpointService } from '../endpoints/service.js';
import type { EventRecorder } from '../events/recorder.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import type { DeliveryService } from '../deliveries/service.js';
import { requireApiKey } from './auth.js';
import { createDeliveriesRouter } from './deliveries-router.js';
import { createEndpointsRouter } from './endpoints-router.js';
import { errorHandler, requireJson } from './errors.js';
import { createEventsRouter } from './events-router.js';

export interface RelayRouterDeps {
  recorder: EventRecorder;
  endpoints: EndpointService;
  deliveries: DeliveryService;
  apiKeys: readonly string[];
  bodyLimit: string;
  logger: Logger;
}

/** Builds the mountable router: `app.use('/postbacks', router)`. */
export function createRelayRouter(deps: RelayRouterDeps): Router {
  const router = Router();
  // Authenticate before parsing, so an anonymous client cannot make us read a large body.
  router.use(requireApiKey(deps.apiKeys));
  router.use(requireJson, express.json({ limit: deps.bodyLimit, strict: true }));
  router.use('/events', createEventsRouter(deps.recorder));
  router.use('/endpoints', createEndpointsRouter(deps.endpoints));
  router.use('/deliveries', createDeliveriesRouter(deps.deliveries));
  router.use(function notFound(req, _res, next) {
    next(new NotFoundError('route', `${req.method} ${req.path}`));
  });
  router.use(errorHandler(deps.logger, deps.bodyLimit));
  return router;
}
