// The standalone server: `npm start` on a fresh checkout serves the API on embedded SQLite; DATABASE_URL switches to MySQL.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openDatabase } from '../../lib/store/database.js';
import { migrateRollbackAll } from '../../lib/store/migrations/index.js';
import { MYSQL_URL, isMySqlReachable, MYSQL_REQUIRED, uniquePrefix } from '../helpers/databases.js';
import { startServerProcess } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { startNodeFlags, startOldSpaceMb } from '../helpers/start-command.js';
import { startTestTracker } from '../helpers/tracker.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** The environment less anything that would configure the server, as on a newcomer's machine. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(POSTBACK_RELAY_|DATABASE_URL$|PORT$|NODE_ENV$)/.test(key)));
  return { ...env, ...extra };
}

async function exercise(server: ServerProcess, apiKey: string): Promise<void> {
  // The default SQLite file outlives the run: a fresh affiliate keeps earlier runs' endpoints out of this one.
  const affiliateId = `aff-${Date.now()}`;
  const tracker = await startTestTracker();
  try {
    const call = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const endpoint = await call('/endpoints', { affiliateId, plugin: 'generic', settings: { url: `${tracker.origin}/pb?cid={click_id}&txid={transaction_id}` } });
    expect(endpoint.status).to.equal(201);
    const leadId = `L-${Date.now()}`;
    const lead = await call('/events/leads', { id: leadId, clickId: 'srv-click', affiliateId });
    expect(lead.status).to.equal(201);
    expect(lead.headers.get('etag'), 'no ETag hashed for a JSON answer').to.equal(null);
    const [received] = await tracker.waitFor(1);
    expect(received?.query).to.deep.equal({ cid: 'srv-click', txid: `lead-${leadId}` });
    const anonymous = await fetch(`${server.url}/events/leads`, { method: 'POST' });
    expect(anonymous.status).to.equal(401);
    // The public pixel is mounted beside the API, without a key.
    const gif = await fetch(`${server.url}/pixel.gif?click_id=px-click&aff=${affiliateId}&fid=${leadId.replace(/\W/g, '')}000000000000`);
    expect(gif.headers.get('content-type')).to.equal('image/gif');
    // The pixel's script keeps the ETag it sets itself (its 304 on revalidation: pixel.test.ts).
    expect((await fetch(`${server.url}/pixel.js`)).headers.get('etag')).to.match(/^"[\w-]{16}"$/);
    const [, pixelPostback] = await tracker.waitFor(2);
    expect(pixelPostback?.query.cid).to.equal('px-click');
  } finally {
    await tracker.close();
  }
}

describe('standalone server', function () {
  this.timeout(90_000);

  it('`npm start` serves the API on embedded SQLite (in a temporary directory, never the user\'s ./data/), and stops cleanly on SIGTERM', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pb-start-')), 'postback-relay.sqlite');
    const server = await startServerProcess('npm', ['start', '--silent'], { cwd: ROOT, env: cleanEnv({ PORT: '0', POSTBACK_RELAY_HOST: '127.0.0.1', POSTBACK_RELAY_TARGET_ALLOWLIST: '127.0.0.1', DATABASE_URL: file }) });
    try {
      const listening = server.logs.find((log) => log.msg === 'postback-relay listening');
      expect(listening?.database).to.equal(file);
      // The heap is sized for the job (docs/performance.md, "Memory"): a small young generation, the old space capped.
      expect(startNodeFlags().some((flag) => flag.startsWith('--max-semi-space-size='))).to.equal(true);
      expect(listening?.heapLimitMb).to.be.within(startOldSpaceMb(), startOldSpaceMb() + 16);
      expect(server.apiKey, 'a key generated for the run').to.be.a('string');
      await exercise(server, server.apiKey!);
    } finally {
      // npm itself dies of the signal it forwards; the server's own last log line says it drained and closed.
      await server.stop();
      expect(server.logs.map((log) => log.msg)).to.include.members(['shutting down', 'stopped']);
    }
  });

  it('uses MySQL when DATABASE_URL is a mysql:// URL', async function () {
    if (!(await isMySqlReachable())) {
      if (MYSQL_REQUIRED) throw new Error(`MySQL is required (PB_REQUIRE_MYSQL=1) but ${MYSQL_URL} does not answer`);
      console.warn(`\n  !! SKIPPING the MySQL server test: ${MYSQL_URL} does not answer.\n`);
      this.skip();
    }
    const prefix = uniquePrefix();
    const apiKey = 'server-test-key-123';
    const server = await startServerProcess('node', ['dist/docker/server.js'], {
      cwd: ROOT,
      env: cleanEnv({ PORT: '0', POSTBACK_RELAY_HOST: '127.0.0.1', DATABASE_URL: MYSQL_URL, POSTBACK_RELAY_TABLE_PREFIX: prefix, POSTBACK_RELAY_API_KEYS: apiKey, POSTBACK_RELAY_TARGET_ALLOWLIST: '127.0.0.1' }),
    });
    try {
      expect(server.logs.find((log) => log.msg === 'postback-relay listening')?.database).to.equal(MYSQL_URL);
      await exercise(server, apiKey);
    } finally {
      expect(await server.stop()).to.equal(0);
      const knex = openDatabase(MYSQL_URL);
      await migrateRollbackAll(knex, prefix);
      await knex.schema.dropTableIfExists(`${prefix}knex_migrations`);
      await knex.schema.dropTableIfExists(`${prefix}knex_migrations_lock`);
      await knex.destroy();
    }
  });

  it('refuses to start in production without an API key, naming the variable', async () => {
    const error = await startServerProcess('node', ['dist/docker/server.js'], { cwd: ROOT, env: cleanEnv({ NODE_ENV: 'production', PORT: '0' }) }).then(
      () => undefined,
      (reason: unknown) => reason as Error,
    );
    expect(error?.message).to.match(/exited with 1.*POSTBACK_RELAY_API_KEYS/s);
  });
});
