// Faults isolated: a plugin hook, the logger or the metrics hook that throws costs one attempt at most, never the process.

import { expect } from 'chai';
import { dispatcherSettings } from '../helpers/dispatcher.js';
import { fakeHostSharing } from '../helpers/host-stores.js';
import { Dispatcher } from '../../lib/dispatch/dispatcher.js';
import type { PostbackClient } from '../../lib/dispatch/http-client.js';
import { sampleDelivery } from '../../lib/dispatch/send-test.js';
import type { Endpoint } from '../../lib/endpoints/types.js';
import type { Logger } from '../../lib/log.js';
import { silentLogger } from '../../lib/log.js';
import type { AttemptObservation } from '../../lib/metrics/instrumentation.js';
import { createPluginRegistry } from '../../lib/plugins/registry.js';
import type { FormatterPlugin } from '../../lib/plugins/types.js';
import type { Completion } from '../../lib/store/completions.js';
import type { ClaimedDelivery, OutboxStore } from '../../lib/store/outbox-store.js';

const now = new Date('2026-12-01T10:00:00Z');
type Hook = 'format' | 'parseSettings' | 'judgeResponse' | 'secretValues';
const HOOKS: readonly Hook[] = ['format', 'parseSettings', 'judgeResponse', 'secretValues'];

// A plugin that throws in `hook` when the endpoint's settings name it, and behaves otherwise.
const faulty: FormatterPlugin = {
  name: 'faulty',
  apiVersion: 1,
  adjustments: 'unsupported',
  parseSettings(settings) {
    if (settings.throwIn === 'parseSettings') throw new Error('boom in parseSettings');
    return settings;
  },
  format(context, settings) {
    if ((settings as { throwIn?: string }).throwIn === 'format') throw new Error('boom in format');
    return { method: 'GET', url: `http://127.0.0.1:9/pb?txid=${context.transactionId}&token=s3cret` };
  },
  judgeResponse(response) {
    if (response.bodyExcerpt === 'judge-me') throw new Error('boom in judgeResponse');
    return null;
  },
  secretValues(settings) {
    if (settings.throwIn === 'secretValues') throw new Error('boom in secretValues');
    return ['s3cret'];
  },
};

const endpointThrowingIn = (hook: Hook | 'none', id: string): Endpoint => ({
  id, affiliateId: 'aff-1', offerId: null, name: null, plugin: 'faulty', settings: { throwIn: hook },
  events: ['lead_created'], enabled: true, adjustmentMode: null, createdAt: now, updatedAt: now,
});

function deliveriesFor(endpoints: readonly Endpoint[]): ClaimedDelivery[] {
  return endpoints.map((endpoint, i) => {
    const sample = sampleDelivery(endpoint, 'lead_created', now);
    return { ...sample, pk: String(i + 1), leaseToken: 'token', lead: { ...sample.lead, id: `lead-${endpoint.id}` } };
  });
}

// An outbox that hands out `claimed` once and resolves `done` once every one of them is recorded.
function fakeOutbox(claimed: readonly ClaimedDelivery[]) {
  const recorded: Completion[] = [];
  let done: () => void = () => undefined;
  const allRecorded = new Promise<void>((resolve) => (done = resolve));
  let claims = 0;
  const outbox = {
    claim: () => Promise.resolve(claims++ === 0 ? [...claimed] : []),
    nextDueAt: () => Promise.resolve(undefined),
    completeMany(completions: readonly Completion[]) {
      recorded.push(...completions);
      if (recorded.length >= claimed.length) done();
      return Promise.resolve({ disabled: [], stale: [], windowError: undefined });
    },
    release: (held: readonly unknown[]) => Promise.resolve(held.length),
    renew: (held: ReadonlyArray<{ pk: string }>) => Promise.resolve(held.map((h) => h.pk)),
    postpone: () => Promise.resolve([]),
  };
  return { outbox: outbox as unknown as OutboxStore, recorded, allRecorded };
}

