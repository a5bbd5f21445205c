// Delivery test helpers: a relay with one endpoint on a fresh tracker, and polling the delivery log.

import { expect } from 'chai';
import request from 'supertest';
import type { Delivery } from '../../lib/deliveries/types.js';
import type { PostbackRelayOptions } from '../../lib/options.js';
import type { DatabaseTarget } from './databases.js';
import { auth, startRelay } from './relay.js';
import type { RelayFixture } from './relay.js';
import { startTestTracker } from './tracker.js';

/** Polls the relay until `check` accepts the lead's deliveries. */
export async function waitForDeliveries(fx: RelayFixture, leadId: string, check: (list: Delivery[]) => boolean, timeoutMs = 8000): Promise<Delivery[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await fx.relay.deliveries.listForLead(leadId);
    if (check(list)) return list;
    if (Date.now() > deadline) throw new Error(`deliveries never reached the expected state: ${JSON.stringify(list.map((d) => [d.status, d.attemptCount]))}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts a tracker and a relay with `dispatch` options, and creates one generic endpoint on the tracker. */
export async function relayWithTracker(target: DatabaseTarget, dispatch: PostbackRelayOptions['dispatch']) {
  const tracker = await startTestTracker();
  const fx = await startRelay(target, { relay: { dispatch: { idlePollMs: 20, ...dispatch } } });
  const created = await request(fx.app)
    .post('/postbacks/endpoints')
    .set(auth)
    .send({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `${tracker.origin}/pb?cid={click_id}&et={event}&txid={transaction_id}` } });
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  return { tracker, fx, endpointId: (created.body as { data: { id: string } }).data.id };
}
