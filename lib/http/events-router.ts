// POST endpoints for the three inbound events. A repeat answers exactly like the first time.

import type { RequestHandler, Response, Router } from 'express';
import type { EventRecorder } from '../events/recorder.js';
import type { Recorded } from '../events/types.js';

function answer<T>(res: Response, recorded: Recorded<T>): void {
  res.status(201).set('Idempotent-Replayed', String(recorded.replayed)).json({ data: recorded.record });
}

/**
 * `POST /events/leads`, `/events/commissions`, `/events/adjustments`, each behind `guard`. Registered on the
 * relay's own router rather than a nested one: the hottest routes skip a router's prefix matching and restoring.
 */
export function addEventRoutes(router: Router, recorder: EventRecorder, guard: RequestHandler): void {
  router.post('/events/leads', guard, async function leadCreated(req, res) {
    answer(res, await recorder.recordLead(req.body));
  });
  router.post('/events/commissions', guard, async function commissionEarned(req, res) {
    answer(res, await recorder.recordCommission(req.body));
  });
  router.post('/events/adjustments', guard, async function commissionAdjusted(req, res) {
    answer(res, await recorder.adjustCommission(req.body));
  });
}
