// Three real server processes on one MariaDB, started at the same moment on an empty database, behind a
// round-robin proxy on 127.0.0.1: the migrations run once and all three see each other; a dashboard form fetched
// from one instance posts through another; a tracker host capped at 4 never sees more than 4 requests at once
// from the fleet; a tracker going down opens the breaker on all three within one cooldown; a rolling restart
// during steady load loses nothing and sends nothing twice; and the database rate limit holds across the three.

import { expect } from 'chai';
import { tableNames } from '../../lib/store/tables.js';
import { migrateRollbackAll } from '../../lib/store/migrations/index.js';
import { openDatabase } from '../../lib/store/database.js';
import { cleanEnv } from '../helpers/cli.js';
import { MYSQL_URL, requireMySql, uniquePrefix } from '../helpers/databases.js';
import { poll } from '../helpers/poll.js';
import { sample } from '../helpers/prometheus.js';
import { startRoundRobinProxy } from '../helpers/round-robin-proxy.js';
import type { RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { startServerProcess } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const API_KEY = 'fleet-test-key-0123456';
const basic = { authorization: `Basic ${Buffer.from(`admin:${API_KEY}`).toString('base64')}` };
const bearer = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
const BREAKER_COOLDOWN_MS = 20_000;

/** Three server processes on one prefix, started at once, and what they need to be stopped and dropped. */
class Fleet {
  servers: ServerProcess[] = [];
  readonly prefix = uniquePrefix();
  readonly env: NodeJS.ProcessEnv;

  constructor(extra: Record<string, string> = {}) {
    this.env = cleanEnv({
      NODE_ENV: 'production',
      DATABASE_URL: MYSQL_URL,
      POSTBACK_RELAY_TABLE_PREFIX: this.prefix,
      POSTBACK_RELAY_API_KEYS: API_KEY,
      POSTBACK_RELAY_SECRET: 'fleet-test-secret-shared-by-all-three',
      POSTBACK_RELAY_HOST: '127.0.0.1',
      POSTBACK_RELAY_HEARTBEAT_MS: '200',
      POSTBACK_RELAY_TARGET_ALLOWLIST: '127.0.0.1',
      POSTBACK_RELAY_IDLE_POLL_MS: '100',
      // Leases of 3 s: the instances renew slots and read the fleet's breakers every second.
      POSTBACK_RELAY_REQUEST_TIMEOUT_MS: '1000',
      POSTBACK_RELAY_BREAKER_THRESHOLD: '3',
      POSTBACK_RELAY_BREAKER_COOLDOWN_MS: String(BREAKER_COOLDOWN_MS),
      // A failed postback is not tried again within a test: every request at a tracker is a first attempt.
      POSTBACK_RELAY_RETRY_SCHEDULE_MS: '600000',
      PORT: '0',
      ...extra,
    });
  }

  /** Starts all three at the same moment; keeps every process that did start, so `close` stops it even when another failed. */
  async start(): Promise<void> {
    const started = await Promise.allSettled([0, 1, 2].map(() => this.#spawn(this.env)));
    this.servers = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    for (const server of this.servers) await this.ready(server);
  }

  origin(index: number): string {
    return new URL(this.servers[index]?.url ?? '').origin;
  }

  /** Waits until `server` answers ready and sees all three instances alive. */
  async ready(server: ServerProcess): Promise<{ status: string; fleet: { instance: string; alive: number } }> {
    return poll(
      async () => (await (await fetch(`${new URL(server.url).origin}/readyz`)).json()) as { status: string; fleet: { instance: string; alive: number } },
      (body) => body.status === 'ok' && body.fleet.alive === 3,
      'the instance ready and seeing three alive',
      30_000,
    );
  }

  /** Stops instance `index` (SIGTERM) and starts a new process on the same port, so the proxy's list still holds. */
  async restart(index: number): Promise<void> {
    const old = this.servers[index];
    if (!old) throw new Error(`no instance ${index}`);
    const port = new URL(old.url).port;
    const code = await old.stop();
    expect(code, `a clean exit on SIGTERM; its last log lines: ${JSON.stringify(old.logs.slice(-5))}`).to.equal(0);
    const fresh = await this.#spawn({ ...this.env, PORT: port });
    this.servers[index] = fresh;
    await this.ready(fresh);
  }

  async metrics(index: number): Promise<string> {
    return (await fetch(`${this.origin(index)}/metrics`)).text();
  }

  async createEndpoint(origin: string, affiliateId: string, tracker: TestTracker): Promise<void> {
    const created = await fetch(`${origin}/postbacks/endpoints`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ affiliateId, plugin: 'generic', settings: { url: `${tracker.origin}/pb?txid={transaction_id}` } }),
    });
    expect(created.status, await created.clone().text()).to.equal(201);
  }

  async close(): Promise<void> {
    for (const server of this.servers) if (server.child.exitCode === null && server.child.signalCode === null) await server.stop();
    const knex = openDatabase(MYSQL_URL);
    try {
      const t = tableNames(this.prefix);
      // Whatever state a failed run left: never leave tables behind in the shared database.
      if (await knex.schema.hasTable(t.migrationsLock)) await knex(t.migrationsLock).update({ is_locked: 0 });
      await migrateRollbackAll(knex, this.prefix);
    } finally {
      await knex.destroy();
    }
  }

  #spawn(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
    return startServerProcess('node', ['dist/docker/server.js'], { cwd: ROOT, env });
  }
}

