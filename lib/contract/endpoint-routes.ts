// The endpoint API's routes: list, create, read and change an affiliate's postback endpoints.

import { z } from 'zod';
import { endpointPatchSchema, endpointSchema } from '../endpoints/schema.js';
import { optional, pageLimit, text, timestamp } from '../validation.js';
import { dataOf, driftAnswer, endpointAnswer, endpointSavedAnswer } from './answers.js';
import type { RouteContract } from './route.js';

export const endpointIdParams = z.object({ id: z.string().meta({ description: 'The endpoint id the relay assigned' }) });
export const endpointListQuery = z.object({ affiliateId: optional(text({ max: 191 })) });
const clickId = text({ max: 255 });
export const driftQuery = z.object({
  since: optional(timestamp),
  until: optional(timestamp),
  clickId: optional(clickId),
  after: optional(clickId.meta({ description: "The previous page's `next`: differing clicks after this click ID" })),
  limit: optional(pageLimit),
});

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
  adjustmentMode: null,
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
    responses: { 201: { description: 'Created, secrets masked, with what the operator should know (`warnings`)', schema: endpointSavedAnswer(), example: { data: example, warnings: [] } } },
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
    summary: 'Change the given fields of an endpoint; offerId, name and adjustmentMode may be set to null to clear them',
    params: endpointIdParams,
    body: { schema: endpointPatchSchema, example: { enabled: false } },
    responses: { 200: { description: 'The endpoint as changed, secrets masked, with `warnings`', schema: endpointSavedAnswer(), example: { data: { ...example, enabled: false }, warnings: [] } } },
    errors: [...ENDPOINT_ERRORS, 404],
  },
  {
    operationId: 'endpointDrift',
    method: 'get',
    path: '/endpoints/:id/drift',
    tag: 'endpoints',
    access: 'admin',
    summary: "The drift report: per click, the platform's net against what the tracker should show from what was sent (docs/drift.md)",
    params: endpointIdParams,
    query: driftQuery,
    responses: {
      200: {
        description: 'The totals and the differing clicks, a page at a time',
        schema: dataOf(driftAnswer),
        example: {
          data: {
            endpointId: '1',
            plugin: 'binom',
            books: { family: 'per-click', dedupe: 'click', maxAmount: null, decimals: null, adjustmentModes: ['replace'] },
            adjustmentMode: 'replace',
            totals: { clicks: 2, clicksDiffering: 1, truth: '37.5', expected: '25', difference: '12.5' },
            differing: [{ clickId: 'a1b2c3d4', truth: '12.5', expected: '0', difference: '12.5', reasons: ['delivery 42 (commission_earned) failed: not recorded'] }],
            next: null,
          },
        },
      },
    },
    errors: [...ENDPOINT_ERRORS, 404],
  },
] as const satisfies readonly RouteContract[];

