// Events recorded at once share transactions, and each still gets its own answer: stored, replayed or refused.

import { expect } from 'chai';
import { IdempotencyConflictError, NegativeAmountError, UnknownReferenceError } from '../../lib/errors.js';
import { createPostbackRelay } from '../../lib/relay.js';
import { openDatabase } from '../../lib/store/database.js';
import { tableNames } from '../../lib/store/tables.js';
import { describeEachDatabase, mysqlTarget } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';

const lead = (n: number, affiliateId = 'aff-g') => ({ id: `gl-${n}`, clickId: `click-${n}`, affiliateId, offerId: n % 2 === 0 ? 'offer-even' : null });

describeEachDatabase('group commit of events', (target) => {
  let fixture: RelayFixture;
  let leadInserts = 0;

  beforeEach(async function () {
    // Not started: these tests look at what is queued, not at what is sent.
    fixture = await startRelay(target, { start: false });
    const leadsTable = tableNames(fixture.prefix).leads;
    leadInserts = 0;
    fixture.relay.knex.on('query', (query: { sql: string }) => {
      if (/^insert into [`"]?/i.test(query.sql) && query.sql.includes(leadsTable)) leadInserts += 1;
    });
    await fixture.relay.endpoints.create({ affiliateId: 'aff-g', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/a?c={click_id}' }, events: ['lead_created', 'commission_earned', 'commission_adjusted'] });
    await fixture.relay.endpoints.create({ affiliateId: 'aff-g', offerId: 'offer-even', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/b?c={click_id}' }, events: ['lead_created'] });
    await fixture.relay.endpoints.create({ affiliateId: 'aff-other', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/c?c={click_id}' }, events: ['lead_created'] });
  });

  afterEach(async function () {
    await fixture.close();
  });

  it('stores a burst of 300 leads in far fewer statements, each with exactly its own endpoints queued', async function () {
    const recorded = await Promise.all(Array.from({ length: 300 }, (_, n) => fixture.relay.recordLead(lead(n, n % 3 === 0 ? 'aff-other' : 'aff-g'))));
    expect(recorded.every((r) => !r.replayed)).to.equal(true);
    expect(recorded.map((r) => r.record.id)).to.deep.equal(Array.from({ length: 300 }, (_, n) => `gl-${n}`));
    // The offer's own endpoint replaces the affiliate's global one for that offer; another affiliate's is its own.
    expect(recorded.map((r) => r.deliveriesQueued)).to.deep.equal(Array.from({ length: 300 }, () => 1));
    expect(leadInserts).to.be.lessThan(60);
    const t = tableNames(fixture.prefix);
    const rows = await fixture.relay.knex(t.deliveries)
      .join(t.leads, `${t.leads}.pk`, `${t.deliveries}.lead_pk`)
      .join(t.endpoints, `${t.endpoints}.pk`, `${t.deliveries}.endpoint_pk`)
      .select<Array<{ external_id: string; settings: string }>>(`${t.leads}.external_id`, `${t.endpoints}.settings`);
    expect(rows).to.have.length(300);
    const host = (n: number) => (n % 3 === 0 ? '/c?' : n % 2 === 0 ? '/b?' : '/a?');
    for (const row of rows) expect(row.settings, row.external_id).to.contain(host(Number(row.external_id.slice(3))));
  });

  it('queues more postbacks from one batch than one INSERT can take', async function () {
    for (const path of ['x', 'y', 'z']) {
      await fixture.relay.endpoints.create({ affiliateId: 'aff-many', plugin: 'generic', settings: { url: `http://127.0.0.1:9/${path}?c={click_id}` }, events: ['lead_created'] });
    }
    const deliveriesTable = tableNames(fixture.prefix).deliveries;
    let outboxInserts = 0;
    fixture.relay.knex.on('query', (query: { sql: string }) => {
      if (/^insert into/i.test(query.sql) && query.sql.includes(deliveriesTable)) outboxInserts += 1;
    });
    const recorded = await Promise.all(Array.from({ length: 250 }, (_, n) => fixture.relay.recordLead(lead(n, 'aff-many'))));
    expect(recorded.reduce((sum, r) => sum + r.deliveriesQueued, 0)).to.equal(750);
    expect((await fixture.countRows())[tableNames(fixture.prefix).deliveries]).to.equal(750);
    // Batched, not fallen back to one event at a time (which a statement too big for the database would cause).
    expect(outboxInserts).to.be.lessThan(20);
  });

  it('answers copies in one burst as replays of the first, and a changed body as a conflict', async function () {
    const outcomes = await Promise.allSettled([
      fixture.relay.recordLead(lead(1)),
      fixture.relay.recordLead(lead(1)),
      fixture.relay.recordLead({ ...lead(1), clickId: 'changed' }),
      fixture.relay.recordLead(lead(2)),
      fixture.relay.recordLead(lead(1)),
    ]);
    const [first, copy, changed, other, later] = outcomes;
    expect(first).to.have.nested.property('value.replayed', false);
    expect(copy).to.have.nested.property('value.replayed', true);
    expect(changed).to.have.property('status', 'rejected');
    expect((changed as PromiseRejectedResult).reason).to.be.instanceOf(IdempotencyConflictError);
    expect(other).to.have.nested.property('value.replayed', false);
    expect(later).to.have.nested.property('value.deliveriesQueued', 0);
    const counts = await fixture.countRows();
    expect(counts[tableNames(fixture.prefix).leads]).to.equal(2);
    expect(counts[tableNames(fixture.prefix).deliveries]).to.equal(2);
  });

  it('refuses a commission on an unknown lead without failing the ones committed with it', async function () {
    await Promise.all([1, 2, 3].map((n) => fixture.relay.recordLead(lead(n))));
    const outcomes = await Promise.allSettled([
      fixture.relay.recordCommission({ id: 'gc-1', leadId: 'gl-1', amount: '10.00' }),
      fixture.relay.recordCommission({ id: 'gc-x', leadId: 'gl-missing', amount: '5.00' }),
      fixture.relay.recordCommission({ id: 'gc-2', leadId: 'gl-1', amount: '2.50' }),
      fixture.relay.recordCommission({ id: 'gc-3', leadId: 'gl-3', amount: '7.25' }),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).to.be.instanceOf(UnknownReferenceError);
    const amounts = await fixture.relay.knex(tableNames(fixture.prefix).commissions).orderBy('external_id').select('external_id', 'amount');
    expect(amounts.map((row: { external_id: string; amount: unknown }) => `${row.external_id}=${Number(row.amount).toFixed(2)}`)).to.deep.equal(['gc-1=10.00', 'gc-2=2.50', 'gc-3=7.25']);
  });

  it('applies a burst of adjustments to one commission one after another, refusing only what would go below zero', async function () {
    await fixture.relay.recordLead(lead(1));
    await fixture.relay.recordCommission({ id: 'gc-1', leadId: 'gl-1', amount: '10.00' });
    const deltas = ['-4.00', '-5.00', '-3.00', '2.50', '-1.00', '-6.00'];
    const outcomes = await Promise.allSettled(deltas.map((delta, n) => fixture.relay.adjustCommission({ id: `ga-${n}`, commissionId: 'gc-1', delta })));
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).to.be.instanceOf(NegativeAmountError);
    // Whatever order they committed in, each applied to the one before it: an unbroken chain from 10.00.
    const rows = await fixture.relay.knex(tableNames(fixture.prefix).adjustments).orderBy('pk').select<Array<{ amount_before: unknown; amount_after: unknown }>>('amount_before', 'amount_after');
    const chain = rows.map((row) => [Number(row.amount_before).toFixed(2), Number(row.amount_after).toFixed(2)]);
    expect(chain.length).to.equal(outcomes.filter((o) => o.status === 'fulfilled').length).and.to.be.greaterThan(2);
    chain.forEach(([before], index) => expect(before).to.equal(index === 0 ? '10.00' : chain[index - 1]?.[1]));
    const commission = await fixture.relay.knex(tableNames(fixture.prefix).commissions).where({ external_id: 'gc-1' }).first<{ current_amount: unknown }>('current_amount');
    expect(Number(commission.current_amount).toFixed(2)).to.equal(chain.at(-1)?.[1]);
    expect(chain.every(([, after]) => Number(after) >= 0)).to.equal(true);
  });

  // Two instances on one SQLite file in one process would block each other's synchronous driver; MySQL is the shared case.
  if (target === mysqlTarget) it('two instances recording the same burst store each lead once and answer every request', async function () {
    // The second instance's batches lose the UNIQUE race on some ids: those events are tried alone and answer as replays.
    const knex = openDatabase(fixture.url);
    const other = createPostbackRelay({ database: knex, tablePrefix: fixture.prefix, apiKeys: ['other-key-0123456789'] });
    try {
      const ids = Array.from({ length: 120 }, (_, n) => n);
      const answers = await Promise.all(ids.flatMap((n) => [fixture.relay.recordLead(lead(n)), other.recordLead(lead(n))]));
      expect(answers.filter((a) => !a.replayed)).to.have.length(120);
      expect(answers.filter((a) => a.replayed)).to.have.length(120);
      const counts = await fixture.countRows();
      expect(counts[tableNames(fixture.prefix).leads]).to.equal(120);
      expect(counts[tableNames(fixture.prefix).deliveries]).to.equal(120);
    } finally {
      await other.stop();
      await knex.destroy();
    }
  });
});
