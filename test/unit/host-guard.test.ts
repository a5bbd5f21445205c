// The host guard and its keeper over in-memory tables: slots taken before a request goes, a slot lease too short
// for a request left unused, a fair share while another instance waits, slots given back when idle and at stop.

import { expect } from 'chai';
import { HostGuard } from '../../lib/dispatch/host-guard.js';
import type { HostGuardSettings } from '../../lib/dispatch/host-guard.js';
import { HostShare } from '../../lib/dispatch/host-share.js';
import { silentLogger } from '../../lib/log.js';
import { FakeHostSlotsStore, FakeTrackerHostsStore } from '../helpers/host-stores.js';
import { poll } from '../helpers/poll.js';

const HOST = 'tracker.example:443';
const SETTINGS: HostGuardSettings = { maxPerHost: 4, breakerThreshold: 2, breakerCooldownMs: 60_000, busyDelayMs: 20 };

/** One instance: its guard and keeper over the shared fake tables; `woken` counts wake-ups per host. */
function instance(owner: string, stores: { slots: FakeHostSlotsStore; hosts: FakeTrackerHostsStore }, options: { fleetSize?: number; leaseMs?: number; requestTimeoutMs?: number } = {}) {
  const woken: string[] = [];
  const guard: HostGuard = new HostGuard(SETTINGS, {
    requestTimeoutMs: options.requestTimeoutMs ?? 100,
    fleetSize: () => options.fleetSize ?? 1,
    onChores: () => {
      share.kick();
    },
    onWake: (host) => woken.push(host),
  });
  const share: HostShare = new HostShare({ guard, stores, logger: silentLogger, settings: { owner, leaseMs: options.leaseMs ?? 60_000, syncMs: 20, maxPerHost: SETTINGS.maxPerHost } });
  return { guard, share, woken };
}

const shared = () => ({ slots: new FakeHostSlotsStore(), hosts: new FakeTrackerHostsStore() });

