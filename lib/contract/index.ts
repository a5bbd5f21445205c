// Every route of the HTTP API, as declared by its router's contract: what the OpenAPI document is built from.

import { deliveryRoutes } from './delivery-routes.js';
import { endpointRoutes } from './endpoint-routes.js';
import { eventRoutes } from './event-routes.js';
import { metaRoutes } from './meta-routes.js';
import { pixelRoutes } from './pixel-routes.js';
import type { RouteContract } from './route.js';

/** The relay's router (`relay.router`) and the pixel's (`relay.pixel`), both mounted at the same path. */
export const API_ROUTES: readonly RouteContract[] = [...eventRoutes, ...endpointRoutes, ...deliveryRoutes, ...pixelRoutes, ...metaRoutes];
