// The dispatcher with a fake outbox and client: attempts recorded in batches, stop() waiting for them, and no lost wake-up.

import { expect } from 'chai';
import { dispatcherSettings } from '../helpers/dispatcher.js';
import { fakeHostSharing } from '../helpers/host-stores.js';
import { builtinPlugins } from '../../plugins/builtin.js';
import { Dispatcher } from '../../lib/dispatch/dispatcher.js';
import type { PostbackClient } from '../../lib/dispatch/http-client.js';
import { sampleDelivery } from '../../lib/dispatch/send-test.js';
import type { Endpoint } from '../../lib/endpoints/types.js';
import { silentLogger } from '../../lib/log.js';
import type { AttemptObservation } from '../../lib/metrics/instrumentation.js';
import { createPluginRegistry } from '../../lib/plugins/registry.js';
import type { Completion } from '../../lib/store/completions.js';
import type { OutboxStore } from '../../lib/store/outbox-store.js';
import { poll } from '../helpers/poll.js';

const now = new Date('2026-12-01T10:00:00Z');
const endpoint: Endpoint = {
  id: '7', affiliateId: 'aff-1', offerId: null, name: null, plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb?txid={transaction_id}' },
  events: ['lead_created'], enabled: true, adjustmentMode: null, createdAt: now, updatedAt: now,
};
const claimed = ['1', '2', '3'].map((pk) => ({ ...sampleDelivery(endpoint, 'lead_created', now), pk }));

// The first claim takes `first`, later ones whatever was queued since; every write waits for `releaseWrites`.
function fakeOutbox(first = claimed) {
  const queued: typeof claimed = [];
  const writes: Completion[][] = [];
  const released: string[] = [];
  let releaseWrites: () => void = () => undefined;
  const writesMayFinish = new Promise<void>((resolve) => (releaseWrites = resolve));
  let firstWrite: () => void = () => undefined;
  const written = new Promise<void>((resolve) => (firstWrite = resolve));
  let claims = 0;
  const outbox = {
    claim: () => Promise.resolve(claims++ === 0 ? first : queued.splice(0)),
    nextDueAt: (): Promise<Date | undefined> => Promise.resolve(undefined),
    async completeMany(completions: readonly Completion[]) {
      writes.push([...completions]);
      firstWrite();
      await writesMayFinish;
      return { disabled: [], stale: [], windowError: undefined };
    },
    release(held: ReadonlyArray<{ pk: string }>) {
      released.push(...held.map((h) => h.pk));
      return Promise.resolve(held.length);
    },
    renew: (held: ReadonlyArray<{ pk: string }>) => Promise.resolve(held.map((h) => h.pk)),
  };
  return { outbox: outbox as unknown as OutboxStore, fake: outbox, queued, writes, released, written, releaseWrites };
}

const sent: string[] = [];
const client: PostbackClient = {
  send: (request) => {
    sent.push(request.url);
    return Promise.resolve({ ok: true, statusCode: 200, bodyExcerpt: 'OK', retryAfter: null });
  },
  close: () => undefined,
};

