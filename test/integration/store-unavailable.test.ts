// With the database unreachable, the event API answers 503 ERR_PB_STORE_UNAVAILABLE, never a 2xx.

import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { createPostbackRelay } from '../../lib/relay.js';
import { API_KEY, auth } from '../helpers/relay.js';
import { freePort } from '../helpers/ports.js';

describe('database unavailable', () => {
  it('answers 503 with ERR_PB_STORE_UNAVAILABLE to events and operations, and knex warns through the relay\'s logger', async () => {
    const warnings: string[] = [];
    const quiet = () => undefined;
    const relay = createPostbackRelay({
      logger: { debug: quiet, info: quiet, error: quiet, warn: (_fields, message) => void warnings.push(message) },
      database: { client: 'mysql2', connection: { host: '127.0.0.1', port: await freePort(), user: 'root', database: 'test' }, acquireConnectionTimeout: 1000 },
      apiKeys: [API_KEY],
    });
    const app = express().use('/postbacks', relay.router);
    try {
      const lead = await request(app).post('/postbacks/events/leads').set(auth).send({ id: 'L-1', clickId: 'c', affiliateId: 'a' });
      expect(lead.status).to.equal(503);
      expect(lead.body.error.code).to.equal('ERR_PB_STORE_UNAVAILABLE');
      const list = await request(app).get('/postbacks/deliveries?status=failed').set(auth);
      expect(list.status).to.equal(503);
      // Not on the console with its stack: one line in the host's logger.
      expect(warnings.some((line) => line.startsWith('knex: Acquire connection error:'))).to.equal(true);
      expect(warnings.every((line) => !line.includes('\n'))).to.equal(true);
    } finally {
      await relay.stop();
    }
  });
});
