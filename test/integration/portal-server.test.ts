// The standalone server's portal: served at <mount>/portal when link secrets are set, links from the admin API and the CLI.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { EXIT } from '../../lib/cli/exit-codes.js';
import { cleanEnv, ROOT, runCli } from '../helpers/cli.js';
import { startServerProcess } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';

const KEY = 'portal-admin-key-123';
const SECRET = 'server-portal-secret-0123456789abcdef';

describe('standalone server: affiliate portal links', function () {
  this.timeout(90_000);
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    env = cleanEnv({
      PORT: '0',
      POSTBACK_RELAY_HOST: '127.0.0.1',
      DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'pb-portal-')), 'relay.sqlite'),
      POSTBACK_RELAY_API_KEYS: KEY,
      POSTBACK_RELAY_PORTAL_LINK_SECRETS: SECRET,
    });
    server = await startServerProcess('node', ['dist/docker/server.js'], { cwd: ROOT, env });
  });
  after(async () => {
    await server.stop();
  });

  const open = async (link: string) => {
    const opened = await fetch(link, { redirect: 'manual' });
    expect(opened.status).to.equal(303);
    return (opened.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  };

  it('answers a signed link to an admin key only, and the link opens that affiliate\'s portal', async () => {
    const ask = (headers: Record<string, string>) =>
      fetch(`${server.url}/portal-links`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ affiliateId: 'aff-9', ttlSeconds: 300 }) });
    expect((await ask({})).status).to.equal(401);
    const answer = await ask({ authorization: `Bearer ${KEY}` });
    expect(answer.status).to.equal(201);
    const { data } = (await answer.json()) as { data: { url: string } };
    expect(data.url.startsWith(`${server.url}/portal/link/`)).to.equal(true);
    const cookie = await open(data.url);
    const mine = await fetch(`${server.url}/portal/api/endpoints`, { headers: { cookie } });
    expect(mine.status).to.equal(200);
    expect(await mine.json()).to.deep.equal({ data: [] });
    expect((await fetch(`${server.url}/portal/api/endpoints`)).status).to.equal(401);
  });

  it('prints a link from the CLI with the same secret, and exits 3 without a public URL', async () => {
    const printed = await runCli(['portal-link', 'aff-9', '--ttl', '120', '--json'], { ...env, POSTBACK_RELAY_PORTAL_PUBLIC_URL: `${server.url}/portal` });
    expect(printed.code, printed.stderr).to.equal(EXIT.OK);
    const { url } = printed.json() as { url: string };
    const cookie = await open(url);
    expect((await fetch(`${server.url}/portal/endpoints`, { headers: { cookie } })).status).to.equal(200);
    expect((await runCli(['portal-link', 'aff-9'], env)).code).to.equal(EXIT.CONFIG);
    expect((await runCli(['portal-link', '--help'], env)).stdout).to.include('Usage: postback-relay portal-link <affiliate-id>');
    expect((await runCli(['portal-link'], env)).code).to.equal(EXIT.USAGE);
  });
});
