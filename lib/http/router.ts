// The router the host mounts: authentication, JSON bodies, the event, endpoint and delivery routes, JSON errors.

import express, { Router } from 'express';
import type { EndpointService } from '../endpoints/service.js';
import type { EventRecorder } from '../events/recorder.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { DeliveryService } from '../deliveries/service.js';
import { requireApiKey, requireScope, trustHostAuth } from './auth.js';
import type { ScopedKey } from './auth.js';
import { createRateLimiter } from './rate-limit.js';
import type { RateLimitOptions } from './rate-limit.js';
import { rejectAmbiguousJson } from './json-shape.js';
import { keepRawBody } from './raw-body.js';
import { requireSignature } from './signing.js';
import type { SigningSettings } from './signing.js';
import { createDeliveriesRouter } from './deliveries-router.js';
import { createEndpointsRouter } from './endpoints-router.js';
import { errorHandler, requireJson } from './errors.js';
import { addEventRoutes } from './events-router.js';
import { buildOpenApiDocument } from './openapi.js';
import { metaRoutes } from '../contract/meta-routes.js';
import { mountRoutes } from '../contract/route.js';
import { VERSION } from '../version.js';

export interface RelayRouterDeps {
  recorder: EventRecorder;
  /** Described in the OpenAPI document (each plugin's settings). */
  plugins: PluginRegistry;
  endpoints: EndpointService;
  deliveries: DeliveryService;
  apiKeys: readonly ScopedKey[];
  authentication: 'apiKeys' | 'host';
  signing: SigningSettings | undefined;
  rateLimit: RateLimitOptions | false;
  bodyLimit: string;
  logger: Logger;
}

/** Builds the mountable router: `app.use('/postbacks', router)`. */
export function createRelayRouter(deps: RelayRouterDeps): Router {
  const router = Router();
  // Limit first, so a flood (or a key-guessing run) costs one map lookup per request.
  if (deps.rateLimit) router.use(createRateLimiter(deps.rateLimit, 'api'));
  // The contract is public (it holds no secret), so a client generator can fetch it without a key.
  const openApi = buildOpenApiDocument(VERSION, { plugins: deps.plugins });
  mountRoutes(router, metaRoutes, {
    openApiDocument(_req, res) {
      res.json(openApi);
    },
  });
  // Authenticate before parsing, so an anonymous client cannot make us read a large body.
  router.use(deps.authentication === 'host' ? trustHostAuth : requireApiKey(deps.apiKeys));
  router.use(requireJson, express.json({ limit: deps.bodyLimit, strict: true, verify: keepRawBody }));
  if (deps.signing) router.use(requireSignature(deps.signing));
  router.use(rejectAmbiguousJson);
  addEventRoutes(router, deps.recorder, requireScope('events'));
  router.use('/endpoints', requireScope('admin'), createEndpointsRouter(deps.endpoints));
  router.use('/deliveries', requireScope('admin'), createDeliveriesRouter(deps.deliveries));
  router.use(function notFound(req, _res, next) {
    next(new NotFoundError('route', `${req.method} ${req.path}`));
  });
  router.use(errorHandler(deps.logger, deps.bodyLimit));
  return router;
}
