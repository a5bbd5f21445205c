// Attempts recorded in batches: each row keeps its own outcome, endpoint windows move once per batch, a failed write is kept and retried.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import supertest from 'supertest';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../helpers/databases.js';
import { poll } from '../helpers/poll.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { HostLogger, LogFields } from '../../lib/log.js';
import type { AttemptOutcome, Completion } from '../../lib/store/completions.js';
import { OutboxStore } from '../../lib/store/outbox-store.js';
import type { ClaimedDelivery } from '../../lib/store/outbox-store.js';
import { tableNames, toDate } from '../../lib/store/tables.js';

const base = new Date('2026-12-01T10:00:00.000Z');
const at = (ms: number) => new Date(base.getTime() + ms);

function outcome(delivery: ClaimedDelivery, fields: Partial<AttemptOutcome> & Pick<AttemptOutcome, 'attemptedAt' | 'status'>): AttemptOutcome {
  return {
    method: 'GET', url: `http://127.0.0.1:9/pb?lead=${delivery.lead.id}`, statusCode: 200, latencyMs: 5, error: null, responseExcerpt: 'OK', failureKind: null,
    nextAttemptAt: fields.attemptedAt, endpointPk: delivery.endpoint.id, disableIfFailingSince: new Date(fields.attemptedAt.getTime() - 3_600_000),
    ...fields,
  };
}

