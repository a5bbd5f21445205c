import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../lib/http/errors.js';
import type { Logger } from '../../lib/log.js';

// The router's last handler, fed the errors body-parser raises, answering as a client would see it.
function appRaising(error: unknown, logged: string[]) {
  const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => logged.push(message) } as unknown as Logger;
  const app = express();
  app.post('/x', (_req, _res, next) => {
    next(error);
  });
  app.use(errorHandler(logger, '100kb'));
  return app;
}

describe('HTTP error mapping', () => {
  it('answers a request the client aborted mid-body with 400 ERR_PB_MALFORMED_BODY, logging no server error', async () => {
    const logged: string[] = [];
    const res = await request(appRaising(Object.assign(new Error('request aborted'), { type: 'request.aborted' }), logged)).post('/x');
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('ERR_PB_MALFORMED_BODY');
    expect(logged).to.deep.equal([]);
  });

  it('answers an unknown error with a logged 500', async () => {
    const logged: string[] = [];
    const res = await request(appRaising(new Error('boom'), logged)).post('/x');
    expect(res.status).to.equal(500);
    expect(res.body.error.code).to.equal('ERR_PB_INTERNAL');
    expect(logged).to.deep.equal(['request failed']);
  });
});
