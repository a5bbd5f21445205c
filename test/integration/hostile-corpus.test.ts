// A hostile corpus across every route (events, endpoints, deliveries, pixel, dashboard forms), tried as a new user
// would: each request gets its documented 4xx and error code (or pixel rejection), and nothing is stored or changed.

import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import express from 'express';
import type { Express } from 'express';
import request from 'supertest';
import { describeEachDatabase } from '../helpers/databases.js';
import { API_KEY, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';

type Route = 'api' | 'pixel' | 'dashboard';

interface Hostile {
  name: string;
  route?: Route;
  method?: 'GET' | 'POST' | 'PATCH';
  path: string;
  /** Sent as these exact bytes; an object is JSON-encoded. */
  body?: string | Buffer | object;
  headers?: Record<string, string>;
  status: number;
  /** The API's `error.code`; for the pixel, the rejection counted; for a dashboard page, text its error shows. */
  code: string;
  field?: string;
}

const L = '/events/leads';
const C = '/events/commissions';
const A = '/events/adjustments';
const lead = { id: 'L-new', clickId: 'click-1', affiliateId: 'aff-1' };
const commission = { id: 'C-new', leadId: 'L-1', amount: '5.00' };
const adjustment = { id: 'A-new', commissionId: 'C-1', delta: '-1.00' };
const GZIP = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const url = 'http://127.0.0.1:9/pb?cid={click_id}';

/** A JSON body whose `field` holds `bytes` (not valid UTF-8) inside its string. */
function withBytes(base: Record<string, unknown>, field: string, bytes: number[]): Buffer {
  const marker = 'BYTES-HERE';
  const [before = '', after = ''] = JSON.stringify({ ...base, [field]: `x${marker}` }).split(marker);
  return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
}
const BAD_UTF8: Array<[string, number[]]> = [
  ['a 0xFF byte', [0xff]],
  ['a lone continuation byte', [0x80]],
  ['an overlong "/"', [0xc0, 0xaf]],
  ['a truncated euro sign', [0xe2, 0x82]],
  ['an encoded surrogate', [0xed, 0xa0, 0x80]],
];

const events: Hostile[] = [
  // Bodies that cannot be decoded.
  { name: 'corrupt gzip body', path: L, body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02]), headers: GZIP, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'truncated gzip body', path: L, body: gzipSync(JSON.stringify(lead)).subarray(0, 20), headers: GZIP, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'plain JSON labelled gzip', path: L, body: JSON.stringify(lead), headers: GZIP, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'plain JSON labelled deflate', path: C, body: JSON.stringify(commission), headers: { ...GZIP, 'content-encoding': 'deflate' }, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'plain JSON labelled br', path: A, body: JSON.stringify(adjustment), headers: { ...GZIP, 'content-encoding': 'br' }, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'unknown content encoding', path: L, body: JSON.stringify(lead), headers: { ...GZIP, 'content-encoding': 'compress' }, status: 415, code: 'ERR_PB_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'gzip of invalid JSON', path: L, body: gzipSync('{"id":'), headers: GZIP, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'gzip of a duplicate key', path: L, body: gzipSync('{"id":"L-new","clickId":"c","affiliateId":"a","clickId":"d"}'), headers: GZIP, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'UTF-16 charset with UTF-8 bytes', path: L, body: JSON.stringify(lead), headers: { 'content-type': 'application/json; charset=utf-16le' }, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'UTF-32 charset with UTF-8 bytes', path: L, body: JSON.stringify(lead), headers: { 'content-type': 'application/json; charset=utf-32' }, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'UTF-32 charset with UTF-32 bytes', path: L, body: Buffer.from(Array.from(JSON.stringify(lead)).flatMap((char) => [char.charCodeAt(0), 0, 0, 0])), headers: { 'content-type': 'application/json; charset=utf-32le' }, status: 415, code: 'ERR_PB_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'latin1 charset', path: L, body: JSON.stringify(lead), headers: { 'content-type': 'application/json; charset=latin1' }, status: 415, code: 'ERR_PB_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'a NUL after the JSON', path: L, body: `${JSON.stringify(lead)}\u0000`, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'empty JSON body', path: L, body: '', status: 400, code: 'ERR_PB_VALIDATION' },
  { name: 'duplicate key in a commission', path: C, body: '{"id":"C-new","leadId":"L-1","amount":"5","amount":"500"}', status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'duplicate key in an adjustment', path: A, body: '{"id":"A-new","commissionId":"C-1","delta":"-1","delta":"-9"}', status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  // Amounts: exponents and numbers a double cannot hold as written, on the raw text.
  ...['1e3', '1E3', '1250E-2', '1.25e+1', '-0e0', '5E0'].map((literal): Hostile => ({ name: `amount ${literal} as a JSON number`, path: C, body: `{"id":"C-new","leadId":"L-1","amount":${literal}}`, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' })),
  ...['-1e0', '1E-2', '-25e-1'].map((literal): Hostile => ({ name: `delta ${literal} as a JSON number`, path: A, body: `{"id":"A-new","commissionId":"C-1","delta":${literal}}`, status: 400, code: 'ERR_PB_VALIDATION', field: 'delta' })),
  { name: 'new amount 2e1 on an adjustment', path: A, body: '{"id":"A-new","commissionId":"C-1","amount":2e1}', status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'amount with 20 significant digits', path: C, body: '{"id":"C-new","leadId":"L-1","amount":12.500000000000000001}', status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'amount 1234567890123456', path: C, body: '{"id":"C-new","leadId":"L-1","amount":1234567890123456}', status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'an exponent in an unknown field', path: L, body: '{"id":"L-new","clickId":"c","affiliateId":"a","x":1e3}', status: 400, code: 'ERR_PB_VALIDATION', field: 'x' },
  // Amounts: padded, signed or otherwise not a plain decimal string.
  ...[' 12.50', '12.50 ', '12.50\n', '\t12.50', '\u00a012.50', '\ufeff12.50', '12.50\u200b', '+12.50', '12.', '.5', '1_000', '\u0661\u0662', '12.50USD', '', '1 000'].flatMap((amount): Hostile[] => [
    { name: `amount ${JSON.stringify(amount)}`, path: C, body: { ...commission, amount }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
    { name: `delta ${JSON.stringify(amount.replace('12', '-12'))}`, path: A, body: { ...adjustment, delta: amount.replace('12', '-12') }, status: 400, code: 'ERR_PB_VALIDATION', field: 'delta' },
  ]),
  // Dates: real calendar dates only, 1970..9999 in UTC.
  ...[
    '2026-02-30T00:00:00Z',
    '2026-02-29T12:00:00Z',
    '2025-04-31T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-12-01T24:00:00Z',
    '2026-12-01T23:60:00Z',
    '2026-12-01T23:59:60Z',
    '2026-12-01T10:00:00+24:00',
    '2026-12-01T10:00:00+01:60',
    '9999-12-31T23:59:59-01:00',
    '0000-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '1970-01-01T00:30:00+01:00',
    '2026-12-01',
    '2026-12-01T10:00:00+0100',
    '2026-12-01t10:00:00z',
    ' 2026-12-01T10:00:00Z',
  ].flatMap((occurredAt): Hostile[] => [
    { name: `lead occurredAt ${occurredAt}`, path: L, body: { ...lead, occurredAt }, status: 400, code: 'ERR_PB_VALIDATION', field: 'occurredAt' },
    { name: `commission occurredAt ${occurredAt}`, path: C, body: { ...commission, occurredAt }, status: 400, code: 'ERR_PB_VALIDATION', field: 'occurredAt' },
  ]),
  { name: 'adjustment occurredAt 30 February', path: A, body: { ...adjustment, occurredAt: '2026-02-30T00:00:00Z' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'occurredAt' },
  { name: 'adjustment occurredAt in year 10000 UTC', path: A, body: { ...adjustment, occurredAt: '9999-12-31T23:30:00-02:00' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'occurredAt' },
  // Text: bytes that are not UTF-8, in every text field.
  ...(['id', 'clickId', 'affiliateId', 'offerId', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const).flatMap((field, index): Hostile[] => {
    const [what, bytes] = BAD_UTF8[index % BAD_UTF8.length] ?? ['a 0xFF byte', [0xff]];
    return [{ name: `${what} in ${field}`, path: L, body: withBytes(lead, field, bytes), status: 400, code: 'ERR_PB_MALFORMED_BODY' }];
  }),
  ...BAD_UTF8.map(([what, bytes]): Hostile => ({ name: `${what} in a commission id`, path: C, body: withBytes(commission, 'id', bytes), status: 400, code: 'ERR_PB_MALFORMED_BODY' })),
  { name: 'a 0xFF byte in an adjustment reason', path: A, body: withBytes(adjustment, 'reason', [0xff]), status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'a 0xFF byte in a key', path: L, body: Buffer.concat([Buffer.from('{"id":"L-new","clickId":"c","affiliateId":"a","s'), Buffer.from([0xff]), Buffer.from('":"x"}')]), status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  // Text: what a valid encoding still must not carry.
  ...['\u0085', '\u009b', 'a\u0000', 'a\u001b[31m', 'a\tb'].map((sub1): Hostile => ({ name: `sub1 ${JSON.stringify(sub1)}`, path: L, body: { ...lead, sub1 }, status: 400, code: 'ERR_PB_VALIDATION', field: 'sub1' })),
  { name: 'offerId padded with an NBSP', path: L, body: { ...lead, offerId: 'offer\u00a0' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'offerId' },
  { name: 'reason with a newline at the end', path: A, body: { ...adjustment, reason: 'refund\n' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'reason' },
  { name: 'currency in lower case', path: C, body: { ...commission, currency: 'usd' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'currency' },
  { name: 'currency padded', path: C, body: { ...commission, currency: 'USD ' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'currency' },
  { name: 'both amount and delta', path: A, body: { ...adjustment, amount: '3' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'neither amount nor delta', path: A, body: { id: 'A-new', commissionId: 'C-1' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'amount' },
  { name: 'an event as an array of events', path: L, body: [lead], status: 400, code: 'ERR_PB_VALIDATION' },
];

const endpointBody = { affiliateId: 'aff-1', plugin: 'generic', settings: { url } };
const endpoints: Hostile[] = [
  ...(['\r', '\n', '\t', '\u0000', '\u007f', '\u0085', '\r\nX-Injected: 1'] as const).flatMap((control): Hostile[] => [
    { name: `URL template with ${JSON.stringify(control)}`, path: '/endpoints', body: { ...endpointBody, settings: { url: `http://127.0.0.1:9/pb?cid={click_id}${control}&x=1` } }, status: 400, code: 'ERR_PB_INVALID_SETTINGS', field: 'settings.url' },
  ]),
  { name: 'URL template with a TAB in the host', path: '/endpoints', body: { ...endpointBody, settings: { url: 'http://127.0.\t0.1:9/pb' } }, status: 400, code: 'ERR_PB_INVALID_SETTINGS', field: 'settings.url' },
  { name: 'patching a URL template to carry a LF', method: 'PATCH', path: '/endpoints/:endpoint', body: { settings: { url: `${url}\n` } }, status: 400, code: 'ERR_PB_INVALID_SETTINGS', field: 'settings.url' },
  { name: 'browser pixel URL with CR', path: '/endpoints', body: { affiliateId: 'aff-1', plugin: 'browser', settings: { url: 'https://trk.example/px?cid={click_id}\r' } }, status: 400, code: 'ERR_PB_INVALID_SETTINGS', field: 'settings.url' },
  { name: 'tracker base URL with LF', path: '/endpoints', body: { affiliateId: 'aff-1', plugin: 'bemob', settings: { baseUrl: 'https://trk.example\n.evil' } }, status: 400, code: 'ERR_PB_INVALID_SETTINGS', field: 'settings.baseUrl' },
  { name: 'tracker setting with a TAB', path: '/endpoints', body: { affiliateId: 'aff-1', plugin: 'bemob', settings: { baseUrl: 'https://trk.example', leadEvent: 'lead\t' } }, status: 400, code: 'ERR_PB_INVALID_SETTINGS', field: 'settings.leadEvent' },
  { name: 'duplicate key in an endpoint', path: '/endpoints', body: `{"affiliateId":"aff-1","plugin":"generic","settings":{"url":"${url}","url":"http://127.0.0.1:9/x"}}`, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'exponent in the settings', path: '/endpoints', body: `{"affiliateId":"aff-1","plugin":"generic","settings":{"url":"${url}","timeout":1e3}}`, status: 400, code: 'ERR_PB_VALIDATION', field: 'settings.timeout' },
  { name: 'a 0xFF byte in the affiliateId', path: '/endpoints', body: withBytes(endpointBody, 'affiliateId', [0xff]), status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'an overlong byte pair in a name', path: '/endpoints', body: withBytes(endpointBody, 'name', [0xc1, 0x81]), status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'affiliateId padded', path: '/endpoints', body: { ...endpointBody, affiliateId: ' aff-1' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'affiliateId' },
  { name: 'repeated event', path: '/endpoints', body: { ...endpointBody, events: ['lead_created', 'lead_created'] }, status: 400, code: 'ERR_PB_VALIDATION', field: 'events' },
  { name: 'no events', path: '/endpoints', body: { ...endpointBody, events: [] }, status: 400, code: 'ERR_PB_VALIDATION', field: 'events' },
  { name: 'an unknown event', path: '/endpoints', body: { ...endpointBody, events: ['sale'] }, status: 400, code: 'ERR_PB_VALIDATION', field: 'events[0]' },
  { name: 'enabled as a string', path: '/endpoints', body: { ...endpointBody, enabled: 'true' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'enabled' },
  { name: 'settings as an array', path: '/endpoints', body: { ...endpointBody, settings: [url] }, status: 400, code: 'ERR_PB_VALIDATION', field: 'settings' },
  { name: 'settings null', path: '/endpoints', body: { ...endpointBody, settings: null }, status: 400, code: 'ERR_PB_VALIDATION', field: 'settings' },
  { name: 'unknown plugin', path: '/endpoints', body: { ...endpointBody, plugin: 'nope' }, status: 400, code: 'ERR_PB_UNKNOWN_PLUGIN', field: 'plugin' },
  { name: 'name with an escape sequence', path: '/endpoints', body: { ...endpointBody, name: 'a\u001b[2J' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'name' },
  { name: 'patch with an unknown field', method: 'PATCH', path: '/endpoints/:endpoint', body: { enable: false }, status: 400, code: 'ERR_PB_VALIDATION', field: 'enable' },
  { name: 'patch with a padded offerId', method: 'PATCH', path: '/endpoints/:endpoint', body: { offerId: 'o-1 ' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'offerId' },
  { name: 'patch labelled gzip', method: 'PATCH', path: '/endpoints/:endpoint', body: JSON.stringify({ enabled: false }), headers: GZIP, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'patch of an unknown endpoint', method: 'PATCH', path: '/endpoints/999999', body: { enabled: false }, status: 404, code: 'ERR_PB_NOT_FOUND' },
  { name: 'endpoint list by a padded affiliate', method: 'GET', path: '/endpoints?affiliateId=%20aff-1', status: 400, code: 'ERR_PB_VALIDATION', field: 'affiliateId' },
  { name: 'endpoint list by two affiliates', method: 'GET', path: '/endpoints?affiliateId=a&affiliateId=b', status: 400, code: 'ERR_PB_VALIDATION', field: 'affiliateId' },
  { name: 'endpoint with an adjustment mode that is none', path: '/endpoints', body: { ...endpointBody, adjustmentMode: 'clawback' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'adjustmentMode' },
  { name: 'endpoint with an adjustment mode its plugin does not support', path: '/endpoints', body: { ...endpointBody, adjustmentMode: 'status' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'adjustmentMode' },
  ...['0', '501', 'abc'].map((limit): Hostile => ({ name: `drift limit ${limit}`, method: 'GET', path: `/endpoints/1/drift?limit=${limit}`, status: 400, code: 'ERR_PB_VALIDATION', field: 'limit' })),
  { name: 'drift since on 30 February', method: 'GET', path: '/endpoints/1/drift?since=2026-02-30T00:00:00Z', status: 400, code: 'ERR_PB_VALIDATION', field: 'since' },
  { name: 'drift after given twice', method: 'GET', path: '/endpoints/1/drift?after=a&after=b', status: 400, code: 'ERR_PB_VALIDATION', field: 'after' },
];

const deliveries: Hostile[] = [
  ...['0', '501', 'abc', '1e2', '-1', '10.5', '%2010'].map((limit): Hostile => ({ name: `limit ${limit}`, method: 'GET', path: `/deliveries?limit=${limit}`, status: 400, code: 'ERR_PB_VALIDATION', field: 'limit' })),
  { name: 'limit given twice', method: 'GET', path: '/deliveries?limit=1&limit=2', status: 400, code: 'ERR_PB_VALIDATION', field: 'limit' },
  { name: 'since on 30 February', method: 'GET', path: '/deliveries?since=2026-02-30T00:00:00Z', status: 400, code: 'ERR_PB_VALIDATION', field: 'since' },
  { name: 'until in year 0000', method: 'GET', path: '/deliveries?until=0000-01-01T00:00:00Z', status: 400, code: 'ERR_PB_VALIDATION', field: 'until' },
  // Every delivery status is searchable (an operator looks for the unconfirmed ones); a word that is none is refused.
  { name: 'status that is no delivery status', method: 'GET', path: '/deliveries?status=held', status: 400, code: 'ERR_PB_VALIDATION', field: 'status' },
  { name: 'replay-failed with a numeric endpointId', path: '/deliveries/replay-failed', body: { endpointId: 1 }, status: 400, code: 'ERR_PB_VALIDATION', field: 'endpointId' },
  { name: 'replay-failed with a padded endpointId', path: '/deliveries/replay-failed', body: { endpointId: ' 1' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'endpointId' },
  { name: 'replay-failed since year 10000 UTC', path: '/deliveries/replay-failed', body: { endpointId: '1', since: '9999-12-31T23:59:59-05:00' }, status: 400, code: 'ERR_PB_VALIDATION', field: 'since' },
  { name: 'replay-failed with an unknown field', path: '/deliveries/replay-failed', body: { endpointId: '1', all: true }, status: 400, code: 'ERR_PB_VALIDATION', field: 'all' },
  { name: 'replay-failed with a corrupt gzip body', path: '/deliveries/replay-failed', body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]), headers: GZIP, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'test postback without an endpoint', path: '/deliveries/test', body: {}, status: 400, code: 'ERR_PB_VALIDATION', field: 'endpointId' },
  { name: 'test postback with a 0xFF byte', path: '/deliveries/test', body: withBytes({}, 'endpointId', [0xff]), status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'test postback with an exponent', path: '/deliveries/test', body: '{"endpointId":1e0}', status: 400, code: 'ERR_PB_VALIDATION', field: 'endpointId' },
  { name: 'replay of an unknown delivery', path: '/deliveries/999999/replay', status: 404, code: 'ERR_PB_NOT_FOUND' },
];

const hit = (query: string): string => `/pixel.gif?${query}`;
const pixel: Hostile[] = [
  { name: 'image pixel without a click', method: 'GET', path: hit('aff=aff-1'), status: 200, code: 'missing_click_id' },
  { name: 'image pixel without an affiliate', method: 'GET', path: hit('click_id=c-1'), status: 200, code: 'missing_affiliate' },
  { name: 'image pixel with a bad fill id', method: 'GET', path: hit('click_id=c-1&aff=aff-1&fid=short'), status: 200, code: 'bad_fill_id' },
  { name: 'image pixel with %FF in the affiliate', method: 'GET', path: hit('click_id=c-1&aff=%FF'), status: 200, code: 'invalid' },
  { name: 'image pixel with an overlong %C0%AF', method: 'GET', path: hit('click_id=c-1&aff=a%C0%AF'), status: 200, code: 'invalid' },
  { name: 'image pixel with a broken escape', method: 'GET', path: hit('click_id=c-1&aff=a%E2%82'), status: 200, code: 'invalid' },
  { name: 'image pixel with a padded click', method: 'GET', path: hit('click_id=%20c-1&aff=aff-1'), status: 200, code: 'invalid' },
  { name: 'image pixel with CR LF in sub1', method: 'GET', path: hit('click_id=c-1&aff=aff-1&sub1=a%0D%0Ab'), status: 200, code: 'invalid' },
  { name: 'image pixel with a 300-character click', method: 'GET', path: hit(`click_id=${'c'.repeat(300)}&aff=aff-1`), status: 200, code: 'invalid' },
  { name: 'image pixel with a click of ".."', method: 'GET', path: hit('click_id=..&aff=aff-1'), status: 200, code: 'invalid' },
  { name: 'confirmation with %FF in the click', method: 'GET', path: '/pixel/lead?click_id=%FF&aff=aff-1', status: 400, code: 'invalid' },
  { name: 'confirmation with a zero-width click', method: 'GET', path: '/pixel/lead?click_id=a%E2%80%8Bb&aff=aff-1', status: 400, code: 'invalid' },
  { name: 'confirmation without an affiliate', method: 'GET', path: '/pixel/lead?click_id=c-1', status: 400, code: 'missing_affiliate' },
  { name: 'beacon with a raw 0xFF byte', path: '/pixel/lead', body: Buffer.concat([Buffer.from('click_id=c-1&aff=a'), Buffer.from([0xff])]), headers: form, status: 400, code: 'invalid' },
  { name: 'beacon with %FF', path: '/pixel/lead', body: 'click_id=c-1&aff=%FF', headers: form, status: 400, code: 'invalid' },
  { name: 'beacon over 8 KB', path: '/pixel/lead', body: `click_id=c-1&aff=aff-1&sub1=${'x'.repeat(9000)}`, headers: form, status: 400, code: 'invalid' },
  { name: 'beacon labelled gzip', path: '/pixel/lead', body: 'click_id=c-1&aff=aff-1', headers: { ...form, 'content-encoding': 'gzip' }, status: 400, code: 'invalid' },
  { name: 'beacon as JSON', path: '/pixel/lead', body: JSON.stringify({ click_id: 'c-1', aff: 'aff-1' }), headers: { 'content-type': 'application/json' }, status: 400, code: 'missing_click_id' },
  { name: 'beacon with a tab in offer', path: '/pixel/lead', body: 'click_id=c-1&aff=aff-1&offer=o%091', headers: form, status: 400, code: 'invalid' },
].map((entry): Hostile => ({ ...entry, route: 'pixel' } as Hostile));

const dashForm = (fields: Record<string, string | string[]>): string =>
  Object.entries({ plugin: 'generic', affiliateId: 'aff-1', settingsJson: JSON.stringify({ url }), events: ['lead_created'], enabled: 'on', ...fields })
    .flatMap(([key, value]) => ([] as string[]).concat(value).map((item) => `${encodeURIComponent(key)}=${encodeURIComponent(item)}`))
    .join('&');
const tooManyFields = Array.from({ length: 250 }, (_, index) => `f${index}=x`).join('&');
const dashboard: Hostile[] = [
  { name: 'form settings with a duplicate key', path: '/endpoints', body: dashForm({ settingsJson: `{"url":"${url}","url":"http://127.0.0.1:9/x"}` }), status: 400, code: 'appears twice' },
  { name: 'form settings with an exponent', path: '/endpoints', body: dashForm({ settingsJson: `{"url":"${url}","n":1e3}` }), status: 400, code: 'cannot be read exactly' },
  { name: 'form settings not JSON', path: '/endpoints', body: dashForm({ settingsJson: '{url:' }), status: 400, code: 'must be valid JSON' },
  { name: 'form settings as an array', path: '/endpoints', body: dashForm({ settingsJson: '[]' }), status: 400, code: 'must be a JSON object' },
  { name: 'form with a padded affiliate', path: '/endpoints', body: dashForm({ affiliateId: 'aff-1 ' }), status: 400, code: 'must not start or end with whitespace' },
  { name: 'form with an unknown event', path: '/endpoints', body: dashForm({ events: ['lead_created', 'sale'] }), status: 400, code: 'must be one of' },
  { name: 'form with a URL carrying CR LF', path: '/endpoints', body: dashForm({ settingsJson: JSON.stringify({ url: `${url}\r\n` }) }), status: 400, code: 'must not contain control characters' },
  { name: 'form with a raw 0xFF byte', path: '/endpoints', body: Buffer.concat([Buffer.from(dashForm({}).replace('affiliateId=aff-1', 'affiliateId=a')), Buffer.from([0xff])]), status: 400, code: 'not valid UTF-8' },
  { name: 'form with %FF', path: '/endpoints', body: dashForm({}).replace('affiliateId=aff-1', 'affiliateId=%FF'), status: 400, code: 'not valid UTF-8' },
  { name: 'form with too many fields', path: '/endpoints', body: tooManyFields, status: 400, code: 'too many fields' },
  { name: 'form labelled gzip', path: '/endpoints', body: dashForm({}), headers: { ...form, 'content-encoding': 'gzip' }, status: 400, code: 'could not be read' },
  { name: 'update form with a duplicate settings key', path: '/endpoints/:endpoint', body: dashForm({ settingsJson: `{"url":"${url}","url":"http://127.0.0.1:9/y"}` }), status: 400, code: 'appears twice' },
  { name: 'update form with an impossible plugin', path: '/endpoints/:endpoint', body: dashForm({ plugin: 'nope' }), status: 400, code: 'is not registered' },
  { name: 'preview with too many fields', path: '/preview', body: tooManyFields, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'preview labelled gzip', path: '/preview', body: dashForm({}), headers: { ...form, 'content-encoding': 'gzip' }, status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'preview with a raw 0xFF byte', path: '/preview', body: Buffer.concat([Buffer.from(dashForm({})), Buffer.from([0xff])]), status: 400, code: 'ERR_PB_MALFORMED_BODY' },
  { name: 'preview with duplicate settings keys', path: '/preview', body: dashForm({ settingsJson: `{"url":"${url}","url":"http://127.0.0.1:9/z"}` }), status: 400, code: 'ERR_PB_VALIDATION', field: 'settings' },
  { name: 'preview with a URL carrying TAB', path: '/preview', body: dashForm({ settingsJson: JSON.stringify({ url: `${url}\t` }) }), status: 400, code: 'ERR_PB_INVALID_SETTINGS', field: 'settings.url' },
  { name: 'delivery search since 30 February', method: 'GET', path: '/deliveries?since=2026-02-30T10:00', status: 400, code: 'is not a real date' },
].map((entry): Hostile => ({ ...entry, route: 'dashboard', headers: entry.headers ?? form } as Hostile));

const corpus: Hostile[] = [...events, ...endpoints, ...deliveries, ...pixel, ...dashboard];

describeEachDatabase('hostile corpus', (target) => {
  let fx: RelayFixture;
  let app: Express;
  let endpointId: string;
  let csrf: string;

  before(async () => {
    fx = await startRelay(target, { start: false, relay: { rateLimit: false } });
    app = express();
    app.use('/postbacks/admin', fx.relay.dashboard);
    app.use('/postbacks', fx.relay.pixel);
    app.use('/postbacks', fx.relay.router);
    await fx.relay.recordLead({ id: 'L-1', clickId: 'c-1', affiliateId: 'aff-1' });
    await fx.relay.recordCommission({ id: 'C-1', leadId: 'L-1', amount: '10' });
    endpointId = (await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url } })).id;
    csrf = /name="_csrf" value="([^"]+)"/.exec((await request(app).get('/postbacks/admin/endpoints/new')).text)?.[1] ?? '';
    expect(csrf).to.not.equal('');
  });
  after(() => fx.close());

  /** Every stored row, and every endpoint as saved: what a refused request must leave as it was. */
  async function snapshot(): Promise<unknown> {
    return { rows: await fx.countRows(), endpoints: JSON.stringify(await fx.relay.endpoints.list()) };
  }

  function send(entry: Hostile) {
    const route = entry.route ?? 'api';
    const path = entry.path.replace(':endpoint', endpointId);
    const mount = route === 'dashboard' ? '/postbacks/admin' : '/postbacks';
    let req = request(app)[(entry.method ?? 'POST').toLowerCase() as 'post'](`${mount}${path}`);
    if (route === 'api') req = req.set('authorization', `Bearer ${API_KEY}`);
    const headers = entry.headers ?? (entry.body === undefined ? {} : { 'content-type': 'application/json' });
    for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
    if (entry.body === undefined) return req;
    let body: string | Buffer = typeof entry.body === 'string' || Buffer.isBuffer(entry.body) ? entry.body : JSON.stringify(entry.body);
    if (route === 'dashboard' && entry.method !== 'GET') body = Buffer.concat([Buffer.from(`_csrf=${encodeURIComponent(csrf)}&`), Buffer.from(body)]);
    // superagent would JSON-encode a Buffer sent as application/json: the bytes must go as they are.
    return req.serialize((value: unknown) => value as string).send(body);
  }

  it(`has at least 150 distinct cases across every route (${corpus.length})`, () => {
    expect(corpus.length).to.be.at.least(150);
    expect(new Set(corpus.map((entry) => entry.name)).size).to.equal(corpus.length);
    for (const route of ['api', 'pixel', 'dashboard'] as const) expect(corpus.some((entry) => (entry.route ?? 'api') === route), route).to.equal(true);
  });

  it('refuses each with its status and code, naming the field, and stores or changes nothing', async () => {
    for (const entry of corpus) {
      const before = await snapshot();
      const rejectedBefore = fx.relay.pixelStats().rejected;
      const res = await send(entry);
      const where = `${entry.name}: ${res.status} ${(res.text || '').slice(0, 300)}`;
      expect(res.status, where).to.equal(entry.status);
      const route = entry.route ?? 'api';
      if (route === 'pixel') {
        const rejected = fx.relay.pixelStats().rejected;
        expect((rejected[entry.code] ?? 0) - (rejectedBefore[entry.code] ?? 0), where).to.equal(1);
      } else if (res.type === 'application/json') {
        expect(res.body.error?.code, where).to.equal(entry.code);
        expect(res.body.error.message, where).to.be.a('string').and.not.equal('');
        expect(res.body.error.field, where).to.equal(entry.field ?? res.body.error.field);
        if (entry.code === 'ERR_PB_MALFORMED_BODY') expect(res.body.error.field, where).to.equal(null);
      } else {
        expect(route, where).to.equal('dashboard');
        expect(res.text.replace(/&quot;|&#39;/g, '"'), where).to.include(entry.code);
      }
      expect(await snapshot(), where).to.deep.equal(before);
    }
  });

  it('accepts the well-made twins of the corpus, so each case fails for the reason it names', async () => {
    const auth = { authorization: `Bearer ${API_KEY}` };
    const twins: Array<[string, string | Buffer, Record<string, string>?]> = [
      [L, gzipSync(JSON.stringify({ ...lead, id: 'L-gz' })), GZIP],
      [L, JSON.stringify({ ...lead, id: 'L-edge-dates', occurredAt: '2028-02-29T23:59:59.999+00:00' })],
      [L, JSON.stringify({ ...lead, id: 'L-epoch', occurredAt: '1970-01-01T01:00:00+01:00' })],
      [L, JSON.stringify({ ...lead, id: 'L-9999', occurredAt: '9999-12-31T23:59:59Z' })],
      [L, JSON.stringify({ ...lead, id: 'L-unicode', affiliateId: 'affilié-€', sub1: '日本語 😀' })],
      [C, '{"id":"C-num","leadId":"L-1","amount":12.5}'],
      [C, '{"id":"C-zeros","leadId":"L-1","amount":1.500000000000000000}'],
      [A, '{"id":"A-num","commissionId":"C-1","delta":-0.25}'],
      [L, Buffer.from(JSON.stringify({ ...lead, id: 'L-utf16', sub1: 'é' }), 'utf16le'), { 'content-type': 'application/json; charset=utf-16le' }],
    ];
    for (const [path, body, headers = { 'content-type': 'application/json' }] of twins) {
      const res = await request(app).post(`/postbacks${path}`).set(auth).set(headers).serialize((value: unknown) => value as string).send(body);
      expect(res.status, `${String(body).slice(0, 80)}: ${res.text}`).to.equal(201);
    }
    const stored = await fx.relay.knex(`${fx.prefix}leads`).where('external_id', 'L-9999').first();
    expect(stored, 'a lead of year 9999 is stored').to.not.equal(undefined);
    const created = await request(app).post('/postbacks/endpoints').set(auth).send({ ...endpointBody, settings: { url: `${url}&t=%09` } });
    expect(created.status, created.text).to.equal(201);
    const gif = await request(app).get('/postbacks/pixel.gif?click_id=c-2&aff=aff-%C3%A9');
    expect(gif.status).to.equal(200);
    expect(fx.relay.pixelStats().recorded).to.equal(1);
  });
});
