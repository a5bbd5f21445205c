// Lease renewal from the dispatcher's side: a delivery queued past its first lease is sent only while renewals succeed.

import { expect } from 'chai';
import { dispatcherSettings } from '../helpers/dispatcher.js';
import { fakeHostSharing } from '../helpers/host-stores.js';
import { builtinPlugins } from '../../plugins/builtin.js';
import { Dispatcher } from '../../lib/dispatch/dispatcher.js';
import type { PostbackClient, SendResult } from '../../lib/dispatch/http-client.js';
import { sampleDelivery } from '../../lib/dispatch/send-test.js';
import type { Endpoint } from '../../lib/endpoints/types.js';
import type { LogFields, Logger } from '../../lib/log.js';
import { createPluginRegistry } from '../../lib/plugins/registry.js';
import type { Completion } from '../../lib/store/completions.js';
import type { HeldDelivery, Lease, OutboxStore } from '../../lib/store/outbox-store.js';
import { poll } from '../helpers/poll.js';

const now = new Date('2026-12-01T10:00:00Z');
const endpoint: Endpoint = {
  id: '7', affiliateId: 'aff-1', offerId: null, name: null, plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb?txid={transaction_id}' },
  events: ['lead_created'], enabled: true, adjustmentMode: null, createdAt: now, updatedAt: now,
};

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  await poll(check, (ok) => ok, what, timeoutMs);
}

// Two deliveries claimed under one lease; one request at a time, the first held open until the test lets it answer.
function scenario(renew: (held: readonly HeldDelivery[]) => Promise<string[]>) {
  const sent: string[] = [];
  const warnings: string[] = [];
  const renewals: number[] = [];
  let answerFirst: () => void = () => undefined;
  const firstAnswered = new Promise<void>((resolve) => (answerFirst = resolve));
  let claimedUntil = 0;
  let claims = 0;
  const completed: Completion[] = [];
  const outbox = {
    claim(_limit: number, lease: Lease) {
      if (claims++ > 0) return Promise.resolve([]);
      claimedUntil = lease.until.getTime();
      return Promise.resolve(['1', '2'].map((pk) => ({ ...sampleDelivery(endpoint, 'lead_created', now), pk, leaseToken: lease.token })));
    },
    nextDueAt: () => Promise.resolve(undefined),
    renew: (held: readonly HeldDelivery[]) => {
      renewals.push(Date.now());
      return renew(held);
    },
    completeMany(completions: readonly Completion[]) {
      completed.push(...completions);
      return Promise.resolve({ disabled: [], stale: [], windowError: undefined });
    },
    release: (held: readonly HeldDelivery[]) => Promise.resolve(held.length),
  };
  const client: PostbackClient = {
    async send(request): Promise<SendResult> {
      sent.push(request.url);
      if (sent.length === 1) await firstAnswered;
      return { ok: true, statusCode: 200, bodyExcerpt: 'OK', retryAfter: null };
    },
    close: () => undefined,
  };
  const warn = (message: string, _fields?: LogFields) => void warnings.push(message);
  const logger: Logger = { debug: () => undefined, info: () => undefined, warn, error: () => undefined };
  const dispatcher = new Dispatcher({
    outbox: outbox as unknown as OutboxStore,
    plugins: createPluginRegistry(builtinPlugins()),
    client,
    logger,
    settings: dispatcherSettings({ concurrency: 1, leaseMs: 300, requestTimeoutMs: 100, stopTimeoutMs: 1_000 }),
    hostSharing: fakeHostSharing(),
  });
  return { dispatcher, sent, warnings, renewals, completed, answerFirst: () => { answerFirst(); }, claimedUntil: () => claimedUntil };
}

describe('dispatcher leases (fake outbox and client)', () => {
  it('renews what it holds, so a delivery queued past its first lease is still sent', async () => {
    const s = scenario((held) => Promise.resolve(held.map((h) => h.pk)));
    s.dispatcher.start();
    await until(() => s.sent.length === 1, 'the first request');
    // Hold the first request until the first lease has run out and a renewal came after that.
    await until(() => s.renewals.some((at) => at > s.claimedUntil()), 'a renewal past the first lease');
    s.answerFirst();
    await until(() => s.completed.length === 2, 'both attempts recorded');
    await s.dispatcher.stop();
    expect(s.sent).to.have.length(2);
  });

  it('does not send a queued delivery whose lease could run out mid-request when renewals fail', async () => {
    const s = scenario(() => Promise.reject(new Error('database away')));
    s.dispatcher.start();
    await until(() => s.sent.length === 1, 'the first request');
    await until(() => Date.now() > s.claimedUntil() - 100, 'the lease to come within one request timeout of its end');
    s.answerFirst();
    await until(() => s.warnings.includes('lease could run out before the request ends: not sent, left for the next claim'), 'the second delivery given up');
    await until(() => s.completed.length === 1, 'the first attempt recorded');
    await s.dispatcher.stop();
    expect(s.sent).to.have.length(1);
    expect(s.completed.map((c) => c.pk)).to.deep.equal(['1']);
  });
});
