// The operations API over the delivery log: search, inspect, replay, and the outbox signals.

import { Router } from 'express';
import type { DeliveryService } from '../deliveries/service.js';
import { DELIVERY_STATUSES } from '../deliveries/types.js';
import { object, oneOf, optional, pageLimit, required, text, timestamp } from '../validation.js';

const id = optional(text({ max: 191 }));
const time = optional(timestamp);
const status = optional(oneOf(DELIVERY_STATUSES));
const endpointId = required(text({ max: 19, pattern: /^\d+$/, patternHint: 'an endpoint id' }));
const replayFailedBody = object({ endpointId, since: optional(timestamp) });
const testBody = object({ endpointId });

/**
 * `GET /deliveries?leadId&clickId&endpointId&status&since&until&limit`, `GET /deliveries/stats`,
 * `GET /deliveries/:id`, `POST /deliveries/:id/replay`, `POST /deliveries/replay-failed`, `POST /deliveries/test`,
 * and the decisions on an unconfirmed delivery: `POST /deliveries/:id/send-again`, `POST /deliveries/:id/mark-delivered`.
 */
export function createDeliveriesRouter(deliveries: DeliveryService): Router {
  const router = Router();
  router.get('/', async function listDeliveries(req, res) {
    const q = req.query;
    res.json({
      data: await deliveries.list({
        leadId: id(q.leadId, 'leadId'),
        clickId: optional(text({ max: 255 }))(q.clickId, 'clickId'),
        endpointId: id(q.endpointId, 'endpointId'),
        status: status(q.status, 'status'),
        since: time(q.since, 'since'),
        until: time(q.until, 'until'),
        limit: pageLimit(q.limit, 'limit'),
      }),
    });
  });
  router.get('/stats', async function outboxStats(_req, res) {
    res.json({ data: await deliveries.stats() });
  });
  router.post('/replay-failed', async function replayFailed(req, res) {
    const body = replayFailedBody(req.body ?? {}, '');
    res.json({ data: { replayed: await deliveries.replayFailed(body.endpointId, body.since) } });
  });
  router.post('/test', async function sendTestPostback(req, res) {
    const body = testBody(req.body ?? {}, '');
    res.json({ data: await deliveries.sendTest(body.endpointId) });
  });
  router.get('/:id', async function getDelivery(req, res) {
    res.json({ data: await deliveries.get(req.params.id) });
  });
  router.post('/:id/replay', async function replayDelivery(req, res) {
    res.status(202).json({ data: await deliveries.replay(req.params.id) });
  });
  router.post('/:id/send-again', async function sendUnconfirmedAgain(req, res) {
    res.status(202).json({ data: await deliveries.decide(req.params.id, 'send-again') });
  });
  router.post('/:id/mark-delivered', async function markUnconfirmedDelivered(req, res) {
    res.json({ data: await deliveries.decide(req.params.id, 'mark-delivered') });
  });
  return router;
}
