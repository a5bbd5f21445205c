// A batch that fails as a whole is retried event by event a few at a time, not all at once against the pool.

import { expect } from 'chai';
import { tableNames } from '../../lib/store/tables.js';
import { mysqlTarget, requireMySql } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';

describe('ingest fallback after a failed batch [MariaDB/MySQL]', function () {
  this.timeout(60_000);
  let fx: RelayFixture;

  before(requireMySql('ingest fallback after a failed batch [MariaDB/MySQL]'));
  afterEach(async () => {
    await fx.close();
  });

  it('tries the events of a failed batch alone, at most 4 at once, and fails only the one at fault', async () => {
    fx = await startRelay(mysqlTarget, { start: false });
    const { knex } = fx.relay;
    const t = tableNames(fx.prefix);
    await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb' } });
    // One event the database refuses: the batch holding it fails, and each of its events is tried alone.
    await knex.raw(`create trigger ${t.leads}_poison before insert on ${t.leads} for each row if new.external_id = 'poison' then signal sqlstate '45000' set message_text = 'poison'; end if`);
    const inFlight = new Set<string>();
    let most = 0;
    knex.on('query', (query: { sql: string; __knexQueryUid: string }) => {
      if (!/^insert into/i.test(query.sql) || !query.sql.includes(t.leads)) return;
      inFlight.add(query.__knexQueryUid);
      most = Math.max(most, inFlight.size);
    });
    const settle = (query: { __knexQueryUid: string }) => inFlight.delete(query.__knexQueryUid);
    knex.on('query-response', (_response: unknown, query: { __knexQueryUid: string }) => settle(query));
    knex.on('query-error', (_error: unknown, query: { __knexQueryUid: string }) => settle(query));

    const ids = ['first', ...Array.from({ length: 60 }, (_, i) => `L-${i}`), 'poison'];
    const outcomes = await Promise.allSettled(ids.map((id) => fx.relay.recordLead({ id, clickId: 'c', affiliateId: 'aff-1' })));
    const refused = ids.filter((_, i) => outcomes[i]?.status === 'rejected');
    expect(refused).to.deep.equal(['poison']);
    // The batch insert, then the events alone: never more than the fallback's 4 (and one other batch) at once.
    expect(most).to.be.at.most(5);
    const stored = (await knex(t.leads).pluck('external_id')) as string[];
    expect(stored.sort()).to.deep.equal(ids.filter((id) => id !== 'poison').sort());
  });
});
