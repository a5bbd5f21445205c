// Properties: random bodies never crash the server, and a refused one stores nothing (no partial row, on any table);
// and the input contract is the gate: a body it accepts is stored and answered 201, one it refuses stores nothing.

import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import type { z } from 'zod';
import { adjustmentSchema, commissionSchema, leadSchema } from '../../lib/events/schemas.js';
import { inspectJson } from '../../lib/http/json-shape.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';

const ROUTES = ['/events/leads', '/events/commissions', '/events/adjustments'] as const;
const ID_OF = { '/events/leads': 'id', '/events/commissions': 'id', '/events/adjustments': 'id' } as const;

const scalar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('L-1', 'C-1', 'aff-1', '', ' ', '0', '-1', '1e3', 'NaN', '12.50', '999999999999999', '..', 'USD', 'usd', 'XXX'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const fieldNames = fc.constantFrom('id', 'clickId', 'affiliateId', 'offerId', 'sub1', 'leadId', 'commissionId', 'amount', 'delta', 'currency', 'reason', 'occurredAt', '__proto__', 'x');
const token = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
/** Bodies close to real events (known field names, hostile values), events that may well be valid, and fully random JSON. */
const body = fc.oneof(
  fc.record({ id: token, clickId: token, affiliateId: token, sub1: fc.option(scalar, { nil: undefined }) }, { requiredKeys: ['id', 'clickId', 'affiliateId'] }),
  fc.record({ id: token, leadId: fc.constantFrom('L-1', 'L-2'), amount: fc.oneof(scalar, fc.constantFrom('1', '0.5', '12.34')), currency: fc.option(fc.constantFrom('USD', 'EUR', 'usd', 'ZZZ'), { nil: undefined }) }, { requiredKeys: ['id', 'leadId', 'amount'] }),
  fc.record({ id: token, commissionId: fc.constantFrom('C-1', 'C-2'), delta: fc.oneof(scalar, fc.constantFrom('-1', '0.25', '-20')) }),
  fc.dictionary(fieldNames, fc.oneof(scalar, fc.jsonValue({ maxDepth: 3 })), { maxKeys: 8 }),
  fc.jsonValue({ maxDepth: 4 }),
);

// Near-valid events: every field drawn from good values and the hostile classes the contract must refuse.
const hostileText = fc.constantFrom(' a', 'a ', 'a\n', '\u00a0a', '\ufeffa', 'a\u0000', 'a\tb', '..', '', 'x'.repeat(192), 'a\u0085', '\ud800');
const text = fc.oneof({ weight: 4, arbitrary: token }, { weight: 1, arbitrary: hostileText }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) });
const digits = (max: number) => fc.stringMatching(new RegExp(`^\\d{1,${max}}$`));
const decimalText = fc.tuple(fc.constantFrom('', '-'), digits(14), fc.option(digits(7), { nil: undefined })).map(([sign, whole, fraction]) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}`);
const amount = fc.oneof(
  decimalText,
  decimalText.map((value) => ` ${value}`),
  fc.constantFrom('1e3', '12.50\n', '+1', '.5', '1.', '0x10', 'NaN'),
  fc.integer({ min: -1000, max: 10_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e7, max: 1e22 }),
);
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const occurredAt = fc.oneof(
  fc.date({ min: new Date(-2e13), max: new Date(3e14), noInvalidDate: true }).map((date) => date.toISOString()),
  fc
    .record({ y: fc.integer({ min: 0, max: 9999 }), mo: fc.integer({ min: 0, max: 13 }), d: fc.integer({ min: 0, max: 32 }), h: fc.integer({ min: 0, max: 25 }), zone: fc.constantFrom('Z', '+00:00', '-01:00', '+14:00', '+24:00') })
    .map(({ y, mo, d, h, zone }) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:00:00${zone}`),
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const CONTRACT_ROUTES = {
  '/events/leads': {
    schema: leadSchema as z.ZodType,
    body: fc.record({ clickId: text, affiliateId: text, offerId: maybe(text), sub1: maybe(text), sub5: maybe(text), occurredAt: maybe(occurredAt) }, { requiredKeys: ['clickId', 'affiliateId'] }),
  },
  '/events/commissions': {
    schema: commissionSchema as z.ZodType,
    body: fc.record({ leadId: fc.constant('L-1'), amount, currency: maybe(fc.constantFrom('USD', 'EUR', 'usd', 'ZZZ', ' USD')), occurredAt: maybe(occurredAt) }, { requiredKeys: ['leadId', 'amount'] }),
  },
  // A new payout, never a delta: a delta could take the commission below zero, a refusal the schema cannot see.
  '/events/adjustments': {
    schema: adjustmentSchema as z.ZodType,
    body: fc.record({ commissionId: fc.constant('C-1'), amount, reason: maybe(text), occurredAt: maybe(occurredAt) }, { requiredKeys: ['commissionId', 'amount'] }),
  },
} as const;

