// The standalone server's dashboard at <mountPath>/admin: an admin key as Bearer or as the HTTP Basic password a browser prompts for.

import { expect } from 'chai';
import { loadConfig } from '../../lib/config/load.js';
import { createServerLogger } from '../../lib/server/logger.js';
import { startServer } from '../../lib/server/server.js';
import type { RunningServer } from '../../lib/server/server.js';
import { sqliteTarget } from '../helpers/databases.js';

const ADMIN_KEY = 'admin-key-0123456789';
const EVENTS_KEY = 'events-key-0123456789';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('standalone server dashboard', function () {
  let server: RunningServer;

  before(async () => {
    const config = loadConfig({
      env: { DATABASE_URL: sqliteTarget.url(), PORT: '0', POSTBACK_RELAY_HOST: '127.0.0.1', POSTBACK_RELAY_API_KEYS: `${ADMIN_KEY}:admin,${EVENTS_KEY}:events` },
    });
    server = await startServer(config, createServerLogger('silent'));
  });
  after(async () => {
    await server.close();
  });

  const get = (path: string, authorization?: string) => fetch(`${server.dashboardUrl}${path}`, { headers: authorization ? { authorization } : {} });

  it('is served under the API mount path', () => {
    expect(server.dashboardUrl).to.equal(`${server.url}/admin`);
  });

  it('asks a browser for the key with HTTP Basic, and refuses a wrong one', async () => {
    const anonymous = await get('/');
    expect(anonymous.status).to.equal(401);
    expect(anonymous.headers.get('www-authenticate')).to.match(/^Basic realm="postback-relay dashboard"/);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).to.equal('ERR_PB_UNAUTHORIZED');
    expect((await get('/', basic('support', 'wrong-key-0123456789'))).status).to.equal(401);
    expect((await get('/', basic('support', ''))).status).to.equal(401);
  });

  it('lets an admin key in as the Basic password (any user name) or as Bearer', async () => {
    const page = await get('/', basic('support', ADMIN_KEY));
    expect(page.status).to.equal(200);
    expect(await page.text()).to.include('<h1>Overview</h1>');
    expect((await get('/endpoints', `Bearer ${ADMIN_KEY}`)).status).to.equal(200);
  });

  it('refuses a key without the admin scope', async () => {
    expect((await get('/', basic('crm', EVENTS_KEY))).status).to.equal(403);
  });

  it('leaves the API itself to Bearer keys only', async () => {
    expect((await fetch(`${server.url}/endpoints`, { headers: { authorization: basic('support', ADMIN_KEY) } })).status).to.equal(401);
    expect((await fetch(`${server.url}/endpoints`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).to.equal(200);
  });
});
