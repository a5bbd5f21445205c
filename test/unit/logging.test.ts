// A host that passes no logger still hears about configuration problems and failures (once each, as process
// warnings); one that passes pino gets every line there.

import { Writable } from 'node:stream';
import { expect } from 'chai';
import knexFactory from 'knex';
import { InvalidOptionError } from '../../lib/errors.js';
import { createWarningLogger } from '../../lib/log.js';
import { createPostbackRelay } from '../../lib/relay.js';
import { createServerLogger } from '../../lib/server/logger.js';

const TIMEZONE_WARNING = 'the host knex connection has no timezone "Z"';

/** A MySQL knex that never connects (nothing here queries it), without `timezone: 'Z'`. */
const hostKnex = () => knexFactory({ client: 'mysql2', connection: { host: '127.0.0.1', user: 'root', database: 'test' } });

describe('relay logging', () => {
  it('without a logger, the timezone warning the README promises reaches the process as a warning', async () => {
    const knex = hostKnex();
    const seen: Error[] = [];
    const listener = (warning: Error) => void seen.push(warning);
    process.on('warning', listener);
    try {
      const relay = createPostbackRelay({ database: knex, apiKeys: ['k3y-for-tests'] });
      const deadline = Date.now() + 5_000;
      while (!seen.some((warning) => warning.message.includes(TIMEZONE_WARNING)) && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      await relay.stop();
    } finally {
      process.off('warning', listener);
      await knex.destroy();
    }
    const warning = seen.find((candidate) => candidate.message.includes(TIMEZONE_WARNING));
    expect(warning?.name).to.equal('PostbackRelayWarning');
  });

  it('the fallback reports each distinct warning or error once, and drops debug and info', () => {
    const emitted: string[] = [];
    const logger = createWarningLogger((warning) => void emitted.push(warning.message));
    logger.info('started');
    logger.error('dispatcher could not claim deliveries', { error: 'ECONNREFUSED' });
    logger.error('dispatcher could not claim deliveries', { error: 'ECONNREFUSED' });
    logger.warn('postback not delivered');
    expect(emitted).to.have.length(2);
    expect(emitted[0]).to.match(/^dispatcher could not claim deliveries \{"error":"ECONNREFUSED"\} \(reported once/);
  });

  it('with a pino logger, the warning is a pino line; a logger without pino\'s methods is refused by name', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const knex = hostKnex();
    try {
      const relay = createPostbackRelay({ database: knex, apiKeys: ['k3y-for-tests'], logger: createServerLogger('info', destination) });
      await relay.stop();
    } finally {
      await knex.destroy();
    }
    expect(lines.find((line) => String(line.msg).startsWith(TIMEZONE_WARNING))).to.include({ level: 'warn' });
    expect(() => createPostbackRelay({ database: ':memory:', apiKeys: ['k3y-for-tests'], logger: { info: () => undefined } as never })).to.throw(InvalidOptionError, 'option logger: must be a pino-compatible logger');
  });
});
