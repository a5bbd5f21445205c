// The endpoint API's routes: list, create, read and change an affiliate's postback endpoints.

import { z } from 'zod';
import { endpointPatchSchema, endpointSchema } from '../endpoints/schema.js';
import { optional, text } from '../validation.js';
import { dataOf, endpointAnswer } from './answers.js';
import type { RouteContract } from './route.js';

export const endpointIdParams = z.object({ id: z.string().meta({ description: 'The endpoint id the relay assigned' }) });
export const endpointListQuery = z.object({ affiliateId: optional(text({ max: 191 })) });

const ENDPOINT_ERRORS = [400, 401, 403, 413, 415, 429, 500, 503] as const;
const example = {
  id: '1',
  affiliateId: 'aff-7',
  offerId: null,
  name: 'RedTrack main',
  plugin: 'generic',
  settings: { url: 'https://trk.example/postback?clickid={click_id}&sum={payout}&token=***' },
  events: ['lead_created', 'commission_earned', 'commission_adjusted'],
  enabled: true,
  createdAt: '2026-12-01T09:00:00.000Z',
  updatedAt: '2026-12-01T09:00:00.000Z',
};

export const endpointRoutes = [
  {
    operationId: 'listEndpoints',
    method: 'get',
    path: '/endpoints',
    tag: 'endpoints',
    access: 'admin',
    summary: "List endpoints, optionally one affiliate's",
    query: endpointListQuery,
    responses: { 200: { description: 'The endpoints, secrets masked', schema: dataOf(z.array(endpointAnswer)), example: { data: [example] } } },
    errors: ENDPOINT_ERRORS,
  },
  {
    operationId: 'createEndpoint',
    method: 'post',
    path: '/endpoints',
    tag: 'endpoints',
    access: 'admin',
    summary: 'Create an endpoint; its settings are checked by its plugin now, not at send time',
    body: { schema: endpointSchema, example: { affiliateId: 'aff-7', name: 'RedTrack main', plugin: 'generic', settings: { url: 'https://trk.example/postback?clickid={click_id}&sum={payout}' } } },
    responses: { 201: { description: 'Created, secrets masked', schema: dataOf(endpointAnswer), example: { data: example } } },
    errors: ENDPOINT_ERRORS,
  },
  {
    operationId: 'getEndpoint',
    method: 'get',
    path: '/endpoints/:id',
    tag: 'endpoints',
    access: 'admin',
    summary: 'Read one endpoint',
    params: endpointIdParams,
    responses: { 200: { description: 'The endpoint, secrets masked', schema: dataOf(endpointAnswer), example: { data: example } } },
    errors: [...ENDPOINT_ERRORS, 404],
  },
  {
    operationId: 'updateEndpoint',
    method: 'patch',
    path: '/endpoints/:id',
    tag: 'endpoints',
    access: 'admin',
    summary: 'Change the given fields of an endpoint; offerId and name may be set to null to clear them',
    params: endpointIdParams,
    body: { schema: endpointPatchSchema, example: { enabled: false } },
    responses: { 200: { description: 'The endpoint as changed, secrets masked', schema: dataOf(endpointAnswer), example: { data: { ...example, enabled: false } } } },
    errors: [...ENDPOINT_ERRORS, 404],
  },
] as const satisfies readonly RouteContract[];