/** What the contract says of a body's text: decoded and checked as the router does, then the route's schema. */
function contractAccepts(route: keyof typeof CONTRACT_ROUTES, raw: string): boolean {
  return inspectJson(raw) === undefined && CONTRACT_ROUTES[route].schema.safeParse(JSON.parse(raw)).success;
}

describeEachDatabase('random event bodies (property)', (target) => {
  let fx: RelayFixture;
  before(async () => {
    // Limits as wide as the storage: the schema's rules are then the whole gate.
    fx = await startRelay(target, { start: false, relay: { rateLimit: false, amounts: { maxDecimals: 6, maxAmount: '9999999999999.999999' } } });
    await fx.relay.recordLead({ id: 'L-1', clickId: 'c-1', affiliateId: 'aff-1' });
    await fx.relay.recordCommission({ id: 'C-1', leadId: 'L-1', amount: '10' });
  });
  after(() => fx.close());

  it('answers every body with 201 or a documented 4xx, and a 4xx changes no row', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), body, async (route, value) => {
        const before = await fx.countRows();
        const res = await request(fx.app).post(`/postbacks${route}`).set(auth).set('content-type', 'application/json').send(JSON.stringify(value));
        expect([201, 400, 409, 413, 422], JSON.stringify(res.body)).to.include(res.status);
        statuses.add(res.status);
        const after = await fx.countRows();
        if (res.status !== 201) {
          expect(res.body.error.code).to.match(/^ERR_PB_/);
          expect(after).to.deep.equal(before);
          return;
        }
        // Accepted: the whole event was stored (or it was a replay of one that was), never a part of it.
        const id = (value as Record<string, unknown>)[ID_OF[route]];
        expect(res.body.data.id).to.equal(id);
        const added = Object.values(after).reduce((sum, n) => sum + n, 0) - Object.values(before).reduce((sum, n) => sum + n, 0);
        expect(added).to.equal(res.get('Idempotent-Replayed') === 'true' ? 0 : 1);
      }),
      // Two bodies every run starts with, so both paths below run whatever the random ones turn out to be.
      { numRuns: target.name === 'SQLite' ? 250 : 80, examples: [['/events/leads', { id: 'fuzz-ok-1', clickId: 'c-ok', affiliateId: 'aff-1' }], ['/events/leads', {}]] },
    );
    // Both paths ran: some bodies were stored whole, others refused.
    expect([...statuses]).to.include.members([201, 400]);
  });

  it('stores and answers 201 every body the contract accepts, and refuses every other with a 4xx that stores nothing', async () => {
    let serial = 0;
    const seen = { accepted: 0, refused: 0 };
    const route = fc.constantFrom(...(Object.keys(CONTRACT_ROUTES) as Array<keyof typeof CONTRACT_ROUTES>));
    await fc.assert(
      fc.asyncProperty(route.chain((name) => fc.tuple(fc.constant(name), CONTRACT_ROUTES[name].body as fc.Arbitrary<Record<string, unknown>>)), async ([name, value]) => {
        // A fresh id each run: a repeat or a conflict is another property's business.
        const raw = JSON.stringify({ id: `prop-${target.name.length}-${(serial += 1)}`, ...value });
        const accepts = contractAccepts(name, raw);
        const before = await fx.countRows();
        const res = await request(fx.app).post(`/postbacks${name}`).set(auth).set('content-type', 'application/json').send(raw);
        const after = await fx.countRows();
        const where = `${raw} -> ${res.status} ${JSON.stringify(res.body)}`;
        if (accepts) {
          seen.accepted += 1;
          expect(res.status, where).to.equal(201);
          const added = Object.values(after).reduce((sum, n) => sum + n, 0) - Object.values(before).reduce((sum, n) => sum + n, 0);
          expect(added, where).to.equal(1);
        } else {
          seen.refused += 1;
          expect(res.status, where).to.equal(400);
          expect(res.body.error.code, where).to.be.oneOf(['ERR_PB_VALIDATION', 'ERR_PB_MALFORMED_BODY']);
          expect(after, where).to.deep.equal(before);
        }
      }),
      { numRuns: target.name === 'SQLite' ? 200 : 80, examples: [[['/events/leads', { clickId: 'c-ok', affiliateId: 'aff-1' }]], [['/events/commissions', { leadId: 'L-1', amount: ' 1' }]]] },
    );
    expect(seen.accepted, 'some bodies were accepted').to.be.greaterThan(0);
    expect(seen.refused, 'some bodies were refused').to.be.greaterThan(0);
  });
});
