// The database cut off during ingest, through a loopback TCP proxy the test controls: 503s while down, and every 2xx event delivered after.

import { expect } from 'chai';
import express from 'express';
import knexFactory from 'knex';
import request from 'supertest';
import { createPostbackRelay } from '../../lib/relay.js';
import { knexConfigForUrl } from '../../lib/store/database.js';
import { migrateRollbackAll } from '../../lib/store/migrations/index.js';
import { tableNames } from '../../lib/store/tables.js';
import { MYSQL_URL, requireMySql, uniquePrefix } from '../helpers/databases.js';
import { API_KEY, auth } from '../helpers/relay.js';
import { startDatabaseProxy } from '../helpers/db-proxy.js';
import { startTestTracker } from '../helpers/tracker.js';

const quiet = () => undefined;

describe('database cut off during ingest [MariaDB/MySQL]', function () {
  this.timeout(60_000);
  before(requireMySql('database cut off during ingest [MariaDB/MySQL]'));

  it('answers 503 (never 2xx) while the database is down, and delivers every event it acknowledged once it is back', async () => {
    const direct = knexConfigForUrl(MYSQL_URL);
    const target = direct.connection as { host: string; port: number };
    const proxy = await startDatabaseProxy(target);
    const tracker = await startTestTracker();
    const prefix = uniquePrefix();
    const knex = knexFactory({ ...direct, connection: { ...(direct.connection as object), port: proxy.port, host: '127.0.0.1' },
      acquireConnectionTimeout: 1500,
      // Every refused reconnect is expected here; knex would print each one.
      log: { warn: quiet, error: quiet, debug: quiet, deprecate: quiet },
    });
    const relay = createPostbackRelay({
      database: knex,
      tablePrefix: prefix,
      apiKeys: [API_KEY],
      targetAllowlist: ['127.0.0.1'],
      dispatch: { idlePollMs: 50, requestTimeoutMs: 1000 },
    });
    const app = express().use('/postbacks', relay.router);
    const send = (id: string) => request(app).post('/postbacks/events/leads').set(auth).send({ id, clickId: 'c', affiliateId: 'aff-1' });
    const acknowledged: string[] = [];
    try {
      await relay.migrate();
      await relay.start();
      await relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `${tracker.origin}/pb?txid={transaction_id}` } });
      const burst = async (from: number, count: number) => {
        const results = await Promise.all(Array.from({ length: count }, (_, i) => send(`L-${from + i}`).then((res) => ({ id: `L-${from + i}`, status: res.status, code: (res.body as { error?: { code?: string } }).error?.code }))));
        for (const result of results) if (result.status >= 200 && result.status < 300) acknowledged.push(result.id);
        return results;
      };
      await burst(0, 30);
      // Cut in the middle of a burst, once its first write has gone to the database: requests then in flight may
      // fail any way, but never claim success falsely.
      const leads = tableNames(prefix).leads;
      const writing = new Promise<void>((resolve) => {
        const onQuery = (query: { sql: string }) => {
          if (/^insert/i.test(query.sql) && query.sql.includes(leads)) {
            knex.off('query', onQuery);
            resolve();
          }
        };
        knex.on('query', onQuery);
      });
      const overlapping = burst(100, 30);
      await writing;
      proxy.cut();
      await overlapping;
      const whileDown = await burst(200, 10);
      for (const result of whileDown) expect(result, JSON.stringify(result)).to.deep.include({ status: 503, code: 'ERR_PB_STORE_UNAVAILABLE' });
      proxy.restore();
      await burst(300, 30);
      expect(acknowledged.length).to.be.at.least(60);
      const deadline = Date.now() + 30_000;
      const delivered = () => new Set(tracker.received.map((r) => (r.query.txid ?? '').replace(/^lead-/, '')));
      while (!acknowledged.every((id) => delivered().has(id))) {
        expect(Date.now(), `undelivered: ${acknowledged.filter((id) => !delivered().has(id)).join(',')}`).to.be.below(deadline);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await relay.stop();
      await migrateRollbackAll(knex, prefix).catch(() => undefined);
      await knex.destroy();
      await tracker.close();
      await proxy.close();
    }
  });
});
