// The relay's build of got's native request options: the same object as got's, and one hidden class for every request.

import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { Agent as HttpAgent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent as HttpsAgent } from 'node:https';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { got, Options } from 'got';
import { nativeRequestOptions, stableNativeOptions } from '../../lib/dispatch/native-options.js';

const MODULE = fileURLToPath(new URL('../../lib/dispatch/native-options.ts', import.meta.url));

// The defaults the relay's client sets (lib/dispatch/http-client.ts), with agents of its kind.
function clientDefaults(): Options {
  const agent = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  return new Options({ agent, timeout: { request: 10_000 }, retry: { limit: 0 }, followRedirect: false, throwHttpErrors: false, decompress: false, headers: { 'user-agent': 'postback-relay/test' } });
}

function gotsOwn(options: Options): ReturnType<Options['createNativeRequestOptions']> {
  return Options.prototype.createNativeRequestOptions.call(options);
}

describe('native request options', () => {
  const defaults = clientDefaults();
  const requests: Array<[string, Options]> = [
    ['a GET over http', new Options(new URL('http://127.0.0.1:8080/pb?cid=abc&payout=1.50'), { method: 'GET' }, defaults)],
    ['a POST over https with headers', new Options(new URL('https://tracker.example/postback'), { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: '{}' }, defaults)],
  ];

  for (const [name, options] of requests) {
    it(`are got's own, key for key and in order, for ${name}`, () => {
      const ours = nativeRequestOptions(options);
      const theirs = gotsOwn(options);
      expect(Object.keys(ours)).to.deep.equal(Object.keys(theirs));
      expect(ours).to.deep.equal(theirs);
      expect(ours.agent).to.equal(theirs.agent);
    });
  }

  it('are what a request through the handler is made with, and got builds its own where it needs more', async () => {
    const server = createServer((_request, response) => response.end('OK'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const client = got.extend({ handlers: [stableNativeOptions], retry: { limit: 0 } });
      const plain = await client(`http://127.0.0.1:${port}/a`);
      expect(plain.body).to.equal('OK');
      expect(Object.hasOwn(plain.request.options, 'createNativeRequestOptions')).to.equal(true);
      const cached = await client(`http://127.0.0.1:${port}/b`, { cache: new Map() });
      expect(cached.body).to.equal('OK');
      expect(Object.hasOwn(cached.request.options, 'createNativeRequestOptions')).to.equal(false);
    } finally {
      server.close();
    }
  });

  it('give every request the same hidden class (what got 14 on V8 11 does not)', () => {
    // V8's own check, which needs a flag of its own: so in a child process.
    const script = `
      import { Options } from 'got';
      import { nativeRequestOptions } from ${JSON.stringify(MODULE)};
      const defaults = new Options({ headers: { 'user-agent': 'x' } });
      const build = (i) => nativeRequestOptions(new Options(new URL('http://127.0.0.1:1/pb?i=' + i), { method: 'GET' }, defaults));
      for (let i = 0; i < 2000; i++) build(i);
      process.stdout.write(String(%HaveSameMap(build(1), build(2))));
    `;
    const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    expect(child.stderr).to.equal('');
    expect(child.stdout).to.equal('true');
  });
});
