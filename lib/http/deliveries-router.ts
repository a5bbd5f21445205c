// The operations API over the delivery log: search, inspect, replay, and the outbox signals.

import { Router } from 'express';
import type { DeliveryService } from '../deliveries/service.js';
import { deliveryListQuery, deliveryRoutes, replayFailedBody, testPostbackBody } from '../contract/delivery-routes.js';
import { mountRoutes } from '../contract/route.js';
import { check } from '../validation.js';

/** The routes of {@link deliveryRoutes}, under `/deliveries`. */
export function createDeliveriesRouter(deliveries: DeliveryService): Router {
  const router = Router();
  mountRoutes(
    router,
    deliveryRoutes,
    {
      async listDeliveries(req, res) {
        res.json({ data: await deliveries.list(check(deliveryListQuery, req.query)) });
      },
      async outboxStats(_req, res) {
        res.json({ data: await deliveries.stats() });
      },
      async replayFailedDeliveries(req, res) {
        const body = check(replayFailedBody, req.body ?? {});
        res.json({ data: { replayed: await deliveries.replayFailed(body.endpointId, body.since) } });
      },
      async sendTestPostback(req, res) {
        const body = check(testPostbackBody, req.body ?? {});
        res.json({ data: await deliveries.sendTest(body.endpointId) });
      },
      async getDelivery(req, res) {
        res.json({ data: await deliveries.get(String(req.params.id)) });
      },
      async replayDelivery(req, res) {
        res.status(202).json({ data: await deliveries.replay(String(req.params.id)) });
      },
      async sendUnconfirmedAgain(req, res) {
        res.status(202).json({ data: await deliveries.decide(String(req.params.id), 'send-again') });
      },
      async markUnconfirmedDelivered(req, res) {
        res.json({ data: await deliveries.decide(String(req.params.id), 'mark-delivered') });
      },
    },
    { prefix: '/deliveries' },
  );
  return router;
}