describeEachDatabase('batched delivery bookkeeping', (target) => {
  let fx: RelayFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  // A relay that never sends, its endpoint, `count` leads, and all their deliveries claimed, by lead id.
  async function claimedLeads(count: number): Promise<{ relay: RelayFixture; outbox: OutboxStore; byLead: Map<string, ClaimedDelivery> }> {
    fx = await startRelay(target, { start: false });
    await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb?txid={transaction_id}' } });
    for (let i = 0; i < count; i++) await fx.relay.recordLead({ id: `L-${i}`, clickId: `c${i}`, affiliateId: 'aff-1' });
    const outbox = new OutboxStore(fx.relay.knex, tableNames(fx.prefix));
    const claimed = await outbox.claim(100, { until: new Date(Date.now() + 60_000), token: 'batching' }, new Date());
    expect(claimed).to.have.length(count);
    return { relay: fx, outbox, byLead: new Map(claimed.map((d) => [d.lead.id, d])) };
  }

  it('records a batch of first attempts in one update and no insert, each on its own row with its own status code, latency, error and outcome', async () => {
    const { relay, outbox, byLead } = await claimedLeads(4);
    const d = (id: string) => byLead.get(id) as ClaimedDelivery;
    const completions: Completion[] = [
      { pk: d('L-0').pk, leaseToken: d('L-0').leaseToken, firstAttempt: true, outcome: outcome(d('L-0'), { attemptedAt: at(1), status: 'delivered', statusCode: 200, latencyMs: 11, responseExcerpt: 'OK' }) },
      { pk: d('L-1').pk, leaseToken: d('L-1').leaseToken, firstAttempt: true, outcome: outcome(d('L-1'), { attemptedAt: at(2), status: 'pending', statusCode: 503, latencyMs: 22, error: 'tracker answered HTTP 503', responseExcerpt: 'busy', nextAttemptAt: at(5_000) }) },
      { pk: d('L-2').pk, leaseToken: d('L-2').leaseToken, firstAttempt: true, outcome: outcome(d('L-2'), { attemptedAt: at(3), status: 'failed', statusCode: 404, latencyMs: 33, error: 'tracker answered HTTP 404', responseExcerpt: 'no' }) },
      { pk: d('L-3').pk, leaseToken: d('L-3').leaseToken, firstAttempt: true, outcome: outcome(d('L-3'), { attemptedAt: at(4), status: 'skipped', method: '-', url: '-', statusCode: null, latencyMs: 0, error: 'skipped: not sent', responseExcerpt: null }) },
    ];
    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => statements.push(query.sql);
    relay.relay.knex.on('query', onQuery);
    expect(await outbox.completeMany(completions)).to.deep.equal({ disabled: [], stale: [], windowError: undefined });
    relay.relay.knex.off('query', onQuery);
    const t = tableNames(relay.prefix);
    expect(statements.filter((sql) => /^insert into [`"]?\w+delivery_attempts/i.test(sql))).to.have.length(0);
    expect(statements.filter((sql) => new RegExp(`^update [\`"]?${t.deliveries}[\`"]? `, 'i').test(sql))).to.have.length(1);

    const [l0, l1, l2, l3] = await Promise.all(['L-0', 'L-1', 'L-2', 'L-3'].map(async (id) => (await relay.relay.deliveries.listForLead(id))[0]));
    expect(l0).to.deep.include({ status: 'delivered', attemptCount: 1, lastStatusCode: 200, lastError: null, deliveredAt: at(1) });
    expect(l1).to.deep.include({ status: 'pending', attemptCount: 1, lastStatusCode: 503, lastError: 'tracker answered HTTP 503', nextAttemptAt: at(5_000), deliveredAt: null });
    expect(l2).to.deep.include({ status: 'failed', attemptCount: 1, lastStatusCode: 404, lastError: 'tracker answered HTTP 404', deliveredAt: null });
    expect(l3).to.deep.include({ status: 'skipped', attemptCount: 1, lastStatusCode: null, lastError: 'skipped: not sent' });
    expect(l0?.attempts).to.deep.equal([{ attemptedAt: at(1), method: 'GET', url: 'http://127.0.0.1:9/pb?lead=L-0', statusCode: 200, latencyMs: 11, error: null, responseExcerpt: 'OK', failureKind: null }]);
    expect(l1?.attempts).to.deep.equal([{ attemptedAt: at(2), method: 'GET', url: 'http://127.0.0.1:9/pb?lead=L-1', statusCode: 503, latencyMs: 22, error: 'tracker answered HTTP 503', responseExcerpt: 'busy', failureKind: null }]);
    expect(l2?.attempts).to.deep.equal([{ attemptedAt: at(3), method: 'GET', url: 'http://127.0.0.1:9/pb?lead=L-2', statusCode: 404, latencyMs: 33, error: 'tracker answered HTTP 404', responseExcerpt: 'no', failureKind: null }]);
    expect(l3?.attempts).to.deep.equal([{ attemptedAt: at(4), method: '-', url: '-', statusCode: null, latencyMs: 0, error: 'skipped: not sent', responseExcerpt: null, failureKind: null }]);
    // Every lease released in the same write.
    expect(await relay.relay.knex(t.deliveries).whereNotNull('locked_until').pluck('pk')).to.deep.equal([]);
  });

  it('claims in two statements and records a batch of first attempts in one more, whatever its size: no read of leases or endpoints it already knows', async () => {
    fx = await startRelay(target, { start: false });
    const relay = fx.relay;
    await relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb?txid={transaction_id}' } });
    for (let i = 0; i < 150; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => relay.recordLead({ id: `L-${i + j}`, clickId: `c${i + j}`, affiliateId: 'aff-1' })));
    const outbox = new OutboxStore(relay.knex, tableNames(fx.prefix));
    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => {
      if (/^(select|insert|update|delete)\b/i.test(query.sql)) statements.push(query.sql);
    };
    relay.knex.on('query', onQuery);
    const claimed = await outbox.claim(100, { until: new Date(Date.now() + 60_000), token: 'counted' }, new Date());
    const claimStatements = statements.splice(0);
    expect(claimed).to.have.length(100);
    expect(claimed.every((d) => d.endpointFailing === false)).to.equal(true);
    const completions = claimed.map((d, i) => ({ pk: d.pk, leaseToken: d.leaseToken, firstAttempt: d.attemptCount === 0, endpointFailing: d.endpointFailing, outcome: outcome(d, { attemptedAt: at(i), status: 'delivered' as const }) }));
    expect(await outbox.completeMany(completions)).to.deep.equal({ disabled: [], stale: [], windowError: undefined });
    relay.knex.off('query', onQuery);
    // The claim: one read of the due rows with what they refer to, one UPDATE setting the lease. No click totals: no money in these clicks.
    expect(claimStatements.map((sql) => sql.split(' ')[0]?.toLowerCase()), claimStatements.join('\n')).to.deep.equal(['select', 'update']);
    // The completion: one fenced UPDATE writing each attempt on its delivery's row; the endpoint's window was seen closed at the claim.
    expect(statements.map((sql) => sql.split(' ')[0]?.toLowerCase()), statements.join('\n')).to.deep.equal(['update']);
    const delivered = await relay.deliveries.list({ status: 'delivered' });
    expect(delivered).to.have.length(100);
    expect(delivered.every((d) => d.attempts.length === 1)).to.equal(true);
  });

  it('writes first attempts on their rows and later ones to the attempts table in the same batch, and lists each delivery\'s attempts in order', async () => {
    const { relay, outbox, byLead } = await claimedLeads(4);
    const t = tableNames(relay.prefix);
    const d = (id: string) => byLead.get(id) as ClaimedDelivery;
    const busy = (id: string, ms: number): Completion => ({
      pk: d(id).pk, leaseToken: d(id).leaseToken, firstAttempt: true,
      outcome: outcome(d(id), { attemptedAt: at(ms), status: 'pending', statusCode: 503, error: 'tracker answered HTTP 503', responseExcerpt: 'busy', failureKind: 'rejected' }),
    });
    await outbox.completeMany([busy('L-0', 1), busy('L-1', 2)]);
    // Due again (their retry time is in the past), and past the first claim's lease on the other two: two second
    // attempts and two first ones in one claim and one batch.
    const later = Date.now() + 120_000;
    const again = await outbox.claim(100, { until: new Date(later + 60_000), token: 'again' }, new Date(later));
    expect(again.map((c) => [c.lead.id, c.attemptCount]).sort()).to.deep.equal([['L-0', 1], ['L-1', 1], ['L-2', 0], ['L-3', 0]]);
    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => statements.push(query.sql);
    relay.relay.knex.on('query', onQuery);
    await outbox.completeMany(again.map((c, i) => ({ pk: c.pk, leaseToken: c.leaseToken, firstAttempt: c.attemptCount === 0, outcome: outcome(c, { attemptedAt: at(10 + i), status: 'delivered' }) })));
    relay.relay.knex.off('query', onQuery);
    expect(statements.filter((sql) => /^insert into /i.test(sql))).to.have.length(1);
    expect(await relay.relay.knex(t.attempts).orderBy('delivery_pk').pluck('delivery_pk').then((pks: unknown[]) => pks.map(String))).to.deep.equal([d('L-0').pk, d('L-1').pk].sort((a, b) => Number(a) - Number(b)));
    const [l0] = await relay.relay.deliveries.listForLead('L-0');
    expect(l0?.attempts.map((a) => [a.attemptedAt, a.statusCode, a.failureKind])).to.deep.equal([[at(1), 503, 'rejected'], [at(10 + again.findIndex((c) => c.lead.id === 'L-0')), 200, null]]);
    expect(l0).to.deep.include({ status: 'delivered', attemptCount: 2 });
    const [l2] = await relay.relay.deliveries.listForLead('L-2');
    expect(l2?.attempts.map((a) => a.statusCode)).to.deep.equal([200]);
  });

  it('puts a first attempt in the attempts table when its row turns out to have an attempt recorded already', async () => {
    const { relay, outbox, byLead } = await claimedLeads(2);
    const t = tableNames(relay.prefix);
    const d = (id: string) => byLead.get(id) as ClaimedDelivery;
    // Not reachable through a claim (it reads the count under the same lease); the fence holds regardless.
    await relay.relay.knex(t.deliveries).where('pk', d('L-1').pk).update({ attempt_count: 1 });
    const completions = ['L-0', 'L-1'].map((id, i) => ({ pk: d(id).pk, leaseToken: d(id).leaseToken, firstAttempt: true, outcome: outcome(d(id), { attemptedAt: at(i), status: 'delivered' as const }) }));
    expect((await outbox.completeMany(completions)).stale).to.deep.equal([]);
    const row = (id: string) => relay.relay.knex(t.deliveries).where('pk', d(id).pk).first<{ first_attempted_at: unknown; attempt_count: number; status: string }>('first_attempted_at', 'attempt_count', 'status');
    expect(await row('L-1')).to.deep.equal({ first_attempted_at: null, attempt_count: 2, status: 'delivered' });
    expect((await relay.relay.knex(t.attempts).pluck('delivery_pk')).map(String).sort()).to.deep.equal([d('L-0').pk, d('L-1').pk].sort());
    for (const id of ['L-0', 'L-1']) expect((await relay.relay.deliveries.listForLead(id))[0]?.attempts).to.have.length(1);
  });

  it('records every attempt of a batch whose leases partly passed to another claim, and changes only the rows still held', async () => {
    const { relay, outbox, byLead } = await claimedLeads(4);
    const t = tableNames(relay.prefix);
    const d = (id: string) => byLead.get(id) as ClaimedDelivery;
    await relay.relay.knex(t.deliveries).whereIn('pk', [d('L-1').pk, d('L-3').pk]).update({ lease_token: 'taken-over' });
    const completions = ['L-0', 'L-1', 'L-2', 'L-3'].map((id, i) => ({ pk: d(id).pk, leaseToken: d(id).leaseToken, firstAttempt: true, outcome: outcome(d(id), { attemptedAt: at(i), status: 'delivered' as const }) }));
    const result = await outbox.completeMany(completions);
    expect([...result.stale].sort()).to.deep.equal([d('L-1').pk, d('L-3').pk].sort());
    const byStatus = async (id: string) => (await relay.relay.deliveries.listForLead(id))[0];
    for (const id of ['L-0', 'L-2']) expect(await byStatus(id)).to.deep.include({ status: 'delivered', attemptCount: 1 });
    for (const id of ['L-1', 'L-3']) expect(await byStatus(id)).to.deep.include({ status: 'pending', attemptCount: 0 });
    // Every attempt went on the wire, so every one is in the log, the taken-over ones too.
    for (const id of ['L-0', 'L-1', 'L-2', 'L-3']) expect((await byStatus(id))?.attempts).to.have.length(1);
    expect(await relay.relay.knex(t.deliveries).where('lease_token', 'taken-over').count<{ n: number | string }>({ n: '*' }).first().then((row) => Number(row?.n))).to.equal(2);
  });

  it('leaves out of a claim the endpoints it is told to, and says when the rest is next due', async () => {
    fx = await startRelay(target, { start: false });
    const relay = fx.relay;
    const busy = await relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/busy?txid={transaction_id}' } });
    const free = await relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/free?txid={transaction_id}' } });
    for (let i = 0; i < 3; i++) await relay.recordLead({ id: `L-${i}`, clickId: `c${i}`, affiliateId: 'aff-1' });
    const outbox = new OutboxStore(relay.knex, tableNames(fx.prefix));
    expect(await outbox.nextDueAt(new Set([busy.id, free.id]))).to.equal(undefined);
    expect(await outbox.nextDueAt(new Set([busy.id]))).to.be.instanceOf(Date);
    const claimed = await outbox.claim(100, { until: new Date(Date.now() + 60_000), token: 'left-out' }, new Date(), { endpoints: new Set([busy.id]) });
    expect(claimed.map((delivery) => delivery.endpoint.id)).to.deep.equal([free.id, free.id, free.id]);
    const t = tableNames(fx.prefix);
    // The busy endpoint's rows were not touched: no lease, no change, still due.
    const untouched = await relay.knex(t.deliveries).where('endpoint_pk', busy.id).select<Array<{ lease_token: string | null; attempt_count: number }>>('lease_token', 'attempt_count');
    expect(untouched).to.deep.equal([0, 1, 2].map(() => ({ lease_token: null, attempt_count: 0 })));
    expect(await outbox.claim(100, { until: new Date(Date.now() + 60_000), token: 'next' }, new Date())).to.have.length(3);
  });

  it('moves the endpoint failure window once per batch, to where taking the attempts one by one would leave it', async () => {
    const { relay, outbox, byLead } = await claimedLeads(7);
    const d = (id: string) => byLead.get(id) as ClaimedDelivery;
    const failed = (id: string, ms: number, disableAfterMs = 3_600_000): Completion => ({
      pk: d(id).pk, leaseToken: d(id).leaseToken, firstAttempt: true,
      outcome: outcome(d(id), { attemptedAt: at(ms), status: 'pending', statusCode: 500, error: 'tracker answered HTTP 500', nextAttemptAt: at(ms + 60_000), disableIfFailingSince: at(ms - disableAfterMs) }),
    });
    const delivered = (id: string, ms: number): Completion => ({ pk: d(id).pk, leaseToken: d(id).leaseToken, firstAttempt: true, outcome: outcome(d(id), { attemptedAt: at(ms), status: 'delivered' }) });
    const t = tableNames(relay.prefix);
    const window = async () => {
      const row = await relay.relay.knex(t.endpoints).first<{ failing_since: Date | string | number | null; enabled: number | boolean }>('failing_since', 'enabled');
      return { failingSince: row.failing_since === null ? null : toDate(row.failing_since), enabled: Boolean(row.enabled) };
    };

    await outbox.completeMany([failed('L-0', 10)]);
    expect(await window()).to.deep.equal({ failingSince: at(10), enabled: true });
    await outbox.completeMany([delivered('L-1', 20)]);
    expect(await window()).to.deep.equal({ failingSince: null, enabled: true });
    // Out of time order on purpose: the batch is taken in attempt order; the success at 40 ends the window opened at 30.
    await outbox.completeMany([failed('L-5', 60), delivered('L-3', 40), failed('L-2', 30), failed('L-4', 50)]);
    expect(await window()).to.deep.equal({ failingSince: at(50), enabled: true });
    // Failing since 50, and this attempt at 70 disables anything failing since 70 or earlier.
    expect((await outbox.completeMany([failed('L-6', 70, 0)])).disabled).to.deep.equal([d('L-6').endpoint.id]);
    expect(await window()).to.deep.equal({ failingSince: at(50), enabled: false });
  });

  it('reads the failure windows of the healthy endpoints of a batch in one statement, and closes only the open ones', async () => {
    fx = await startRelay(target, { start: false });
    const relay = fx;
    for (let e = 0; e < 5; e++) await relay.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `http://127.0.0.1:9/pb${e}?txid={transaction_id}` } });
    for (let i = 0; i < 2; i++) await relay.relay.recordLead({ id: `L-${i}`, clickId: `c${i}`, affiliateId: 'aff-1' });
    const outbox = new OutboxStore(relay.relay.knex, tableNames(relay.prefix));
    const claimed = await outbox.claim(100, { until: new Date(Date.now() + 60_000), token: 'windows' }, new Date());
    expect(claimed).to.have.length(10);
    const t = tableNames(relay.prefix);
    const endpointPks = [...new Set(claimed.map((d) => d.endpoint.id))].sort();
    const open = endpointPks.slice(0, 2);
    await relay.relay.knex(t.endpoints).whereIn('pk', open).update({ failing_since: at(-5_000) });
    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => statements.push(query.sql);
    relay.relay.knex.on('query', onQuery);
    const completions = claimed.map((d, i) => ({ pk: d.pk, leaseToken: d.leaseToken, firstAttempt: true, outcome: outcome(d, { attemptedAt: at(i), status: 'delivered' as const }) }));
    expect(await outbox.completeMany(completions)).to.deep.equal({ disabled: [], stale: [], windowError: undefined });
    relay.relay.knex.off('query', onQuery);
    const onEndpoints = (verb: string) => statements.filter((sql) => new RegExp(`^${verb} .*[\`"]?${t.endpoints}[\`"]?`, 'i').test(sql));
    // Five endpoints, all healthy in this batch: one read, one update for the two with a window open.
    expect(onEndpoints('select'), onEndpoints('select').join('\n')).to.have.length(1);
    expect(onEndpoints('update')).to.have.length(1);
    const windows = await relay.relay.knex(t.endpoints).whereIn('pk', endpointPks).whereNotNull('failing_since').pluck('pk');
    expect(windows).to.deep.equal([]);
  });

  it('keeps a batch it could not record and records it once the database takes it, sending nothing again, while /readyz says not ready', async () => {
    const errors: string[] = [];
    const record = (_fields: LogFields, message: string) => void errors.push(message);
    const logger: HostLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: record };
    let knex: Knex | undefined;
    // A column the completion writes (and no claim, renewal or listing names) renamed away and back.
    const renamed = { away: false };
    const renameColumn = async (from: string, to: string) => {
      await (knex as Knex).schema.alterTable(tableNames((fx as RelayFixture).prefix).deliveries, (table) => void table.renameColumn(from, to));
      renamed.away = !renamed.away;
    };
    const seen: string[] = [];
    // The first answer leaves only once the column is gone, so recording that attempt must fail.
    const tracker = createServer((req, res) => {
      seen.push(new URL(req.url ?? '/', 'http://tracker').searchParams.get('txid') ?? '');
      const answer = () => void res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      if (seen.length === 1 && fx) void renameColumn('first_response_excerpt', 'excerpt_away').then(answer);
      else answer();
    });
    await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
    try {
      // A short request timeout makes a short lease (three of them).
      fx = await startRelay(target, { relay: { logger, dispatch: { requestTimeoutMs: 300, idlePollMs: 50 } } });
      knex = fx.relay.knex;
      const t = tableNames(fx.prefix);
      const { port } = tracker.address() as AddressInfo;
      await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `http://127.0.0.1:${port}/pb?txid={transaction_id}` } });
      await fx.relay.recordLead({ id: 'L-1', clickId: 'c1', affiliateId: 'aff-1' });
      await poll(() => Promise.resolve(errors), (list) => list.includes('could not record delivery attempts; keeping them and trying again'), 'the failed write');
      const ready = supertest(express().use(fx.relay.health));
      const notReady = await ready.get('/readyz');
      expect(notReady.status).to.equal(503);
      expect(notReady.body.checks.dispatcher).to.match(/^cannot record delivery attempts since /);
      // Past the end of the first lease: renewals keep the delivery this instance's while its attempt waits to be recorded.
      const leasedUntil = async () => {
        const row = await (knex as Knex)(t.deliveries).first<{ locked_until: Date | string | number | null }>('locked_until');
        return row.locked_until === null ? 0 : toDate(row.locked_until).getTime();
      };
      const firstLease = await leasedUntil();
      await poll(leasedUntil, (until) => Date.now() > firstLease && until > Date.now(), 'a renewal past the first lease');
      await renameColumn('excerpt_away', 'first_response_excerpt');
      const [delivery] = await poll(() => (fx as RelayFixture).relay.deliveries.listForLead('L-1'), (list) => list[0]?.status === 'delivered', 'the delivery');
      expect(seen).to.have.length(1);
      expect(delivery?.attempts).to.have.length(1);
      // Status and checks only: a timeout names the last answer, and the whole response does not serialize.
      const readyz = async () => {
        const res = await ready.get('/readyz');
        return { status: res.status, checks: (res.body as { checks: Record<string, string> }).checks };
      };
      expect((await poll(readyz, (res) => res.status === 200, 'ready again')).checks.dispatcher).to.equal('ok');
    } finally {
      await new Promise((resolve) => tracker.close(resolve));
      // A failure half-way leaves the column away, and the rollback that drops the tables would stop at it.
      if (renamed.away) await renameColumn('excerpt_away', 'first_response_excerpt');
    }
  });
});
