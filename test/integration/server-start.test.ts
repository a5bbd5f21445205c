// The standalone server's start order: it listens before it dispatches, and a start that fails leaves nothing running.

import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runToEnd } from '../helpers/child-run.js';
import { cleanEnv } from '../helpers/cli.js';

const ROOT = new URL('../../', import.meta.url).pathname;

const jsonLines = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('server start', function () {
  this.timeout(60_000);
  let squatter: Server;
  let takenPort: number;

  before(async () => {
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    takenPort = (squatter.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => squatter.close(resolve));
  });

  it('on a taken port exits 1 by itself, never having started the dispatcher, with the relay stopped', async () => {
    const run = await runToEnd('node', ['dist/docker/server.js'], {
      cwd: ROOT,
      env: cleanEnv({
        PORT: String(takenPort),
        POSTBACK_RELAY_HOST: '127.0.0.1',
        DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'pb-start-')), 'relay.sqlite'),
        POSTBACK_RELAY_API_KEYS: 'start-test-key-0123',
        POSTBACK_RELAY_LOG_LEVEL: 'debug',
      }),
    });
    expect(run.code).to.equal(1);
    expect(run.output).to.include('EADDRINUSE');
    const messages = jsonLines(run.output).map((line) => line.msg);
    expect(messages).to.include('migrations applied');
    expect(messages).to.include('start failed; the relay is stopped');
    expect(messages).to.not.include('dispatcher started');
    // The process ended because nothing was left running (no dispatcher, heartbeat or pool), not by the fallback exit.
    expect(run.output).to.not.include('something still ran');
  });

  it('refuses to start in production without the shared secret, naming the variable', async () => {
    const run = await runToEnd('node', ['dist/docker/server.js'], {
      cwd: ROOT,
      env: cleanEnv({ NODE_ENV: 'production', PORT: '0', POSTBACK_RELAY_HOST: '127.0.0.1', POSTBACK_RELAY_API_KEYS: 'start-test-key-0123', DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'pb-start-')), 'relay.sqlite') }),
    });
    expect(run.code).to.equal(1);
    expect(run.output).to.match(/POSTBACK_RELAY_SECRET.*must be set in production/);
  });
});
