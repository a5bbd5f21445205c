// The delivery log as the API shows it: one delivery per postback, with every attempt made for it.

import type { FailureKind } from '../dispatch/failure-kind.js';
import type { EventName } from '../events/types.js';

/**
 * `pending` until a 2xx (`delivered`); `failed` is a dead letter that is no longer retried; `skipped` was never
 * sent because the tracker cannot take it correctly (the reason is the attempt's `error`); `unconfirmed` may have
 * reached a tracker that dedupes by nothing (a timeout or a 5xx after it was sent), so it is not sent again
 * blindly: it waits for an operator to send it again or mark it delivered.
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped' | 'unconfirmed';

/** Every delivery status, for validation and listings. */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'skipped', 'unconfirmed'] as const satisfies readonly DeliveryStatus[];

/** What an operator decides for an `unconfirmed` delivery. */
export type UnconfirmedDecision = 'send-again' | 'mark-delivered';

/** One request made for a delivery. */
export interface DeliveryAttempt {
  attemptedAt: Date;
  method: string;
  url: string;
  /** The tracker's HTTP status, or null when no response came (refused, timed out). */
  statusCode: number | null;
  latencyMs: number;
  /** What went wrong, when something did. */
  error: string | null;
  /** The start of the tracker's answer. */
  responseExcerpt: string | null;
  /** Whether a failed attempt may have reached the tracker; null when delivered or skipped. */
  failureKind: FailureKind | null;
}

/** One postback to one endpoint for one event. */
export interface Delivery {
  id: string;
  endpointId: string;
  event: EventName;
  leadId: string;
  commissionId: string | null;
  adjustmentId: string | null;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  attempts: DeliveryAttempt[];
}
