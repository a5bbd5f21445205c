// The tables through which the fleet shares each tracker host's cap and breaker: slots taken, renewed, lost to
// another instance once their lease ends and given back; a breaker opened, probed by one instance only, closed.

import { expect } from 'chai';
import { KnexHostSlotsStore } from '../../lib/store/host-slots-store.js';
import { KnexTrackerHostsStore } from '../../lib/store/tracker-hosts-store.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { tableNames } from '../../lib/store/tables.js';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, 0) + ms);

describeEachDatabase('host slots and breakers in the database', (target) => {
  let fx: RelayFixture;
  let slots: KnexHostSlotsStore;
  let hosts: KnexTrackerHostsStore;
  before(async () => {
    fx = await startRelay(target, { start: false });
    slots = new KnexHostSlotsStore(fx.relay.knex, tableNames(fx.prefix));
    hosts = new KnexTrackerHostsStore(fx.relay.knex, tableNames(fx.prefix));
  });
  after(async () => {
    await fx.close();
  });

  it('grants each slot of a host to one owner at a time, up to the cap, and lets it go when given back', async () => {
    const host = 'tracker-a.example:443';
    expect(await slots.take(host, 4, 'owner-a', 3, at(30_000), at(0))).to.equal(3);
    expect(await slots.take(host, 4, 'owner-b', 3, at(30_000), at(0)), 'only one left').to.equal(1);
    expect(await slots.take(host, 4, 'owner-c', 1, at(30_000), at(0))).to.equal(0);
    expect(await slots.held('owner-a', at(0))).to.deep.equal(new Map([[host, 3]]));
    expect(await slots.give('owner-a', host, 1)).to.equal(1);
    expect(await slots.held('owner-a', at(0))).to.deep.equal(new Map([[host, 2]]));
    expect(await slots.take(host, 4, 'owner-c', 2, at(30_000), at(0)), 'the slot given back').to.equal(1);
    expect(await slots.give('owner-b', host, 2), 'only the one it holds').to.equal(1);
    expect(await slots.giveAll('owner-a')).to.equal(2);
    expect(await slots.held('owner-a', at(0))).to.deep.equal(new Map());
    expect(await slots.giveAll('owner-c')).to.equal(1);
  });

  it('renews only what the owner still holds: a slot whose lease ended may be taken by another, and is then lost', async () => {
    const host = 'tracker-b.example:443';
    expect(await slots.take(host, 2, 'owner-a', 2, at(1_000), at(0))).to.equal(2);
    expect(await slots.take(host, 2, 'owner-b', 2, at(31_000), at(1_000)), 'both leases ended at 1 s').to.equal(2);
    expect(await slots.renew('owner-a', [host], at(60_000)), 'nothing of owner-a left to renew').to.equal(0);
    expect(await slots.renew('owner-b', [host], at(60_000))).to.equal(2);
    expect(await slots.held('owner-b', at(59_000))).to.deep.equal(new Map([[host, 2]]));
    expect(await slots.held('owner-b', at(60_000)), 'a lease ending now is not held').to.deep.equal(new Map());
    await slots.giveAll('owner-b');
  });

  it('never grants more than the cap to owners taking at the same moment', async () => {
    const host = 'tracker-c.example:443';
    const owners = Array.from({ length: 8 }, (_, i) => `owner-${i}`);
    const taken = await Promise.all(owners.map((owner) => slots.take(host, 4, owner, 2, at(30_000), at(0))));
    expect(taken.reduce((sum, n) => sum + n, 0)).to.equal(4);
    const held = await Promise.all(owners.map((owner) => slots.held(owner, at(0))));
    expect(held.reduce((sum, map) => sum + (map.get(host) ?? 0), 0)).to.equal(4);
    for (const owner of owners) await slots.giveAll(owner);
  });

  it('shares an open breaker; once it cools down exactly one instance gets the probe; a success closes it for all', async () => {
    const host = 'tracker-d.example:443';
    expect(await hosts.read(at(0))).to.deep.equal([]);
    await hosts.open(host, at(30_000));
    expect(await hosts.read(at(0))).to.deep.equal([{ host, openUntil: at(30_000), probeOwner: null, wantedUntil: null }]);
    expect(await hosts.takeProbe(host, 'owner-a', at(10_000), at(40_000)), 'still cooling down').to.equal(false);
    const probes = await Promise.all(['owner-a', 'owner-b', 'owner-c'].map((owner) => hosts.takeProbe(host, owner, at(30_000), at(60_000))));
    expect(probes.filter(Boolean)).to.have.length(1);
    const prober = ['owner-a', 'owner-b', 'owner-c'][probes.indexOf(true)];
    expect((await hosts.read(at(31_000)))[0]?.probeOwner).to.equal(prober);
    expect(await hosts.takeProbe(host, 'owner-x', at(61_000), at(90_000)), 'a probe whose instance never reported lapses').to.equal(true);
    await hosts.open(host, at(120_000));
    expect(await hosts.read(at(100_000)), 'opened again: the probe right is gone').to.deep.equal([{ host, openUntil: at(120_000), probeOwner: null, wantedUntil: null }]);
    await hosts.close(host);
    expect(await hosts.read(at(100_000))).to.deep.equal([]);
    expect(await hosts.takeProbe(host, 'owner-a', at(130_000), at(160_000)), 'no probe of a closed breaker').to.equal(false);
  });

  it('lists a host an instance waits for until the wait ends', async () => {
    const host = 'tracker-e.example:443';
    await hosts.want(host, at(20_000));
    expect(await hosts.read(at(10_000))).to.deep.equal([{ host, openUntil: null, probeOwner: null, wantedUntil: at(20_000) }]);
    expect(await hosts.read(at(20_000))).to.deep.equal([]);
  });
});
