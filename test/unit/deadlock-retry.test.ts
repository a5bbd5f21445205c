// A transaction InnoDB picked as a deadlock victim is run again, a bounded number of times; other errors pass through.

import { expect } from 'chai';
import type { Knex } from 'knex';
import { createPostbackRelay } from '../../lib/relay.js';
import { openDatabase } from '../../lib/store/database.js';
import { retryOnDeadlock } from '../../lib/store/errors.js';

const deadlock = () => Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK' });

describe('deadlock retry', () => {
  it('runs again after a deadlock or lock wait timeout, and gives up after the third try', async () => {
    let runs = 0;
    expect(await retryOnDeadlock(() => (++runs < 3 ? Promise.reject(deadlock()) : Promise.resolve('done')))).to.equal('done');
    expect(runs).to.equal(3);
    runs = 0;
    const always = retryOnDeadlock(() => {
      runs += 1;
      return Promise.reject(Object.assign(new Error('Lock wait timeout exceeded'), { code: 'ER_LOCK_WAIT_TIMEOUT' }));
    });
    await always.then(() => expect.fail('resolved'), (error: unknown) => expect((error as { code: string }).code).to.equal('ER_LOCK_WAIT_TIMEOUT'));
    expect(runs).to.equal(3);
  });

  it('passes any other error through at once', async () => {
    let runs = 0;
    const failing = retryOnDeadlock(() => {
      runs += 1;
      return Promise.reject(Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY' }));
    });
    await failing.then(() => expect.fail('resolved'), (error: unknown) => expect((error as Error).message).to.equal('Duplicate entry'));
    expect(runs).to.equal(1);
  });

  it('records an event whose first transaction lost a deadlock, once', async () => {
    const knex = openDatabase(':memory:');
    const relay = createPostbackRelay({ database: knex, apiKeys: ['deadlock-test-key'] });
    try {
      await relay.migrate();
      const original = knex.transaction.bind(knex);
      let lost = false;
      // The host's knex, as MariaDB under load would behave: the first transaction is a deadlock victim.
      Object.defineProperty(knex, 'transaction', {
        configurable: true,
        value: (...args: Parameters<Knex['transaction']>) => {
          if (lost) return original(...args);
          lost = true;
          return Promise.reject(deadlock());
        },
      });
      const recorded = await relay.recordLead({ id: 'L-dl', clickId: 'c', affiliateId: 'a' });
      expect(recorded.replayed).to.equal(false);
      expect(lost).to.equal(true);
      const row = await knex('pb_leads').count<{ n: number }>({ n: '*' }).first();
      expect(Number(row?.n)).to.equal(1);
    } finally {
      await relay.stop();
      await knex.destroy();
    }
  });
  it('fails a whole batch at once when the database cannot be reached, without trying each event alone', async () => {
    const knex = openDatabase(':memory:');
    const relay = createPostbackRelay({ database: knex, apiKeys: ['unavailable-test-key'] });
    try {
      await relay.migrate();
      let transactions = 0;
      // The connection refused as each transaction begins; plain reads still answer, as on a database going down.
      Object.defineProperty(knex, 'transaction', {
        configurable: true,
        value: () => {
          transactions += 1;
          return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' }));
        },
      });
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => relay.recordLead({ id: `L-down-${n}`, clickId: 'c', affiliateId: 'a' })));
      expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: string }).code : 'stored'))).to.deep.equal(Array.from({ length: 10 }, () => 'ECONNREFUSED'));
      // Two events go alone (one per free slot), the other eight together: three tries, not three plus eight.
      expect(transactions).to.equal(3);
    } finally {
      await relay.stop();
      await knex.destroy();
    }
  });
});
