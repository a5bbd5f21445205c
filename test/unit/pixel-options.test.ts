// The pixel's options and hit reading: bad options named at creation, parameter names honoured, lead ids from the fill id.

import { Writable } from 'node:stream';
import { expect } from 'chai';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { createPixelRouter } from '../../lib/http/pixel-router.js';
import { readPixelHit } from '../../lib/pixel/hit.js';
import { createPostbackRelay } from '../../lib/relay.js';
import { resolvePixelOptions } from '../../lib/pixel/options.js';
import type { PixelOptions } from '../../lib/pixel/options.js';
import { buildPixelScript } from '../../lib/pixel/script.js';

function optionError(options: unknown): unknown {
  try {
    resolvePixelOptions(options as PixelOptions);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('pixel options', () => {
  it('names the bad option and what it expected', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ clickIdparams: ['x'] }, 'pixel.clickIdparams', /did you mean pixel\.clickIdParams/],
      [{ clickIdParams: [] }, 'pixel.clickIdParams', /non-empty array/],
      [{ clickIdParams: ['a b'] }, 'pixel.clickIdParams', /parameter names/],
      [{ clickIdParams: ['fid'] }, 'pixel.clickIdParams', /not "fid"/],
      [{ subParams: ['s1', 's2'] }, 'pixel.subParams', /exactly 5/],
      [{ affiliateParams: ['cid'] }, 'pixel.affiliateParams', /"cid" twice or in two roles/],
      [{ offerParams: ['o', 'o'] }, 'pixel.offerParams', /"o" twice/],
      [{ cookieName: 'a;b' }, 'pixel.cookieName', /letters, digits/],
      [{ cookieDays: 0 }, 'pixel.cookieDays', /1 to 400/],
      [[], 'pixel', /must be an object/],
    ];
    for (const [options, field, message] of cases) {
      const error = optionError(options);
      expect(error, JSON.stringify(options)).to.have.property('code', 'ERR_PB_INVALID_OPTION');
      expect(error).to.have.property('field', field);
      expect((error as Error).message).to.match(message);
    }
  });

  it('is checked when the relay is created', () => {
    expect(() => createPostbackRelay({ database: ':memory:', apiKeys: ['k'.repeat(8)], pixel: { cookieDays: 1000 } })).to.throw(/option pixel\.cookieDays/);
  });

  it('refuses a router without its dependencies', () => {
    expect(() => createPixelRouter({ recordLead: undefined as never, browserPixels: () => Promise.resolve([]), version: '1' })).to.throw(/recordLead/);
  });

  it('logs through the pino logger a host passes, fields and message where pino puts them', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const router = createPixelRouter({ recordLead: () => Promise.reject(new Error('unused')), browserPixels: () => Promise.resolve([]), version: '1', logger: pino(sink) });
    const app = express().use(router);
    await request(app).get('/pixel.gif').expect(200);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ msg: 'pixel hit rejected', reason: 'missing_click_id' });
  });

  it('reads the first configured parameter present, and derives the lead id from the fill id', () => {
    const options = resolvePixelOptions({ clickIdParams: ['tid', 'click_id'], affiliateParams: ['partner'], offerParams: ['o'] });
    const hit = readPixelHit({ click_id: 'second', tid: 'first', partner: '7', o: 'off', sub3: 's', fid: 'abcdefghijklmnop' }, options);
    expect(hit).to.deep.equal({
      ok: true,
      lead: { id: 'px-abcdefghijklmnop', clickId: 'first', affiliateId: '7', offerId: 'off', sub1: null, sub2: null, sub3: 's', sub4: null, sub5: null },
    });
    expect(readPixelHit({ tid: ['a', 'b'], partner: '7' }, options)).to.have.nested.property('lead.clickId', 'a');
    expect(readPixelHit({ tid: '', partner: '7' }, options)).to.deep.equal({ ok: false, reason: 'missing_click_id' });
    expect(readPixelHit({ tid: 'x' }, options)).to.deep.equal({ ok: false, reason: 'missing_affiliate' });
    expect(readPixelHit({ tid: 'x', partner: '7', fid: 'x/../y' }, options)).to.deep.equal({ ok: false, reason: 'bad_fill_id' });
  });

  it('bakes the parameter names and cookie into a script of a few KB with one global', () => {
    const script = buildPixelScript(resolvePixelOptions({ clickIdParams: ['tid'], cookieName: 'my_click' }), '9.9.9');
    expect(script).to.include('"click":["tid"]').and.include('"key":"my_click"').and.include('"version":"9.9.9"');
    expect(Buffer.byteLength(script)).to.be.below(8 * 1024);
    expect([...script.matchAll(/\bw\.([A-Z]\w*)\s*=/g)].map((m) => m[1])).to.deep.equal(['PostbackRelayPixel']);
  });
});
