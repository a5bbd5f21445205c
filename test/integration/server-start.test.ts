// The standalone server's start order: it listens before it dispatches, and a start that fails leaves nothing running.

import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runToEnd } from '../helpers/child-run.js';
import { cleanEnv } from '../helpers/cli.js';
import { startServerProcess } from '../helpers/server-process.js';

const ROOT = new URL('../../', import.meta.url).pathname;

// Preloaded (`node --import`): counts the real Intl.ListFormats the process builds, and logs the count as a JSON line
// when it exits, beside the server's own log lines.
const COUNT_LIST_FORMATS = `data:text/javascript,${encodeURIComponent(`
  let built = 0;
  const Real = Intl.ListFormat;
  Intl.ListFormat = class extends Real { constructor(...args) { super(...args); built += 1; } };
  process.on('exit', () => process.stdout.write(JSON.stringify({ msg: 'real list formats built', count: built }) + '\\n'));
`)}`;

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

  // got's dependency builds two list formatters at import; their ICU data would stay resident (deferred-list-format.ts).
  it('builds no list formatter from start to stop, as the standalone server and as `postback-relay serve`, where importing got alone builds two', async () => {
    const gotAlone = await runToEnd('node', ['--import', COUNT_LIST_FORMATS, '--input-type=module', '-e', "await import('got')"], { cwd: ROOT, env: cleanEnv({}) });
    expect(jsonLines(gotAlone.output).find((line) => line.msg === 'real list formats built')?.count, 'the counter counts, and got still builds them').to.equal(2);
    for (const entry of [['dist/docker/server.js'], ['dist/docker/cli.js', 'serve']]) {
      const server = await startServerProcess('node', ['--import', COUNT_LIST_FORMATS, ...entry], {
        cwd: ROOT,
        env: cleanEnv({ PORT: '0', POSTBACK_RELAY_HOST: '127.0.0.1', DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'pb-start-')), 'relay.sqlite') }),
      });
      try {
        expect(await fetch(new URL('/healthz', server.url)).then((response) => response.status)).to.equal(200);
      } finally {
        expect(await server.stop()).to.equal(0);
      }
      expect(server.logs.find((line) => line.msg === 'real list formats built')?.count, entry.join(' ')).to.equal(0);
    }
  });
});
