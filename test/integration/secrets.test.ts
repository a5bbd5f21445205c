// Secrets in endpoint settings: stored as given, sent to the tracker, masked in the API, the delivery log and logs.

import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import { createServerLogger } from '../../lib/server/logger.js';
import { sqliteTarget } from '../helpers/databases.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

const TOKEN = 'tok+3n/S3cr3t=x';
const ENCODED = encodeURIComponent(TOKEN);

/** A 127.0.0.1 port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return port;
}

describe('secrets in endpoint settings', () => {
  let fx: RelayFixture;
  let tracker: TestTracker;
  const lines: string[] = [];
  beforeEach(async () => {
    lines.length = 0;
    tracker = await startTestTracker();
    fx = await startRelay(sqliteTarget, { relay: { logger: createServerLogger('debug', { write: (line: string) => void lines.push(line) }) } });
  });
  afterEach(async () => {
    await fx.close();
    await tracker.close();
  });

  const post = (path: string, body: object) => request(fx.app).post(`/postbacks${path}`).set(auth).send(body);
  const settingsFor = (origin: string) => ({ url: `${origin}/pb?token=${ENCODED}&cid={click_id}`, secretParams: ['token'] });

  it('stores the token as given and sends it, but answers the API with it masked', async () => {
    const created = await post('/endpoints', { affiliateId: 'a', plugin: 'generic', settings: settingsFor(tracker.origin) }).expect(201);
    const masked = `${tracker.origin}/pb?token=***&cid={click_id}`;
    expect(created.body.data.settings).to.deep.equal({ url: masked, secretParams: ['token'] });
    const id = (created.body.data as { id: string }).id;
    expect((await request(fx.app).get(`/postbacks/endpoints/${id}`).set(auth).expect(200)).body.data.settings.url).to.equal(masked);
    const listed = await request(fx.app).get('/postbacks/endpoints').set(auth).expect(200);
    expect(JSON.stringify(listed.body)).not.to.include(ENCODED);
    expect((await fx.relay.endpoints.get(id)).settings.url).to.include(`token=${ENCODED}`);

    await post('/events/leads', { id: 'L-1', clickId: 'c1', affiliateId: 'a' }).expect(201);
    const [received] = await tracker.waitFor(1);
    expect(received?.query.token).to.equal(TOKEN);
    await fx.settled();
    const deliveries = await request(fx.app).get('/postbacks/deliveries?leadId=L-1').set(auth).expect(200);
    expect(deliveries.body.data[0].attempts[0].url).to.equal(`${tracker.origin}/pb?token=***&cid=c1`);
  });

  it('keeps the token out of logs and the delivery log when the delivery fails', async () => {
    const origin = `http://127.0.0.1:${await closedPort()}`;
    await post('/endpoints', { affiliateId: 'a', plugin: 'generic', settings: settingsFor(origin) }).expect(201);
    await post('/events/leads', { id: 'L-2', clickId: 'c2', affiliateId: 'a' }).expect(201);
    await fx.settled();
    const [delivery] = await fx.relay.deliveries.listForLead('L-2');
    expect(delivery?.attempts[0]?.error).to.be.a('string').and.match(/ECONNREFUSED/);
    expect(delivery?.attempts[0]?.url).to.equal(`${origin}/pb?token=***&cid=c2`);
    const failure = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.msg === 'postback not delivered');
    expect(failure, lines.join('')).to.not.equal(undefined);
    const logged = lines.join('');
    for (const form of [TOKEN, ENCODED, 'S3cr3t']) expect(logged).not.to.include(form);
  });

  it('refuses secretParams that do not name a fixed query parameter, without echoing the URL', async () => {
    const res = await post('/endpoints', { affiliateId: 'a', plugin: 'generic', settings: { url: `${tracker.origin}/pb?key=S3cr3t&cid={click_id}`, secretParams: ['cid'] } }).expect(400);
    expect(res.body.error).to.include({ code: 'ERR_PB_INVALID_SETTINGS', field: 'settings.secretParams' });
    const bad = await post('/endpoints', { affiliateId: 'a', plugin: 'generic', settings: { url: 'http//S3cr3t' } }).expect(400);
    expect(JSON.stringify(bad.body)).not.to.include('S3cr3t');
  });
});
