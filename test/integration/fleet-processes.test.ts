// Three real server processes on one MariaDB, started at the same moment on an empty database: the migrations run
// once, all three become ready and see each other, and a dashboard form fetched from one instance posts through
// another behind a round-robin proxy (the fleet's shared secret signs the form tokens).

import { expect } from 'chai';
import { tableNames } from '../../lib/store/tables.js';
import { migrateRollbackAll } from '../../lib/store/migrations/index.js';
import { openDatabase } from '../../lib/store/database.js';
import { cleanEnv } from '../helpers/cli.js';
import { MYSQL_URL, requireMySql, uniquePrefix } from '../helpers/databases.js';
import { poll } from '../helpers/poll.js';
import { startRoundRobinProxy } from '../helpers/round-robin-proxy.js';
import type { RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { startServerProcess } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const API_KEY = 'fleet-test-key-0123456';
const basic = { authorization: `Basic ${Buffer.from(`admin:${API_KEY}`).toString('base64')}` };

describe('a fleet of three server processes on one MariaDB', function () {
  this.timeout(180_000);
  const prefix = uniquePrefix();
  let servers: ServerProcess[] = [];
  let proxy: RoundRobinProxy | undefined;

  before(requireMySql('a fleet of three server processes on one MariaDB'));
  after(async () => {
    await proxy?.close();
    for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) await server.stop();
    const knex = openDatabase(MYSQL_URL);
    try {
      const t = tableNames(prefix);
      // Whatever state a failed run left: never leave tables behind in the shared database.
      if (await knex.schema.hasTable(t.migrationsLock)) await knex(t.migrationsLock).update({ is_locked: 0 });
      await migrateRollbackAll(knex, prefix);
      await knex.schema.dropTableIfExists(t.migrations);
      await knex.schema.dropTableIfExists(t.migrationsLock);
    } finally {
      await knex.destroy();
    }
  });

  it('migrates once when all three start at once on an empty database, and all three become ready', async () => {
    const env = cleanEnv({
      NODE_ENV: 'production',
      DATABASE_URL: MYSQL_URL,
      POSTBACK_RELAY_TABLE_PREFIX: prefix,
      POSTBACK_RELAY_API_KEYS: API_KEY,
      POSTBACK_RELAY_SECRET: 'fleet-test-secret-shared-by-all-three',
      POSTBACK_RELAY_HOST: '127.0.0.1',
      POSTBACK_RELAY_HEARTBEAT_MS: '200',
      PORT: '0',
    });
    const starting = [0, 1, 2].map(() => startServerProcess('node', ['dist/docker/server.js'], { cwd: ROOT, env }));
    // Keep every process that did start, so `after` stops them even when another one failed.
    const started = await Promise.allSettled(starting);
    servers = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    const knex = openDatabase(MYSQL_URL);
    try {
      const names = await knex(tableNames(prefix).migrations).pluck('name');
      expect(names).to.have.length.greaterThan(0);
      expect(names, 'each migration listed once').to.have.length(new Set(names).size);
    } finally {
      await knex.destroy();
    }
    const applied = servers.filter((server) => server.logs.some((log) => log.msg === 'migrations applied'));
    expect(applied, 'one instance ran the migrations').to.have.length(1);
    const ids = new Set<string>();
    for (const server of servers) {
      const ready = await poll(
        async () => (await (await fetch(`${new URL(server.url).origin}/readyz`)).json()) as { status: string; fleet: { instance: string; alive: number } },
        (body) => body.status === 'ok' && body.fleet.alive === 3,
        'every instance ready and seeing three alive',
      );
      ids.add(ready.fleet.instance);
    }
    expect(ids.size).to.equal(3);
  });

  it('accepts a dashboard form fetched from one instance and posted through another', async () => {
    expect(servers, 'the fleet from the previous test').to.have.length(3);
    proxy = await startRoundRobinProxy(servers.map((server) => new URL(server.url).origin));
    const form = await fetch(`${proxy.origin}/postbacks/admin/endpoints/new?plugin=generic`, { headers: basic });
    expect(form.status).to.equal(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
    expect(token).to.be.a('string');
    const body = new URLSearchParams({ _csrf: token ?? '', affiliateId: 'aff-fleet', plugin: 'generic', name: 'fleet form', settingsJson: JSON.stringify({ url: 'https://tracker.example/pb?cid={click_id}' }), events: 'lead_created', enabled: 'on' });
    const posted = await fetch(`${proxy.origin}/postbacks/admin/endpoints`, { method: 'POST', headers: { ...basic, 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });
    expect(proxy.routed[1], 'the post went to another instance').to.not.equal(proxy.routed[0]);
    expect(posted.status, await posted.clone().text()).to.equal(303);
    expect(posted.headers.get('location')).to.match(/\/postbacks\/admin\/endpoints\/\d+\?notice=created$/);
    const listed = await fetch(`${proxy.origin}/postbacks/endpoints?affiliateId=aff-fleet`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(((await listed.json()) as { data: unknown[] }).data).to.have.length(1);
  });

  it('shows all three instances on the Fleet page of any of them', async () => {
    const page = await fetch(`${new URL(servers[2]?.url ?? '').origin}/postbacks/admin/fleet`, { headers: basic });
    const text = await page.text();
    expect(text).to.include('3 of 3 listed instance(s) alive');
  });
});