/** Posts a lead until the relay acknowledges it (a 502 from the proxy while an instance restarts is tried again, same id). */
async function postLead(origin: string, id: string, affiliateId: string, deadline: number): Promise<boolean> {
  const post = async (): Promise<number | 'dropped'> => {
    try {
      const answer = await fetch(`${origin}/postbacks/events/leads`, { method: 'POST', headers: bearer, body: JSON.stringify({ id, clickId: `click-${id}`, affiliateId }) });
      await answer.arrayBuffer();
      return answer.status;
    } catch {
      // The proxy itself dropped the connection: try again.
      return 'dropped';
    }
  };
  try {
    await poll(post, (status) => status === 200 || status === 201, `lead ${id} acknowledged`, Math.max(0, deadline - Date.now()));
    return true;
  } catch {
    return false;
  }
}

describe('a fleet of three server processes on one MariaDB', function () {
  this.timeout(240_000);
  const fleet = new Fleet();
  let proxy: RoundRobinProxy | undefined;
  const trackers: TestTracker[] = [];

  before(requireMySql('a fleet of three server processes on one MariaDB'));
  after(async () => {
    await proxy?.close();
    for (const tracker of trackers) await tracker.close();
    await fleet.close();
  });

  const tracker = async () => {
    const started = await startTestTracker();
    trackers.push(started);
    return started;
  };

  it('migrates once when all three start at once on an empty database, and all three become ready', async () => {
    await fleet.start();
    const knex = openDatabase(MYSQL_URL);
    try {
      const names = await knex(tableNames(fleet.prefix).migrations).pluck('name');
      expect(names).to.have.length.greaterThan(0);
      expect(names, 'each migration listed once').to.have.length(new Set(names).size);
    } finally {
      await knex.destroy();
    }
    const applied = fleet.servers.filter((server) => server.logs.some((log) => log.msg === 'migrations applied'));
    expect(applied, 'one instance ran the migrations').to.have.length(1);
    const ids = new Set<string>();
    for (const server of fleet.servers) ids.add((await fleet.ready(server)).fleet.instance);
    expect(ids.size).to.equal(3);
  });

  it('accepts a dashboard form fetched from one instance and posted through another', async () => {
    expect(fleet.servers, 'the fleet from the previous test').to.have.length(3);
    proxy = await startRoundRobinProxy(fleet.servers.map((server) => new URL(server.url).origin));
    const form = await fetch(`${proxy.origin}/postbacks/admin/endpoints/new?plugin=generic`, { headers: basic });
    expect(form.status).to.equal(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
    expect(token).to.be.a('string');
    const body = new URLSearchParams({ _csrf: token ?? '', affiliateId: 'aff-fleet', plugin: 'generic', name: 'fleet form', settingsJson: JSON.stringify({ url: 'https://tracker.example/pb?cid={click_id}' }), events: 'lead_created', enabled: 'on' });
    const posted = await fetch(`${proxy.origin}/postbacks/admin/endpoints`, { method: 'POST', headers: { ...basic, 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });
    expect(proxy.routed[1], 'the post went to another instance').to.not.equal(proxy.routed[0]);
    expect(posted.status, await posted.clone().text()).to.equal(303);
    expect(posted.headers.get('location')).to.match(/\/postbacks\/admin\/endpoints\/\d+\?notice=created$/);
    const listed = await fetch(`${proxy.origin}/postbacks/endpoints?affiliateId=aff-fleet`, { headers: bearer });
    expect(((await listed.json()) as { data: unknown[] }).data).to.have.length(1);
  });

  it('shows all three instances on the Fleet page of any of them', async () => {
    const page = await fetch(`${fleet.origin(2)}/postbacks/admin/fleet`, { headers: basic });
    const text = await page.text();
    expect(text).to.include('3 of 3 listed instance(s) alive');
  });

  it('never lets a tracker host with a cap of 4 see more than 4 requests at once from the fleet', async () => {
    const capped = await tracker();
    capped.respondAfter(150);
    await fleet.createEndpoint(fleet.origin(0), 'aff-capped', capped);
    // Through the proxy, each instance takes a third of the leads and sends their postbacks itself: all three have work for the host at once.
    const deadline = Date.now() + 60_000;
    for (let batch = 0; batch < 6; batch++) {
      const leads = Array.from({ length: 10 }, (_, i) => `cap-${batch * 10 + i}`);
      const acknowledged = await Promise.all(leads.map((id) => postLead(proxy?.origin ?? '', id, 'aff-capped', deadline)));
      expect(acknowledged.every(Boolean)).to.equal(true);
    }
    await capped.waitFor(60, 60_000);
    expect(capped.maxConcurrent, 'requests open at the tracker at once').to.be.within(2, 4);
    expect(new Set(capped.received.map((r) => r.query.txid)).size).to.equal(60);
    const sent = () => Promise.all([0, 1, 2].map(async (i) => sample(await fleet.metrics(i), 'postback_relay_postbacks_sent_total{plugin="generic",outcome="delivered"}') ?? 0));
    const delivered = await poll(sent, (counts) => counts.reduce((sum, n) => sum + n, 0) === 60, 'every attempt recorded as delivered');
    expect(delivered.filter((n) => n > 0).length, `instances that sent (${delivered.join(', ')})`).to.be.at.least(2);
  });

  it('opens the breaker of a tracker that went down on all three instances within one cooldown', async () => {
    const down = await tracker();
    down.respondWith(503);
    const host = new URL(down.origin).host;
    await fleet.createEndpoint(fleet.origin(0), 'aff-down', down);
    // Straight to the first instance, which sends the postbacks of the events it records: only it sees the failures.
    const deadline = Date.now() + 30_000;
    for (let i = 0; i < 3; i++) expect(await postLead(fleet.origin(0), `down-${i}`, 'aff-down', deadline)).to.equal(true);
    await down.waitFor(3, 30_000);
    const series = `postback_relay_host_breaker_open{host="${host}"}`;
    await poll(() => fleet.metrics(0), (text) => sample(text, series) === 1, 'the breaker open on the instance that saw the failures');
    const openedAt = Date.now();
    for (const i of [1, 2]) {
      const text = await poll(() => fleet.metrics(i), (metrics) => sample(metrics, series) === 1, `the breaker open on instance ${i}`, BREAKER_COOLDOWN_MS - (Date.now() - openedAt));
      expect(sample(text, 'postback_relay_postbacks_sent_total{plugin="generic",outcome="http_error"}') ?? 0, `instance ${i} failed no request of its own`).to.equal(0);
    }
    expect(down.received).to.have.length(3);
  });

  it('loses nothing and sends nothing twice when each instance is restarted in turn during a steady load', async () => {
    const steady = await tracker();
    steady.respondAfter(20);
    await fleet.createEndpoint(fleet.origin(0), 'aff-rolling', steady);
    const acknowledged: string[] = [];
    const unacknowledged: string[] = [];
    const loading = { on: true };
    // The load: one lead after another through the proxy, each posted until acknowledged (the same id, so never twice).
    const load = (async () => {
      for (let n = 0; loading.on; n++) {
        const id = `roll-${n}`;
        (await postLead(proxy?.origin ?? '', id, 'aff-rolling', Date.now() + 30_000) ? acknowledged : unacknowledged).push(id);
      }
    })();
    try {
      await poll(() => steady.received.length, (n) => n >= 20, 'the load flowing before the first restart');
      for (const index of [0, 1, 2]) {
        const before = steady.received.length;
        await fleet.restart(index);
        await poll(() => steady.received.length, (n) => n >= before + 20, `the load flowing after restarting instance ${index}`, 30_000);
      }
    } finally {
      loading.on = false;
      await load;
    }
    expect(unacknowledged).to.deep.equal([]);
    const knex = openDatabase(MYSQL_URL);
    try {
      const t = tableNames(fleet.prefix);
      const open = () => knex(t.deliveries).join(t.endpoints, `${t.endpoints}.pk`, `${t.deliveries}.endpoint_pk`).where(`${t.endpoints}.affiliate_id`, 'aff-rolling').whereNot(`${t.deliveries}.status`, 'delivered').count<Array<{ n: number | string }>>({ n: '*' });
      await poll(async () => Number((await open())[0]?.n), (n) => n === 0, 'every rolling postback delivered', 60_000);
    } finally {
      await knex.destroy();
    }
    const perPostback = new Map<string, number>();
    for (const received of steady.received) perPostback.set(received.query.txid ?? '', (perPostback.get(received.query.txid ?? '') ?? 0) + 1);
    const missing = acknowledged.filter((id) => !perPostback.has(`lead-${id}`));
    const twice = [...perPostback].filter(([, n]) => n > 1);
    expect(missing, 'acknowledged but never at the tracker').to.deep.equal([]);
    expect(twice, 'at the tracker more than once').to.deep.equal([]);
    expect(perPostback.size, 'nothing at the tracker that was not acknowledged').to.equal(acknowledged.length);
  });
});

describe('the database rate limit across a fleet of three server processes', function () {
  this.timeout(180_000);
  const fleet = new Fleet({ POSTBACK_RELAY_RATE_LIMIT_STORE: 'database', POSTBACK_RELAY_RATE_LIMIT_MAX: '20', POSTBACK_RELAY_RATE_LIMIT_WINDOW_MS: '120000' });
  let proxy: RoundRobinProxy | undefined;

  before(requireMySql('the database rate limit across a fleet of three server processes'));
  after(async () => {
    await proxy?.close();
    await fleet.close();
  });

  it('lets one client make the limit, not three times it, whichever instance each request reaches', async () => {
    await fleet.start();
    proxy = await startRoundRobinProxy(fleet.servers.map((server) => new URL(server.url).origin));
    const statuses: number[] = [];
    // One window (two minutes) holds the whole run, so the count is exact: no second window's allowance mixes in.
    for (let i = 0; i < 45; i++) {
      const answer = await fetch(`${proxy.origin}/postbacks/endpoints`, { headers: bearer });
      await answer.arrayBuffer();
      statuses.push(answer.status);
    }
    expect(new Set(proxy.routed).size, 'every instance answered some').to.equal(3);
    expect(statuses.filter((status) => status === 200)).to.have.length(20);
    expect(statuses.filter((status) => status === 429)).to.have.length(25);
    expect(statuses.indexOf(429), 'the first 20 allowed, then none').to.equal(20);
  });
});
