// POST endpoints for the three inbound events. A repeat answers exactly like the first time.

import type { RequestHandler, Response, Router } from 'express';
import { eventRoutes } from '../contract/event-routes.js';
import { mountRoutes } from '../contract/route.js';
import type { EventRecorder } from '../events/recorder.js';
import type { Recorded } from '../events/types.js';

function answer<T>(res: Response, recorded: Recorded<T>): void {
  res.status(201).set('Idempotent-Replayed', String(recorded.replayed)).json({ data: recorded.record });
}

/**
 * The routes of {@link eventRoutes}, each behind `guard`. Registered on the relay's own router rather than a nested
 * one: the hottest routes skip a router's prefix matching and restoring. The recorder validates each body.
 */
export function addEventRoutes(router: Router, recorder: EventRecorder, guard: RequestHandler): void {
  mountRoutes(
    router,
    eventRoutes,
    {
      async recordLead(req, res) {
        answer(res, await recorder.recordLead(req.body));
      },
      async recordCommission(req, res) {
        answer(res, await recorder.recordCommission(req.body));
      },
      async adjustCommission(req, res) {
        answer(res, await recorder.adjustCommission(req.body));
      },
    },
    { guard },
  );
}
