// The operations API's routes over the delivery log: search, inspect, replay, test, and the outbox signals.

import { z } from 'zod';
import { DELIVERY_STATUSES } from '../deliveries/types.js';
import { object, oneOf, optional, pageLimit, text, timestamp } from '../validation.js';
import { dataOf, deliveryAnswer, statsAnswer, testPostbackAnswer } from './answers.js';
import type { RouteContract } from './route.js';

const endpointId = text({ max: 19, pattern: /^\d+$/, patternHint: 'an endpoint id', description: 'An endpoint id (digits)' });

export const deliveryListQuery = z.object({
  leadId: optional(text({ max: 191 })),
  clickId: optional(text({ max: 255 })),
  endpointId: optional(text({ max: 191 })),
  status: optional(oneOf(DELIVERY_STATUSES)),
  since: optional(timestamp),
  until: optional(timestamp),
  limit: optional(pageLimit),
});
export const deliveryIdParams = z.object({ id: z.string().meta({ description: 'The delivery id the relay assigned' }) });
export const replayFailedBody = object({ endpointId, since: optional(timestamp) });
export const testPostbackBody = object({ endpointId });

const ADMIN_ERRORS = [400, 401, 403, 413, 415, 429, 500, 503] as const;
const delivery = {
  id: '42',
  endpointId: '1',
  event: 'commission_earned',
  leadId: 'L-1001',
  commissionId: 'C-2001',
  adjustmentId: null,
  status: 'delivered',
  attemptCount: 1,
  nextAttemptAt: '2026-12-02T09:30:00.200Z',
  lastStatusCode: 200,
  lastError: null,
  createdAt: '2026-12-02T09:30:00.120Z',
  deliveredAt: '2026-12-02T09:30:00.410Z',
  attempts: [{ attemptedAt: '2026-12-02T09:30:00.300Z', method: 'GET', url: 'https://trk.example/postback?clickid=a1b2c3d4&sum=12.5&token=***', statusCode: 200, latencyMs: 110, error: null, responseExcerpt: 'OK', failureKind: null }],
};

export const deliveryRoutes = [
  {
    operationId: 'listDeliveries',
    method: 'get',
    path: '/deliveries',
    tag: 'deliveries',
    access: 'admin',
    summary: 'Search the delivery log (oldest first)',
    query: deliveryListQuery,
    responses: { 200: { description: 'The deliveries found, each with its attempts', schema: dataOf(z.array(deliveryAnswer)), example: { data: [delivery] } } },
    errors: ADMIN_ERRORS,
  },
  {
    operationId: 'outboxStats',
    method: 'get',
    path: '/deliveries/stats',
    tag: 'deliveries',
    access: 'admin',
    summary: 'The outbox signals: what waits, what gave up, how old the oldest waiting delivery is',
    responses: { 200: { description: 'The counts', schema: dataOf(statsAnswer), example: { data: { pending: 3, failed: 1, unconfirmed: 0, delivered: 120, disabledEndpoints: 0, oldestPendingAt: '2026-12-02T09:29:58.000Z' } } } },
    errors: ADMIN_ERRORS,
  },
  {
    operationId: 'replayFailedDeliveries',
    method: 'post',
    path: '/deliveries/replay-failed',
    tag: 'deliveries',
    access: 'admin',
    summary: "Queue again every failed delivery of one endpoint (optionally since a time)",
    body: { schema: replayFailedBody, example: { endpointId: '1', since: '2026-12-01T00:00:00Z' } },
    responses: { 200: { description: 'How many were queued again', schema: dataOf(z.object({ replayed: z.int() })), example: { data: { replayed: 4 } } } },
    errors: ADMIN_ERRORS,
  },
  {
    operationId: 'sendTestPostback',
    method: 'post',
    path: '/deliveries/test',
    tag: 'deliveries',
    access: 'admin',
    summary: 'Send a made-up lead_created postback to an endpoint now, and answer with what the tracker said (nothing is stored)',
    body: { schema: testPostbackBody, example: { endpointId: '1' } },
    responses: {
      200: {
        description: 'What was sent and how the tracker answered',
        schema: dataOf(testPostbackAnswer),
        example: { data: { endpointId: '1', event: 'lead_created', method: 'GET', target: 'https://trk.example/postback?clickid=test-click-id&sum=0&token=***', delivered: true, statusCode: 200, latencyMs: 95, error: null, responseExcerpt: 'OK' } },
      },
    },
    errors: [...ADMIN_ERRORS, 404],
  },
  {
    operationId: 'getDelivery',
    method: 'get',
    path: '/deliveries/:id',
    tag: 'deliveries',
    access: 'admin',
    summary: 'Read one delivery with its attempts',
    params: deliveryIdParams,
    responses: { 200: { description: 'The delivery', schema: dataOf(deliveryAnswer), example: { data: delivery } } },
    errors: [...ADMIN_ERRORS, 404],
  },
  {
    operationId: 'replayDelivery',
    method: 'post',
    path: '/deliveries/:id/replay',
    tag: 'deliveries',
    access: 'admin',
    summary: 'Queue one delivery again (a delivered one is sent once more: the tracker deduplicates by transaction id)',
    params: deliveryIdParams,
    responses: { 202: { description: 'Queued again', schema: dataOf(deliveryAnswer), example: { data: { ...delivery, status: 'pending' } } } },
    errors: [...ADMIN_ERRORS, 404],
  },
  {
    operationId: 'sendUnconfirmedAgain',
    method: 'post',
    path: '/deliveries/:id/send-again',
    tag: 'deliveries',
    access: 'admin',
    summary: 'Decide an unconfirmed delivery: the tracker did not record it, so queue it to be sent again',
    description: 'Only for a delivery whose status is `unconfirmed` (a tracker that dedupes by nothing, after a lost answer); any other answers 409 ERR_PB_NOT_UNCONFIRMED and nothing changes.',
    params: deliveryIdParams,
    responses: { 202: { description: 'Queued again', schema: dataOf(deliveryAnswer), example: { data: { ...delivery, status: 'pending' } } } },
    errors: [...ADMIN_ERRORS, 404, 409],
  },
  {
    operationId: 'markUnconfirmedDelivered',
    method: 'post',
    path: '/deliveries/:id/mark-delivered',
    tag: 'deliveries',
    access: 'admin',
    summary: 'Decide an unconfirmed delivery: the tracker did record it, so mark it delivered without sending',
    description: 'Only for a delivery whose status is `unconfirmed`; any other answers 409 ERR_PB_NOT_UNCONFIRMED and nothing changes.',
    params: deliveryIdParams,
    responses: { 200: { description: 'Marked delivered', schema: dataOf(deliveryAnswer), example: { data: delivery } } },
    errors: [...ADMIN_ERRORS, 404, 409],
  },
] as const satisfies readonly RouteContract[];
