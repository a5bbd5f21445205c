// The instances table: instances register and heartbeat, /readyz and the dashboard show the fleet, a dead
// instance's live leases are counted until they run out, stale rows are pruned, and a stopped instance leaves.

import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { PRUNE_AFTER_MS } from '../../lib/fleet/heartbeat.js';
import type { PostbackRelayOptions } from '../../lib/options.js';
import { tableNames } from '../../lib/store/tables.js';
import { MigrationLockedError } from '../../lib/errors.js';
import { openDatabase } from '../../lib/store/database.js';
import { migrateLatest } from '../../lib/store/migrations/index.js';
import { describeEachDatabase, sqliteTarget, uniquePrefix } from '../helpers/databases.js';
import { poll } from '../helpers/poll.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

const FAST = { fleet: { heartbeatMs: 100 }, dispatch: { idlePollMs: 20 } };

describeEachDatabase('the fleet', (target) => {
  let first: RelayFixture;
  let second: RelayFixture | undefined;
  let tracker: TestTracker;

  beforeEach(async () => {
    tracker = await startTestTracker();
    first = await startRelay(target, { relay: FAST });
  });
  afterEach(async () => {
    await second?.close({ drop: false });
    second = undefined;
    await first.close();
    await tracker.close();
  });

  const join = async (relay: Partial<PostbackRelayOptions>) => {
    second = await startRelay(target, { url: first.url, prefix: first.prefix, relay });
    return second;
  };
  const readyz = async (fx: RelayFixture) => {
    const app = express().use(fx.relay.health);
    return (await request(app).get('/readyz')).body as { status: string; fleet: { instance: string; alive: number | null } };
  };

  it('lists every instance with what it runs and holds; /readyz shows its id and the alive count; a stopped one leaves', async () => {
    const other = await join({ ...FAST, dispatch: { enabled: false } });
    expect(first.relay.instanceId).to.match(/^[0-9a-f]{12}$/).and.not.equal(other.relay.instanceId);
    const view = await first.relay.fleet();
    expect(view.instances.map((i) => i.id)).to.have.members([first.relay.instanceId, other.relay.instanceId]);
    const [mine, theirs] = [first.relay.instanceId, other.relay.instanceId].map((id) => view.instances.find((i) => i.id === id));
    expect(mine).to.include({ alive: true, dispatching: true, pid: process.pid });
    expect(theirs).to.include({ alive: true, dispatching: false });
    expect(mine?.version).to.match(/^\d+\.\d+\.\d+/);
    expect(view.leasedByDead).to.equal(0);

    const ready = await poll(() => readyz(first), (body) => body.fleet.alive === 2, 'readyz counting two instances');
    expect(ready).to.deep.include({ status: 'ok' });
    expect(ready.fleet.instance).to.equal(first.relay.instanceId);

    await other.close({ drop: false });
    second = undefined;
    expect((await first.relay.fleet()).instances.map((i) => i.id)).to.deep.equal([first.relay.instanceId]);
    await poll(() => readyz(first), (body) => body.fleet.alive === 1, 'readyz counting one instance');
  });

  it("counts a dead instance's live leases, under its own id, until another instance may take them", async () => {
    // The second instance beats once (at start) and then not for a minute: as far as the fleet can tell, it died.
    const doomed = await join({ fleet: { heartbeatMs: 60_000 }, dispatch: { idlePollMs: 20, stopTimeoutMs: 100 } });
    tracker.answerWith(() => 'hang');
    await request(first.app).post('/postbacks/endpoints').set(auth).send({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `${tracker.origin}/pb?cid={click_id}` } }).expect(201);
    // Only the doomed instance sends: the first one stops dispatching (and leaves the fleet) before the lead arrives.
    await first.close({ drop: false });
    first = await startRelay(target, { url: first.url, prefix: first.prefix, start: false });
    await request(doomed.app).post('/postbacks/events/leads').set(auth).send({ id: 'lead-1', clickId: 'click-1', affiliateId: 'aff-1' }).expect(201);
    await tracker.waitFor(1);

    const whileAlive = await first.relay.fleet();
    expect(whileAlive.instances.find((i) => i.id === doomed.relay.instanceId)).to.include({ alive: true, leased: 1 });
    expect(whileAlive.leasedByDead).to.equal(0);

    const t = tableNames(first.prefix);
    await first.relay.knex(t.instances).where('id', doomed.relay.instanceId).update({ last_seen_at: new Date(Date.now() - 60_000) });
    const afterDeath = await first.relay.fleet();
    expect(afterDeath.instances.find((i) => i.id === doomed.relay.instanceId)).to.include({ alive: false, leased: 1 });
    expect(afterDeath.leasedByDead).to.equal(1);

    // Once the lease has run out it is no longer counted.
    await first.relay.knex(t.deliveries).update({ locked_until: new Date(Date.now() - 1) });
    expect((await first.relay.fleet()).leasedByDead).to.equal(0);
  });

  it('prunes rows not seen for an hour at the next heartbeat, and keeps the recently dead listed', async () => {
    const t = tableNames(first.prefix);
    const row = (id: string, agoMs: number) => ({ id, host: 'gone', pid: 1, version: '0.0.1', dispatching: true, held: 3, started_at: new Date(Date.now() - agoMs), last_seen_at: new Date(Date.now() - agoMs) });
    await first.relay.knex(t.instances).insert([row('0000000000aa', PRUNE_AFTER_MS + 60_000), row('0000000000bb', 120_000)]);
    await poll(async () => (await first.relay.fleet()).instances.map((i) => i.id), (ids) => !ids.includes('0000000000aa'), 'the hour-old row pruned');
    const view = await first.relay.fleet();
    expect(view.instances.find((i) => i.id === '0000000000bb')).to.include({ alive: false, held: 3 });
  });

  it('shows the fleet on the dashboard, linked from every page', async () => {
    const app = express().use('/admin', first.relay.dashboard);
    const page = await request(app).get('/admin/fleet').expect(200);
    expect(page.text).to.include('<a href="/admin/fleet" aria-current="page">Fleet</a>');
    expect(page.text).to.include(first.relay.instanceId);
    expect(page.text).to.include('1 of 1 listed instance(s) alive');
    expect((await request(app).get('/admin/').expect(200)).text).to.include('href="/admin/fleet"');
  });
});

describe('migrations waiting on a lock', () => {
  it("wait out knex's lock and then give up with a MigrationLockedError, changing nothing", async () => {
    const prefix = uniquePrefix();
    const knex = openDatabase(sqliteTarget.url());
    try {
      await migrateLatest(knex, prefix);
      const t = tableNames(prefix);
      // A migrator that died mid-run leaves knex's lock row taken.
      await knex(t.migrationsLock).update({ is_locked: 1 });
      const error = await migrateLatest(knex, prefix, 300).then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(MigrationLockedError).and.have.property('code', 'ERR_PB_MIGRATION_LOCKED');
      await knex(t.migrationsLock).update({ is_locked: 0 });
      expect(await migrateLatest(knex, prefix)).to.deep.equal([]);
    } finally {
      await knex.destroy();
    }
  });
});