function dispatcher(outbox: OutboxStore, client: PostbackClient, hooks: { logger?: Logger; onAttempt?: (attempt: AttemptObservation) => void } = {}): Dispatcher {
  return new Dispatcher({
    outbox,
    plugins: createPluginRegistry([faulty]),
    client,
    logger: hooks.logger ?? silentLogger,
    ...(hooks.onAttempt ? { onAttempt: hooks.onAttempt } : {}),
    settings: dispatcherSettings({ retry: { schedule: [1_000], jitter: 0, retryAfterMaxMs: 0 }, hosts: { maxPerHost: 8, breakerThreshold: 100, breakerCooldownMs: 60_000, busyDelayMs: 1_000 } }),
    hostSharing: fakeHostSharing(),
  });
}

// Answers 200 with the body `judge-me` to the endpoint whose judgeResponse is to throw, `OK` to the others.
const client: PostbackClient = {
  send: (request) => Promise.resolve({ ok: true, statusCode: 200, bodyExcerpt: request.url.includes('lead-judge') ? 'judge-me' : 'OK', retryAfter: null }),
  close: () => undefined,
};

describe('dispatcher faults (fake outbox and client)', () => {
  it('records a plugin that throws in any hook as a failed attempt with its error, and delivers the others', async () => {
    const endpoints = [...HOOKS.map((hook) => endpointThrowingIn(hook, hook === 'judgeResponse' ? 'judge' : hook)), endpointThrowingIn('none', 'healthy')];
    const fake = fakeOutbox(deliveriesFor(endpoints));
    const relay = dispatcher(fake.outbox, client);
    relay.start();
    await fake.allRecorded;
    await relay.stop();
    const byEndpoint = new Map(fake.recorded.map((c) => [c.outcome.endpointPk, c.outcome]));
    expect(byEndpoint.get('format')).to.deep.include({ status: 'failed', failureKind: 'unreached', method: '-', statusCode: null });
    expect(byEndpoint.get('format')?.error).to.include('boom in format');
    expect(byEndpoint.get('parseSettings')).to.deep.include({ status: 'failed', failureKind: 'unreached' });
    expect(byEndpoint.get('parseSettings')?.error).to.include('boom in parseSettings');
    // The tracker answered 2xx and may have counted it: not sent again, and marked so.
    expect(byEndpoint.get('judge')).to.deep.include({ status: 'failed', failureKind: 'ambiguous', statusCode: 200 });
    expect(byEndpoint.get('judge')?.error).to.include('boom in judgeResponse');
    // Without the plugin's secrets nothing can be masked, so the log shows none of the request.
    expect(byEndpoint.get('secretValues')).to.deep.include({ status: 'delivered', failureKind: null });
    expect(byEndpoint.get('secretValues')?.url).not.to.include('s3cret');
    expect(byEndpoint.get('healthy')).to.deep.include({ status: 'delivered', failureKind: null });
    expect(byEndpoint.get('healthy')?.url).to.include('token=***').and.not.include('s3cret');
  });

  it('goes on delivering and recording when the logger and the onAttempt hook throw on every call', async () => {
    const throwing = () => {
      throw new Error('host hook broken');
    };
    const logger: Logger = { debug: throwing, info: throwing, warn: throwing, error: throwing };
    const endpoints = [endpointThrowingIn('format', 'format'), endpointThrowingIn('none', 'a'), endpointThrowingIn('none', 'b')];
    const fake = fakeOutbox(deliveriesFor(endpoints));
    let calls = 0;
    const relay = dispatcher(fake.outbox, client, {
      logger,
      onAttempt: () => {
        calls += 1;
        throwing();
      },
    });
    relay.start();
    await fake.allRecorded;
    await relay.stop();
    expect(fake.recorded.map((c) => [c.outcome.endpointPk, c.outcome.status]).sort()).to.deep.equal([['a', 'delivered'], ['b', 'delivered'], ['format', 'failed']]);
    // Each attempt recorded once: a hook failing after the write does not make the writer write it again.
    expect(fake.recorded).to.have.length(3);
    expect(calls).to.equal(3);
  });
});
