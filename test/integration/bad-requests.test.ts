// A corpus of bad requests: each gets its documented 4xx, and the database is unchanged afterwards (row counts compared).

import { expect } from 'chai';
import request from 'supertest';
import { signRequest } from '../../lib/http/signing.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';

const FULL = 'corpus-full-key-0123';
const EVENTS = 'corpus-events-key-0123';
const ADMIN = 'corpus-admin-key-0123';
const SECRET = 'corpus-signing-secret-0123';

interface BadRequest {
  name: string;
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT';
  path: string;
  /** Sent as these exact bytes; an object is JSON-encoded. */
  body?: string | object;
  contentType?: string;
  /** The bearer key; null sends none. @default FULL */
  key?: string | null;
  /** How the request is signed. @default 'ok' */
  sign?: 'ok' | 'none' | 'expired' | 'future' | 'wrong-secret' | 'tampered' | 'malformed';
  status: number;
  code: string;
  field?: string;
}

const lead = { id: 'L-new', clickId: 'click-1', affiliateId: 'aff-1' };
const commission = { id: 'C-new', leadId: 'L-1', amount: '5.00' };
const L = '/events/leads';
const C = '/events/commissions';
const A = '/events/adjustments';
const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const corpus: BadRequest[] = [
  // Body framing and content type.
  { name: 'truncated JSON', path: L, body: '{"id":', status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'JSON scalar string', path: L, body: '"lead"', status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'JSON null', path: L, body: 'null', status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'JSON array', path: L, body: '[]', status: 400, code: 'ERR_PB_VALIDATION' },
  { name: 'trailing garbage', path: L, body: `${JSON.stringify(lead)}x`, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'text/plain', path: L, body: JSON.stringify(lead), contentType: 'text/plain', status: 415, code: 'ERR_PB_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'form encoded', path: L, body: 'id=L-new&clickId=c&affiliateId=a', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'ERR_PB_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'application/xml', path: L, body: '<lead/>', contentType: 'application/xml', status: 415, code: 'ERR_PB_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'unsupported charset', path: L, body: JSON.stringify(lead), contentType: 'application/json; charset=koi8-r', status: 415, code: 'ERR_PB_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'body over the limit', path: L, body: { ...lead, sub1: 'x'.repeat(200_000) }, status: 413, code: 'ERR_PB_PAYLOAD_TOO_LARGE' },
  { name: 'nested array bomb', path: L, body: deep(5000), status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'nested object bomb', path: L, body: `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'duplicate key', path: L, body: '{"id":"L-new","clickId":"c","affiliateId":"a","id":"L-other"}', status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'duplicate key through an escape', path: L, body: '{"id":"L-new","clickId":"c","affiliateId":"a","\\u0069d":"L-other"}', status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  // Lead fields.
  { name: 'id as a number', path: L, body: { ...lead, id: 7 }, status: 400, code: 'ERR_PB_VALIDATION', field: 'id' },
  { name: 'empty id', path: L, body: { ...lead, id: '' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'id' },
  { name: 'id over 191 characters', path: L, body: { ...lead, id: 'i'.repeat(192) }, status: 400, code: 'ERR_PB_VALIDATION', field: 'id' },
  { name: 'NUL in id', path: L, body: { ...lead, id: 'L\u0000x' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'id' },
  { name: 'missing affiliateId', path: L, body: { id: 'L-new', clickId: 'c' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'affiliateId' },
  { name: 'null clickId', path: L, body: { ...lead, clickId: null }, status: 400, code: 'ERR_PB_VALIDATION', field: 'clickId' },
  { name: 'clickId with a zero-width space', path: L, body: { ...lead, clickId: 'abc\u200bdef' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'clickId' },
  { name: 'clickId with a right-to-left override', path: L, body: { ...lead, clickId: 'abc\u202edef' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'clickId' },
  { name: 'clickId with a Cyrillic look-alike', path: L, body: { ...lead, clickId: 'p\u0430ypal' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'clickId' },
  { name: 'clickId with CRLF header injection', path: L, body: { ...lead, clickId: 'a\r\nX-Injected: 1' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'clickId' },
  { name: 'clickId over 255 characters', path: L, body: { ...lead, clickId: 'c'.repeat(256) }, status: 400, code: 'ERR_PB_VALIDATION', field: 'clickId' },
  { name: 'affiliateId "..", a path segment', path: L, body: { ...lead, affiliateId: '..' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'affiliateId' },
  { name: 'clickId with leading space', path: L, body: { ...lead, clickId: ' c' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'clickId' },
  { name: 'sub1 as an object', path: L, body: { ...lead, sub1: { a: 1 } }, status: 400, code: 'ERR_PB_VALIDATION', field: 'sub1' },
  { name: 'sub2 with a lone surrogate', path: L, body: '{"id":"L-new","clickId":"c","affiliateId":"a","sub2":"\\ud800"}', status: 400, code: 'ERR_PB_VALIDATION', field: 'sub2' },
  { name: 'sub3 with DEL', path: L, body: { ...lead, sub3: 'a\u007f' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'sub3' },
  { name: 'unknown field', path: L, body: { ...lead, admin: true }, status: 400, code: 'ERR_PB_VALIDATION', field: 'admin' },
  { name: '__proto__ key', path: L, body: '{"id":"L-new","clickId":"c","affiliateId":"a","__proto__":{"admin":true}}', status: 400, code: 'ERR_PB_VALIDATION', field: '__proto__' },
  { name: 'constructor key', path: L, body: { ...lead, constructor: 'x' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'constructor' },
  { name: 'impossible date', path: L, body: { ...lead, occurredAt: '2026-13-45T00:00:00Z' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'occurredAt' },
  { name: 'date without a zone', path: L, body: { ...lead, occurredAt: '2026-12-01T10:00:00' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'occurredAt' },
  { name: 'date as a number', path: L, body: { ...lead, occurredAt: 1764583200 }, status: 400, code: 'ERR_PB_VALIDATION', field: 'occurredAt' },
  { name: 'conflicting replay of a lead', path: L, body: { id: 'L-1', clickId: 'other', affiliateId: 'aff-1' }, status: 409, code: 'ERR_PB_IDEMPOTENCY_CONFLICT', field: 'id' },
  // Authentication, scopes and signatures.
  { name: 'no API key', path: L, body: lead, key: null, status: 401, code: 'ERR_PB_UNAUTHORIZED' },
  { name: 'wrong API key', path: L, body: lead, key: 'not-a-configured-key', status: 401, code: 'ERR_PB_UNAUTHORIZED' },
  { name: 'admin key sending an event', path: L, body: lead, key: ADMIN, status: 403, code: 'ERR_PB_FORBIDDEN_SCOPE' },
  { name: 'events key creating an endpoint', path: '/endpoints', body: { affiliateId: 'a', plugin: 'generic', settings: { url: 'http://127.0.0.1/pb' } }, key: EVENTS, status: 403, code: 'ERR_PB_FORBIDDEN_SCOPE' },
  { name: 'events key reading deliveries', method: 'GET', path: '/deliveries?leadId=L-1', key: EVENTS, status: 403, code: 'ERR_PB_FORBIDDEN_SCOPE' },
  { name: 'unsigned request', path: L, body: lead, sign: 'none', status: 401, code: 'ERR_PB_INVALID_SIGNATURE' },
  { name: 'expired signature', path: L, body: lead, sign: 'expired', status: 401, code: 'ERR_PB_INVALID_SIGNATURE' },
  { name: 'signature from the future', path: L, body: lead, sign: 'future', status: 401, code: 'ERR_PB_INVALID_SIGNATURE' },
  { name: 'signature with a wrong secret', path: L, body: lead, sign: 'wrong-secret', status: 401, code: 'ERR_PB_INVALID_SIGNATURE' },
  { name: 'signature over another body', path: L, body: lead, sign: 'tampered', status: 401, code: 'ERR_PB_INVALID_SIGNATURE' },
  { name: 'malformed signature', path: L, body: lead, sign: 'malformed', status: 401, code: 'ERR_PB_INVALID_SIGNATURE' },
  // Amounts and currencies.
  { name: 'amount "NaN"', path: C, body: { ...commission, amount: 'NaN' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'amount "Infinity"', path: C, body: { ...commission, amount: 'Infinity' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'amount 1e21', path: C, body: '{"id":"C-new","leadId":"L-1","amount":1e21}', status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'amount "1e3"', path: C, body: { ...commission, amount: '1e3' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'amount 0.1 + 0.2', path: C, body: { ...commission, amount: 0.1 + 0.2 }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'negative amount', path: C, body: { ...commission, amount: -5 }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'amount "-0.01"', path: C, body: { ...commission, amount: '-0.01' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'amount with 3 decimals', path: C, body: { ...commission, amount: '12.345' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'amount over the configured maximum', path: C, body: { ...commission, amount: '1000000.01' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'amount past the storage digits', path: C, body: { ...commission, amount: '99999999999999' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'hex amount', path: C, body: { ...commission, amount: '0x10' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'decimal comma', path: C, body: { ...commission, amount: '1,50' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'full-width digits', path: C, body: { ...commission, amount: '\uff11\uff12' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'amount as a boolean', path: C, body: { ...commission, amount: true }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'empty amount', path: C, body: { ...commission, amount: '' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'lower-case currency', path: C, body: { ...commission, currency: 'usd' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'currency' },
  { name: 'currency that is not ISO 4217', path: C, body: { ...commission, currency: 'XYZ' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'currency' },
  { name: 'four-letter currency', path: C, body: { ...commission, currency: 'EURO' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'currency' },
  { name: 'commission on an unknown lead', path: C, body: { ...commission, leadId: 'L-missing' }, status: 422, code: 'ERR_PB_UNKNOWN_LEAD', field: 'leadId' },
  { name: 'conflicting replay of a commission', path: C, body: { id: 'C-1', leadId: 'L-1', amount: '11' }, status: 409, code: 'ERR_PB_IDEMPOTENCY_CONFLICT', field: 'id' },
  { name: 'adjustment with amount and delta', path: A, body: { id: 'A-new', commissionId: 'C-1', amount: '1', delta: '-1' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'adjustment with neither', path: A, body: { id: 'A-new', commissionId: 'C-1' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'adjustment below zero', path: A, body: { id: 'A-new', commissionId: 'C-1', delta: '-10.01' }, status: 422, code: 'ERR_PB_NEGATIVE_AMOUNT', field: 'delta' },
  { name: 'adjustment delta over the maximum', path: A, body: { id: 'A-new', commissionId: 'C-1', delta: '-2000000' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'delta' },
  { name: 'adjustment of an unknown commission', path: A, body: { id: 'A-new', commissionId: 'C-missing', delta: '1' }, status: 422, code: 'ERR_PB_UNKNOWN_COMMISSION', field: 'commissionId' },
  // Endpoints, deliveries and routes.
  { name: 'javascript: postback URL', path: '/endpoints', body: { affiliateId: 'a', plugin: 'generic', settings: { url: 'javascript:alert(1)' } }, key: ADMIN, status: 400, code: 'ERR_PB_INVALID_SETTINGS', field: 'settings.url' },
  { name: 'macro in the host', path: '/endpoints', body: { affiliateId: 'a', plugin: 'generic', settings: { url: 'http://{sub1}.example/pb' } }, key: ADMIN, status: 400, code: 'ERR_PB_INVALID_SETTINGS', field: 'settings.url' },
  { name: 'credentials in the URL', path: '/endpoints', body: { affiliateId: 'a', plugin: 'generic', settings: { url: 'http://u:p@127.0.0.1/pb' } }, key: ADMIN, status: 400, code: 'ERR_PB_INVALID_SETTINGS', field: 'settings.url' },
  { name: 'settings as a string', path: '/endpoints', body: { affiliateId: 'a', plugin: 'generic', settings: 'http://127.0.0.1/pb' }, key: ADMIN, status: 400, code: 'ERR_PB_VALIDATION', field: 'settings' },
  { name: '%00 in a query', method: 'GET', path: '/deliveries?leadId=L%00', status: 400, code: 'ERR_PB_VALIDATION', field: 'leadId' },
  { name: 'repeated query parameter', method: 'GET', path: '/deliveries?leadId=a&leadId=b', status: 400, code: 'ERR_PB_VALIDATION', field: 'leadId' },
  { name: 'unknown delivery status filter', method: 'GET', path: '/deliveries?status=lost', status: 400, code: 'ERR_PB_VALIDATION', field: 'status' },
  { name: 'unknown event route', path: '/events/sales', body: lead, status: 404, code: 'ERR_PB_NOT_FOUND' },
  { name: 'wrong method', method: 'PUT', path: L, body: lead, status: 404, code: 'ERR_PB_NOT_FOUND' },
];

describeEachDatabase('bad requests', (target) => {
  let fx: RelayFixture;
  before(async () => {
    fx = await startRelay(target, {
      start: false,
      relay: { apiKeys: [FULL, `${EVENTS}:events`, `${ADMIN}:admin`], signing: { secrets: [SECRET], toleranceSeconds: 300 } },
    });
    await fx.relay.recordLead({ id: 'L-1', clickId: 'c-1', affiliateId: 'aff-1' });
    await fx.relay.recordCommission({ id: 'C-1', leadId: 'L-1', amount: '10' });
  });
  after(() => fx.close());

  function send(entry: BadRequest) {
    const raw = entry.body === undefined ? '' : typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body);
    const now = Math.floor(Date.now() / 1000);
    const sign = entry.sign ?? 'ok';
    const timestamp = sign === 'expired' ? now - 301 : sign === 'future' ? now + 301 : now;
    const signature =
      sign === 'malformed' ? 'sha256=zz' : signRequest(sign === 'wrong-secret' ? 'another-secret-0123456789' : SECRET, timestamp, sign === 'tampered' ? `${raw} ` : raw);
    let req = request(fx.app)[(entry.method ?? 'POST').toLowerCase() as 'post'](`/postbacks${entry.path}`);
    const key = entry.key === undefined ? FULL : entry.key;
    if (key !== null) req = req.set('authorization', `Bearer ${key}`);
    if (sign !== 'none') req = req.set('x-postback-timestamp', String(timestamp)).set('x-postback-signature', signature);
    if (entry.body !== undefined) req = req.set('content-type', entry.contentType ?? 'application/json').send(raw);
    return req;
  }

  it(`has at least 50 cases (${corpus.length})`, () => {
    expect(corpus.length).to.be.at.least(50);
    expect(new Set(corpus.map((entry) => entry.name)).size).to.equal(corpus.length);
  });

  it('answers each with its 4xx and code, naming the field, and changes nothing', async () => {
    const before = await fx.countRows();
    const endpointsBefore = (await fx.relay.endpoints.list()).length;
    for (const entry of corpus) {
      const res = await send(entry);
      const where = `${entry.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
      expect(res.status, where).to.equal(entry.status);
      expect(res.body.error?.code, where).to.equal(entry.code);
      expect(res.body.error.message, where).to.be.a('string').and.not.equal('');
      if (entry.field !== undefined) expect(res.body.error.field, where).to.equal(entry.field);
    }
    expect(await fx.countRows()).to.deep.equal(before);
    expect((await fx.relay.endpoints.list()).length).to.equal(endpointsBefore);
  });

  it('accepts the same requests when made well: the corpus fails for the reason it names', async () => {
    await send({ name: 'good lead', path: L, body: lead, status: 201, code: '' }).expect(201);
    await send({ name: 'good commission', path: C, body: commission, status: 201, code: '' }).expect(201);
  });
});