function dispatcherWith(outbox: OutboxStore, onAttempt: (attempt: AttemptObservation) => void = () => undefined): Dispatcher {
  return new Dispatcher({
    outbox,
    plugins: createPluginRegistry(builtinPlugins()),
    client,
    logger: silentLogger,
    onAttempt,
    settings: dispatcherSettings(),
    hostSharing: fakeHostSharing(),
  });
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('dispatcher (fake outbox and client)', () => {
  it('records the attempts that finish together in one write, and reports each to onAttempt once it is written', async () => {
    const fake = fakeOutbox();
    const seen: string[] = [];
    const dispatcher = dispatcherWith(fake.outbox, (attempt) => seen.push(attempt.delivery));
    dispatcher.start();
    await fake.written;
    expect(fake.writes).to.have.length(1);
    expect(fake.writes[0]?.map((c) => [c.pk, c.outcome.status, c.outcome.statusCode])).to.deep.equal([['1', 'delivered', 200], ['2', 'delivered', 200], ['3', 'delivered', 200]]);
    expect(fake.writes[0]?.[0]?.outcome.url).to.equal(`http://127.0.0.1:9/pb?txid=lead-${claimed[0]?.lead.id ?? ''}`);
    expect(seen).to.deep.equal([]);
    fake.releaseWrites();
    await dispatcher.stop();
    expect(seen.sort()).to.deep.equal(['1', '2', '3']);
  });

  it('does not return from stop() before every finished attempt is written, and gives back no lease of a recorded delivery', async () => {
    const fake = fakeOutbox();
    const dispatcher = dispatcherWith(fake.outbox, () => undefined);
    dispatcher.start();
    await fake.written;
    let stopped = false;
    const stopping = dispatcher.stop().then(() => (stopped = true));
    await turns(20);
    expect(stopped).to.equal(false);
    fake.releaseWrites();
    await stopping;
    expect(fake.writes.flat().map((c) => c.pk).sort()).to.deep.equal(['1', '2', '3']);
    expect(fake.released).to.deep.equal([]);
  });

  it('claims again at once for a wake that arrives while it plans its next poll, not a poll later', async () => {
    // Nothing in flight, so no finished attempt wakes the dispatcher either: only the notify() below can.
    const fake = fakeOutbox([]);
    fake.releaseWrites();
    let planning: () => void = () => undefined;
    const planned = new Promise<void>((resolve) => (planning = resolve));
    let answer: (due: Date | undefined) => void = () => undefined;
    // Only the first plan is held open; later ones answer at once.
    fake.fake.nextDueAt = () => {
      planning();
      fake.fake.nextDueAt = () => Promise.resolve(undefined);
      return new Promise((resolve) => (answer = resolve));
    };
    const dispatcher = dispatcherWith(fake.outbox);
    sent.length = 0;
    dispatcher.start();
    await planned;
    // An event committed now: its postback must go without waiting the idle poll (a minute here).
    fake.queued.push({ ...sampleDelivery(endpoint, 'lead_created', now), pk: '4', lead: { ...sampleDelivery(endpoint, 'lead_created', now).lead, id: 'late' } });
    dispatcher.notify();
    answer(undefined);
    for (let i = 0; i < 50 && !sent.some((url) => url.endsWith('lead-late')); i++) await turns(1);
    expect(sent.filter((url) => url.endsWith('lead-late'))).to.have.length(1);
    await dispatcher.stop();
  });

  it('puts off claimed postbacks waiting for a slot that never comes (a take of host slots that hangs), so any instance may claim them', async () => {
    const fake = fakeOutbox();
    fake.releaseWrites();
    const postponed: string[] = [];
    const outbox = Object.assign(fake.fake, {
      postpone(held: ReadonlyArray<{ pk: string }>) {
        postponed.push(...held.map((h) => h.pk));
        return Promise.resolve([]);
      },
    });
    const sharing = fakeHostSharing();
    let answerTake: () => void = () => undefined;
    const takeAnswered = new Promise<void>((resolve) => (answerTake = resolve));
    // The database never answers the take, until the test is done: the guard keeps promising a slot.
    sharing.stores.slots.take = async () => {
      await takeAnswered;
      return 0;
    };
    sent.length = 0;
    const dispatcher = new Dispatcher({
      outbox: outbox as unknown as OutboxStore,
      plugins: createPluginRegistry(builtinPlugins()),
      client,
      logger: silentLogger,
      settings: dispatcherSettings({ requestTimeoutMs: 100 }),
      hostSharing: sharing,
    });
    dispatcher.start();
    try {
      await poll(() => postponed.length, (n) => n === 3, 'the three postbacks put off');
      expect(postponed.sort()).to.deep.equal(['1', '2', '3']);
      expect(sent).to.deep.equal([]);
    } finally {
      answerTake();
      await dispatcher.stop();
    }
  });
});
