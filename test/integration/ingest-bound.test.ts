// The ingest queue is bounded: past it a request is refused at once with 503 and Retry-After, and stores nothing.

import { expect } from 'chai';
import knexFactory from 'knex';
import type { Knex } from 'knex';
import request from 'supertest';
import type { Response } from 'supertest';
import { knexConfigForUrl } from '../../lib/store/database.js';
import { tableNames } from '../../lib/store/tables.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { poll } from '../helpers/poll.js';

const MAX_QUEUED = 5;
// Two batches run at once (each waits for the only connection), MAX_QUEUED wait behind them, the rest are refused.
const ACCEPTED = 2 + MAX_QUEUED;
const SENT = 20;

describeEachDatabase('bounded ingest', (target) => {
  let fx: RelayFixture;
  let knex: Knex;

  beforeEach(async () => {
    const url = target.url();
    // A pool of one connection the test can hold, so the relay's batches wait and its queue fills.
    const config = knexConfigForUrl(url);
    knex = knexFactory({ ...config, pool: { ...(config.pool as object), min: 0, max: 1 } });
    fx = await startRelay(target, { url, start: false, relay: { database: knex, ingest: { maxQueued: MAX_QUEUED } } });
    await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb?txid={transaction_id}' } });
  });
  afterEach(async () => {
    await fx.close();
    await knex.destroy();
  });

  it('answers 503 with Retry-After past the bound while the database is held, stores nothing of those, and stores every accepted one', async () => {
    const held = await knex.transaction();
    const answered: Array<{ id: string; res: Response }> = [];
    const all = Array.from({ length: SENT }, (_, i) =>
      request(fx.app)
        .post('/postbacks/events/leads')
        .set(auth)
        .send({ id: `B-${i}`, clickId: 'c', affiliateId: 'aff-1' })
        .then((res) => {
          answered.push({ id: `B-${i}`, res });
        }),
    );
    // The refusals answer at once, without the database: wait for them, then let the accepted ones commit.
    await poll(() => answered.length, (n) => n >= SENT - ACCEPTED, 'the refusals answered', 10_000);
    const refused = [...answered];
    for (const { res } of refused) {
      expect(res.status).to.equal(503);
      expect(res.headers['retry-after']).to.equal('1');
      expect((res.body as { error: { code: string } }).error.code).to.equal('ERR_PB_INGEST_OVERLOADED');
    }
    await held.rollback();
    await Promise.all(all);
    const accepted = answered.filter(({ res }) => res.status === 201);
    expect(accepted).to.have.length(ACCEPTED);
    expect(answered.filter(({ res }) => res.status === 503)).to.have.length(SENT - ACCEPTED);

    const t = tableNames(fx.prefix);
    const counts = await fx.countRows();
    expect(counts).to.include({ [t.leads]: ACCEPTED, [t.deliveries]: ACCEPTED });
    const stored = (await knex(t.leads).pluck('external_id')) as string[];
    expect(stored.sort()).to.deep.equal(accepted.map(({ id }) => id).sort());
  });
});