describe('host guard and keeper (in-memory tables)', () => {
  const running: HostShare[] = [];
  afterEach(async () => {
    for (const share of running.splice(0)) await share.stop();
  });

  it('lets a request go only on a slot taken from the fleet, and wakes a waiting postback when it comes', async () => {
    const stores = shared();
    const a = instance('a', stores);
    running.push(a.share);
    expect(a.guard.enter(HOST, Date.now()), 'no slot held yet: wait in memory for the one being taken').to.deep.include({ open: false, soon: true });
    await poll(() => a.woken.length, (n) => n > 0, 'a wake-up once the slots are taken');
    expect(stores.slots.inUse(HOST)).to.equal(4);
    for (let i = 0; i < 4; i++) expect(a.guard.enter(HOST, Date.now())).to.equal(undefined);
    expect(a.guard.enter(HOST, Date.now()), 'the cap').to.deep.include({ open: false, soon: true });
  });

  it('does not use a slot whose lease could run out before a request ends', async () => {
    const a = instance('a', shared(), { leaseMs: 150, requestTimeoutMs: 100 });
    running.push(a.share);
    a.guard.enter(HOST, Date.now());
    await poll(() => a.woken.length, (n) => n > 0, 'the slots taken');
    expect(a.guard.enter(HOST, Date.now() + 60), 'a lease that ends 90 ms on, within the request timeout').to.not.equal(undefined);
  });

  it('keeps to an even share while another instance waits, giving back each slot as its request ends', async () => {
    const stores = shared();
    const a = instance('a', stores, { fleetSize: 2 });
    const b = instance('b', stores, { fleetSize: 2 });
    running.push(a.share, b.share);
    a.share.start();
    a.guard.enter(HOST, Date.now());
    await poll(() => a.woken.length, (n) => n > 0, 'the first instance holding the slots');
    for (let i = 0; i < 4; i++) expect(a.guard.enter(HOST, Date.now())).to.equal(undefined);
    expect(b.guard.enter(HOST, Date.now())).to.not.equal(undefined);
    await poll(() => stores.hosts.calls.includes('want'), Boolean, 'the second instance saying it waits');
    // The first instance learns of the wait at its next read; then each request that ends gives its slot back, down to 2.
    await poll(() => stores.hosts.calls.filter((call) => call === 'read').length, (n) => n >= 3, 'the first instance reading the fleet');
    for (let i = 0; i < 2; i++) a.guard.leave(HOST, true, Date.now());
    await poll(() => stores.slots.inUse(HOST), (n) => n === 2, 'two slots given back');
    b.share.start();
    await poll(() => (b.guard.enter(HOST, Date.now()) === undefined ? 1 : 0), (n) => n === 1, 'the second instance sending on a slot of its own');
    expect(stores.slots.inUse(HOST)).to.be.at.most(4);
  });

  it('gives back slots unused for a while, and every slot at stop', async () => {
    const stores = shared();
    const a = instance('a', stores);
    a.share.start();
    a.guard.enter(HOST, Date.now());
    await poll(() => a.woken.length, (n) => n > 0, 'the slots taken');
    expect(a.guard.enter(HOST, Date.now())).to.equal(undefined);
    // Refused once (above), so kept a moment; then the three never used go back, the one in flight stays.
    await poll(() => stores.slots.inUse(HOST), (n) => n === 1, 'unused slots given back');
    await a.share.stop();
    expect(stores.slots.inUse(HOST)).to.equal(0);
  });

  it('opens the breaker for every instance once one sees it fail, and lets only the instance granted the probe send', async () => {
    const stores = shared();
    const a = instance('a', stores);
    const b = instance('b', stores);
    running.push(a.share, b.share);
    a.guard.enter(HOST, Date.now());
    await poll(() => a.woken.length, (n) => n > 0, 'the slots taken');
    for (let i = 0; i < 2; i++) expect(a.guard.enter(HOST, Date.now())).to.equal(undefined);
    for (let i = 0; i < 2; i++) a.guard.leave(HOST, false, Date.now());
    expect(a.guard.openHosts()).to.deep.equal([HOST]);
    b.share.start();
    await poll(() => b.guard.openHosts(), (hosts) => hosts.includes(HOST), 'the other instance following the open breaker');
    expect(b.guard.enter(HOST, Date.now())).to.deep.include({ open: true, soon: false });

    // The cooldown ends (the shared row says so): both want the probe, the table grants it to one, and only that one sends.
    const ended = Date.now() - 1;
    const row = stores.hosts.rows.get(HOST);
    if (row) row.openUntil = ended;
    for (const { guard } of [a, b]) guard.shared([{ host: HOST, openUntil: ended, probeMine: false, wanted: false }]);
    const through = await poll(() => [a, b].map(({ guard }) => guard.enter(HOST, Date.now()) === undefined), (passed) => passed.includes(true), 'the probe going out');
    expect(through.filter(Boolean), 'one probe in the fleet').to.have.length(1);
    expect(stores.hosts.calls.filter((call) => call === 'takeProbe').length, 'both asked for it').to.be.at.least(2);
    for (const { guard } of [a, b]) expect(guard.enter(HOST, Date.now()), 'nothing else while the probe is out').to.deep.include({ open: true });
  });

  it('wakes the host\'s postbacks when the fleet grants it the probe of a half-open breaker, not at the next idle poll', () => {
    const woken: string[] = [];
    const guard = new HostGuard(SETTINGS, { requestTimeoutMs: 100, fleetSize: () => 1, onChores: () => undefined, onWake: (host) => woken.push(host) });
    guard.shared([{ host: HOST, openUntil: Date.now() - 1, probeMine: false, wanted: false }]);
    expect(guard.enter(HOST, Date.now()), 'the first postback asks for the probe').to.deep.include({ open: true });
    expect(guard.chores(Date.now(), false).probes).to.deep.equal([HOST]);
    expect(woken).to.deep.equal([]);
    guard.probeAnswered(HOST, true, Date.now());
    expect(woken).to.deep.equal([HOST]);
  });
});
