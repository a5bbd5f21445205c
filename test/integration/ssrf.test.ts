// The SSRF guard at connection time, with loopback targets only: refused ones are never connected to.

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import { createPostbackClient } from '../../lib/dispatch/http-client.js';
import type { PostbackClient } from '../../lib/dispatch/http-client.js';
import { createTargetPolicy } from '../../lib/dispatch/target-guard.js';
import { sqliteTarget } from '../helpers/databases.js';
import { auth, startRelay } from '../helpers/relay.js';

interface CountingServer {
  port: number;
  /** TCP connections accepted, so "never connected to" is checked below the HTTP layer. */
  connections: number;
  requests: number;
  close(): Promise<void>;
}

async function startCountingServer(): Promise<CountingServer> {
  const counts = { connections: 0, requests: 0 };
  const server: Server = createServer((_req, res) => {
    counts.requests += 1;
    res.end('OK');
  });
  server.on('connection', () => (counts.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return counts.connections;
    },
    get requests() {
      return counts.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

const clientFor = (allowlist: string[]): PostbackClient =>
  createPostbackClient({ timeoutMs: 2000, userAgent: 'test', maxSockets: 4, policy: createTargetPolicy(allowlist, 'targetAllowlist') });

describe('SSRF guard at connection time (loopback targets only)', () => {
  let server: CountingServer;
  const clients: PostbackClient[] = [];
  beforeEach(async () => {
    server = await startCountingServer();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });
  const client = (allowlist: string[]) => {
    const made = clientFor(allowlist);
    clients.push(made);
    return made;
  };

  it('refuses 127.0.0.1 when it is not allowlisted, without connecting', async () => {
    const result = await client([]).send({ method: 'GET', url: `http://127.0.0.1:${server.port}/pb?token=t0ps3cret` });
    expect(result.ok).to.equal(false);
    expect(!result.ok && result.error).to.match(/^ERR_PB_BLOCKED_TARGET: .*127\.0\.0\.1 \(loopback\)/);
    expect(!result.ok && result.error).not.to.include('t0ps3cret');
    expect(server.connections).to.equal(0);
  });

  it('refuses a host name that resolves to loopback (localhost), at lookup, without connecting', async () => {
    const result = await client(['10.0.0.0/8']).send({ method: 'POST', url: `http://localhost:${server.port}/pb`, body: 'x=1' });
    expect(result.ok).to.equal(false);
    expect(!result.ok && result.error).to.match(/localhost is (127\.0\.0\.1|::1) \(loopback\)/);
    expect(server.connections).to.equal(0);
  });

  it('refuses an IPv4-mapped loopback literal even when 127.0.0.1 is allowlisted', async () => {
    const result = await client(['127.0.0.1']).send({ method: 'GET', url: `http://[::ffff:127.0.0.1]:${server.port}/pb` });
    expect(!result.ok && result.error).to.match(/ipv4-mapped/);
    expect(server.connections).to.equal(0);
  });

  it('refuses loopback written in the forms URL parsers normalize (decimal, hex, short, octal, 0.0.0.0), without connecting', async () => {
    for (const host of ['2130706433', '0x7f.0.0.1', '127.1', '0177.0.0.1', '0.0.0.0']) {
      const result = await client([]).send({ method: 'GET', url: `http://${host}:${server.port}/pb` });
      expect(result.ok, host).to.equal(false);
      expect(!result.ok && result.error, host).to.match(/\((loopback|unspecified)\)/);
    }
    expect(server.connections).to.equal(0);
  });

  it('refuses schemes other than http and https', async () => {
    const result = await client(['127.0.0.1']).send({ method: 'GET', url: `file:///etc/passwd` });
    expect(!result.ok && result.error).to.match(/http or https/);
  });

  it('delivers to an allowlisted 127.0.0.1 port, and to a host name allowlisted by name', async () => {
    const byAddress = await client(['127.0.0.1']).send({ method: 'GET', url: `http://127.0.0.1:${server.port}/pb` });
    expect(byAddress).to.deep.include({ ok: true, statusCode: 200 });
    // Happy Eyeballs tries every address localhost resolves to; the server listens on 127.0.0.1, which /etc/hosts always gives.
    const byName = await client(['localhost']).send({ method: 'GET', url: `http://localhost:${server.port}/pb` });
    expect(byName).to.deep.include({ ok: true, statusCode: 200 });
    expect(server.requests).to.equal(2);
  });

  it('refuses through the relay: the endpoint saved fine, the attempt records the refusal, the tracker saw nothing', async () => {
    const fx = await startRelay(sqliteTarget, { relay: { targetAllowlist: [] } });
    try {
      const post = (path: string, body: object) => request(fx.app).post(`/postbacks${path}`).set(auth).send(body);
      // Saving checks the URL's shape only: the address is checked when the socket connects, so rebinding cannot slip past.
      expect((await post('/endpoints', { affiliateId: 'a', plugin: 'generic', settings: { url: `http://localhost:${server.port}/pb?c={click_id}` } })).status).to.equal(201);
      expect((await post('/events/leads', { id: 'L-1', clickId: 'c1', affiliateId: 'a' })).status).to.equal(201);
      await fx.settled();
      const deliveries = await request(fx.app).get('/postbacks/deliveries?leadId=L-1').set(auth);
      const attempt = (deliveries.body as { data: Array<{ attempts: Array<{ error: string | null; statusCode: number | null }> }> }).data[0]?.attempts[0];
      // The code leads the message, so the retry logic can tell a refusal (permanent) from a network failure.
      expect(attempt?.error).to.match(/^ERR_PB_BLOCKED_TARGET: postback target localhost is 127\.0\.0\.1 \(loopback\)/);
      expect(attempt?.statusCode).to.equal(null);
      expect(server.connections).to.equal(0);
    } finally {
      await fx.close();
    }
  });
});
