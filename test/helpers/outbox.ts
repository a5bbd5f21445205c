// Waiting on the outbox itself: the only positive signal that every postback is sent AND its attempt recorded.

import type { PostbackRelay } from '../../lib/relay.js';
import type { OutboxStats } from '../../lib/store/outbox-store.js';
import { poll } from './poll.js';

/**
 * Polls `relay.deliveries.stats()` until `done` holds, and returns those stats; throws with the last ones after
 * `timeoutMs`. A tracker having seen every postback is not enough: attempts are written in batches after the
 * request, so the outbox can still show some pending for a moment.
 */
export async function waitForOutbox(relay: PostbackRelay, done: (stats: OutboxStats) => boolean, timeoutMs: number): Promise<OutboxStats> {
  return poll(() => relay.deliveries.stats(), done, 'the outbox settling', timeoutMs);
}
