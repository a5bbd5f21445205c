// POST endpoints for the three inbound events. A repeat answers exactly like the first time.

import { Router } from 'express';
import type { Response } from 'express';
import type { EventRecorder } from '../events/recorder.js';
import type { Recorded } from '../events/types.js';

function answer<T>(res: Response, recorded: Recorded<T>): void {
  res.status(201).set('Idempotent-Replayed', String(recorded.replayed)).json({ data: recorded.record });
}

/** `POST /leads`, `POST /commissions`, `POST /adjustments`. */
export function createEventsRouter(recorder: EventRecorder): Router {
  const router = Router();
  router.post('/leads', async function leadCreated(req, res) {
    answer(res, await recorder.recordLead(req.body));
  });
  router.post('/commissions', async function commissionEarned(req, res) {
    answer(res, await recorder.recordCommission(req.body));
  });
  router.post('/adjustments', async function commissionAdjusted(req, res) {
    answer(res, await recorder.adjustCommission(req.body));
  });
  return router;
}
