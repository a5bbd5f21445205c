// The pixel router over HTTP, on SQLite and on MariaDB: hits become one lead each, bad hits store nothing, browser pixels come back filled.

import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { describeEachDatabase, sqliteTarget } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

const GIF_BYTES = 42;
const FID = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

describeEachDatabase('pixel router', (target) => {
  let fx: RelayFixture;
  let tracker: TestTracker;

  beforeEach(async () => {
    tracker = await startTestTracker();
    fx = await startRelay(target);
    await fx.relay.endpoints.create({ affiliateId: '7', plugin: 'generic', settings: { url: `${tracker.origin}/pb?cid={click_id}&et={event}&txid={transaction_id}` } });
  });
  afterEach(async () => {
    await fx.close();
    await tracker.close();
  });

  const empty = async () => Object.values(await fx.countRows()).every((n) => n === 0);

  it('records a lead from the image pixel with source pixel and sends its S2S postback once', async () => {
    const res = await request(fx.app).get('/postbacks/pixel.gif').query({ click_id: 'abc123', aff: '7', offer: 'o-1', sub2: 'x', fid: FID });
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('image/gif');
    expect(res.headers['cache-control']).to.include('no-store');
    expect(res.headers['access-control-allow-origin']).to.equal('*');
    expect((res.body as Buffer).length).to.equal(GIF_BYTES);
    await request(fx.app).get('/postbacks/pixel.gif').query({ click_id: 'abc123', aff: '7', offer: 'o-1', sub2: 'x', fid: FID });
    const received = await tracker.waitFor(1);
    await fx.settled();
    const [lead] = await fx.relay.knex(`${fx.prefix}leads`).select();
    expect(lead).to.include({ external_id: `px-${FID}`, click_id: 'abc123', affiliate_id: '7', offer_id: 'o-1', sub2: 'x', source: 'pixel' });
    expect(received.map((r) => r.query)).to.deep.equal([{ cid: 'abc123', et: 'lead_created', txid: `lead-px-${FID}` }]);
    expect(fx.relay.pixelStats()).to.deep.equal({ recorded: 1, replayed: 1, rejected: {} });
  });

  it('makes one lead of a beacon, an image and a confirmation with the same fill id', async () => {
    const hit = { cid: 'abc123', affiliate_id: '7', fid: FID };
    const beacon = await request(fx.app).post('/postbacks/pixel/lead').type('form').send(hit);
    expect(beacon.status).to.equal(204);
    await request(fx.app).get('/postbacks/pixel.gif').query(hit);
    const confirm = await request(fx.app).get('/postbacks/pixel/lead').query(hit);
    expect(confirm.status).to.equal(200);
    expect(confirm.body).to.deep.equal({ leadId: `px-${FID}`, pixels: [] });
    expect((await fx.countRows())[`${fx.prefix}leads`]).to.equal(1);
    expect(fx.relay.pixelStats()).to.deep.equal({ recorded: 1, replayed: 2, rejected: {} });
  });

  it('makes one lead per click from script-less image hits, which carry no fill id', async () => {
    await request(fx.app).get('/postbacks/pixel.gif').query({ click_id: 'c-1', aff: '7' });
    await request(fx.app).get('/postbacks/pixel.gif').query({ click_id: 'c-1', aff: '7' });
    await request(fx.app).get('/postbacks/pixel.gif').query({ click_id: 'c-2', aff: '7' });
    const leads = await fx.relay.knex(`${fx.prefix}leads`).select('click_id').orderBy('click_id');
    expect(leads.map((l: { click_id: string }) => l.click_id)).to.deep.equal(['c-1', 'c-2']);
  });

  it('answers bad hits with the GIF, stores nothing and counts them as rejected', async () => {
    const bad = [
      '/postbacks/pixel.gif?aff=7',
      `/postbacks/pixel.gif?click_id=${'a'.repeat(10 * 1024)}&aff=7`,
      '/postbacks/pixel.gif?click_id=%00&aff=7',
      '/postbacks/pixel.gif?click_id=ab%00c&aff=7',
      '/postbacks/pixel.gif?click_id=abc',
      `/postbacks/pixel.gif?click_id=abc&aff=7&fid=${encodeURIComponent('short')}`,
    ];
    for (const path of bad) {
      const res = await request(fx.app).get(path);
      expect(res.status, path.slice(0, 60)).to.equal(200);
      expect(res.headers['content-type']).to.equal('image/gif');
      expect((res.body as Buffer).length).to.equal(GIF_BYTES);
    }
    const head = await request(fx.app).head('/postbacks/pixel.gif?click_id=abc&aff=7');
    expect(head.headers['content-type']).to.equal('image/gif');
    const beacon = await request(fx.app).post('/postbacks/pixel/lead').type('form').send(`click_id=${'b'.repeat(20_000)}&aff=7`);
    expect(beacon.status).to.equal(400);
    expect(await empty()).to.equal(true);
    expect(fx.relay.pixelStats()).to.deep.equal({
      recorded: 0,
      replayed: 0,
      rejected: { missing_click_id: 1, invalid: 4, missing_affiliate: 1, bad_fill_id: 1 },
    });
  });

  it('answers hits over the per-address rate limit with the GIF, recording nothing and counting them', async () => {
    const limited = await startRelay(target, { relay: { rateLimit: { max: 2, windowMs: 60_000 } } });
    try {
      const hit = (id: string) => request(limited.app).get(`/postbacks/pixel.gif?click_id=rl-${id}&aff=aff-1`);
      for (const id of ['1', '2']) expect((await hit(id)).status).to.equal(200);
      const over = await hit('3');
      expect(over.status).to.equal(200);
      expect(over.get('content-type')).to.equal('image/gif');
      expect(limited.relay.pixelStats()).to.deep.include({ recorded: 2 });
      expect(limited.relay.pixelStats().rejected).to.deep.equal({ rate_limited: 1 });
      expect((await limited.countRows())[`${limited.prefix}leads`]).to.equal(2);
    } finally {
      await limited.close();
    }
  });

  it('returns the affiliate browser pixels with macros filled and encoded, and never sends them server to server', async () => {
    await fx.relay.endpoints.create({ affiliateId: '7', plugin: 'browser', settings: { url: `${tracker.origin}/bp?cid={click_id}&lead={lead_id}` } });
    await fx.relay.endpoints.create({ affiliateId: '7', plugin: 'browser', settings: { url: 'https://tracker.example/frame?c={click_id}', type: 'iframe' } });
    await fx.relay.endpoints.create({ affiliateId: '8', plugin: 'browser', settings: { url: 'https://other.example/px?c={click_id}' } });
    const res = await request(fx.app).get('/postbacks/pixel/lead').query({ click_id: 'a b&c', aff: '7', fid: FID });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({
      leadId: `px-${FID}`,
      pixels: [
        { type: 'image', url: `${tracker.origin}/bp?cid=a%20b%26c&lead=px-${FID}` },
        { type: 'iframe', url: 'https://tracker.example/frame?c=a%20b%26c' },
      ],
    });
    await tracker.waitFor(1);
    await fx.settled();
    expect(tracker.received.map((r) => r.path)).to.deep.equal(['/pb']);
    expect((await fx.relay.deliveries.listForLead(`px-${FID}`)).length).to.equal(1);
  });

  it('refuses a browser endpoint with a bad pixel type', async () => {
    let error: unknown;
    try {
      await fx.relay.endpoints.create({ affiliateId: '7', plugin: 'browser', settings: { url: 'https://t.example/p', type: 'script' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.have.property('code', 'ERR_PB_INVALID_SETTINGS');
    expect(error).to.have.property('field', 'settings.type');
  });

  it('serves the script with an ETag, a 304 on revalidation and a year of cache on its versioned URL', async () => {
    const res = await request(fx.app).get('/postbacks/pixel.js');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/javascript; charset=utf-8');
    expect(res.headers['cache-control']).to.equal('public, max-age=86400');
    expect(res.headers['access-control-allow-origin']).to.equal('*');
    const etag = String(res.headers.etag);
    expect(etag).to.match(/^"[\w-]{16}"$/);
    expect(Buffer.byteLength(res.text)).to.be.below(8 * 1024);
    expect(res.headers['content-encoding']).to.equal('gzip');
    expect(Number(res.headers['content-length'])).to.be.below(3 * 1024);
    const plain = await request(fx.app).get('/postbacks/pixel.js').set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(plain.text).to.equal(res.text);
    const again = await request(fx.app).get('/postbacks/pixel.js').set('If-None-Match', etag);
    expect(again.status).to.equal(304);
    const versioned = await request(fx.app).get(`/postbacks/pixel.js?v=${etag.slice(1, -1)}`);
    expect(versioned.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
  });

  it('works mounted at the root as well as under a prefix', async () => {
    const root = express().use(fx.relay.pixel);
    const gif = await request(root).get('/pixel.gif').query({ click_id: 'root-click', aff: '7', fid: FID });
    expect(gif.headers['content-type']).to.equal('image/gif');
    const confirm = await request(root).get('/pixel/lead').query({ click_id: 'root-click', aff: '7', fid: FID });
    expect(confirm.body).to.deep.equal({ leadId: `px-${FID}`, pixels: [] });
    expect((await request(root).get('/pixel.js')).status).to.equal(200);
  });

  it('leaves the authenticated API closed to pixel requests', async () => {
    const res = await request(fx.app).get('/postbacks/endpoints');
    expect(res.status).to.equal(401);
  });
});

describe('pixel rejections in the log', () => {
  it('logs the reason and field of a rejected hit, never its values', async () => {
    const lines: Array<{ message: string; fields: Record<string, unknown> }> = [];
    const record = (fields: Record<string, unknown>, message: string) => lines.push({ message, fields });
    const fx = await startRelay(sqliteTarget, { relay: { logger: { debug: record, info: record, warn: record, error: record } } });
    try {
      await request(fx.app).get('/postbacks/pixel.gif').query({ click_id: `secret-${'z'.repeat(300)}`, aff: '7' });
      const rejected = lines.filter((line) => line.message === 'pixel hit rejected');
      expect(rejected.map((line) => line.fields)).to.deep.equal([{ reason: 'invalid', field: 'clickId' }]);
      expect(JSON.stringify(lines)).not.to.include('secret-');
    } finally {
      await fx.close();
    }
  });
});
