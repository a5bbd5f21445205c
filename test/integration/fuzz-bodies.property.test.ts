// Property: random bodies never crash the server, and a refused one stores nothing (no partial row, on any table).

import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
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

describeEachDatabase('random event bodies (property)', (target) => {
  let fx: RelayFixture;
  before(async () => {
    fx = await startRelay(target, { start: false, relay: { rateLimit: false } });
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
});
