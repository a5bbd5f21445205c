// The contract's own route: the OpenAPI document, served by the relay's router.

import { z } from 'zod';
import type { RouteContract } from './route.js';

export const metaRoutes = [
  {
    operationId: 'openApiDocument',
    method: 'get',
    path: '/openapi.json',
    tag: 'meta',
    access: 'public',
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: { description: 'The document', schema: z.object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }).loose(), paths: z.record(z.string(), z.unknown()) }).loose() } },
    errors: [429],
  },
] as const satisfies readonly RouteContract[];
