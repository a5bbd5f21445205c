// The event API's routes: three POSTs, one per inbound event.

import { adjustmentSchema, commissionSchema, leadSchema } from '../events/schemas.js';
import { adjustmentAnswer, commissionAnswer, dataOf, leadAnswer } from './answers.js';
import type { RouteContract } from './route.js';

const EVENT_ERRORS = [400, 401, 403, 409, 413, 415, 422, 429, 500, 503] as const;
const REPLAYED = { 'Idempotent-Replayed': '`true` when this id was recorded before with the same body and nothing new happened' };

export const eventRoutes = [
  {
    operationId: 'recordLead',
    method: 'post',
    path: '/events/leads',
    tag: 'events',
    access: 'events',
    summary: 'Record a lead (a form fill) and queue its lead_created postbacks',
    description: 'Idempotent by `id`: a repeat with the same body answers like the first time; with another body, 409.',
    body: { schema: leadSchema, example: { id: 'L-1001', clickId: 'a1b2c3d4', affiliateId: 'aff-7', offerId: 'offer-3', sub1: 'spring', occurredAt: '2026-12-01T10:00:00Z' } },
    responses: {
      201: {
        description: 'Recorded (or replayed)',
        schema: dataOf(leadAnswer),
        headers: REPLAYED,
        example: { data: { id: 'L-1001', clickId: 'a1b2c3d4', affiliateId: 'aff-7', offerId: 'offer-3', sub1: 'spring', sub2: null, sub3: null, sub4: null, sub5: null, source: 'api', occurredAt: '2026-12-01T10:00:00.000Z', recordedAt: '2026-12-01T10:00:01.000Z' } },
      },
    },
    errors: EVENT_ERRORS,
  },
  {
    operationId: 'recordCommission',
    method: 'post',
    path: '/events/commissions',
    tag: 'events',
    access: 'events',
    summary: 'Record a commission on a recorded lead and queue its commission_earned postbacks',
    body: { schema: commissionSchema, example: { id: 'C-2001', leadId: 'L-1001', amount: '12.50', currency: 'USD', occurredAt: '2026-12-02T09:30:00Z' } },
    responses: {
      201: {
        description: 'Recorded (or replayed)',
        schema: dataOf(commissionAnswer),
        headers: REPLAYED,
        example: { data: { id: 'C-2001', leadId: 'L-1001', amount: '12.5', currency: 'USD', occurredAt: '2026-12-02T09:30:00.000Z', recordedAt: '2026-12-02T09:30:00.120Z' } },
      },
    },
    errors: EVENT_ERRORS,
  },
  {
    operationId: 'adjustCommission',
    method: 'post',
    path: '/events/adjustments',
    tag: 'events',
    access: 'events',
    summary: 'Record an adjustment of a commission (exactly one of amount or delta) and queue its commission_adjusted postbacks',
    body: { schema: adjustmentSchema, example: { id: 'A-3001', commissionId: 'C-2001', delta: '-2.50', reason: 'partial refund' } },
    responses: {
      201: {
        description: 'Recorded (or replayed)',
        schema: dataOf(adjustmentAnswer),
        headers: REPLAYED,
        example: { data: { id: 'A-3001', commissionId: 'C-2001', delta: '-2.5', amountBefore: '12.5', amountAfter: '10', currency: 'USD', reason: 'partial refund', occurredAt: '2026-12-03T08:00:00.000Z', recordedAt: '2026-12-03T08:00:00.000Z' } },
      },
    },
    errors: EVENT_ERRORS,
  },
] as const satisfies readonly RouteContract[];
