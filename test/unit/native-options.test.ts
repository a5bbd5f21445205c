// The relay's build of got's native request options: the same object as got's, one hidden class for every request,
// and what it leaves out changes nothing node does (a certificate that does not verify is still refused).

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, createServer, request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { Server } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { got, Options } from 'got';
import { createPostbackClient } from '../../lib/dispatch/http-client.js';
import { definedOnly, nativeRequestOptions, stableNativeOptions } from '../../lib/dispatch/native-options.js';
import { createTargetPolicy } from '../../lib/dispatch/target-guard.js';
import { repoModule, runWithNatives } from '../helpers/hidden-class.js';

// A self-signed certificate for 127.0.0.1 (valid until 2126): no client trusts it.
const TLS = new URL('../fixtures/tls/', import.meta.url);

async function listening<S extends Server>(server: S): Promise<{ server: S; port: number }> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

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

  it('hand node only the keys with a value, in the same order', () => {
    const theirs = gotsOwn(requests[1]![1]);
    const defined = definedOnly(nativeRequestOptions(requests[1]![1]));
    expect(Object.keys(defined)).to.deep.equal(Object.keys(theirs).filter((key) => theirs[key as keyof typeof theirs] !== undefined));
    expect(Object.values(defined)).to.not.include(undefined);
    expect(defined.method).to.equal('POST');
    // Left to node, which checks a certificate unless this is false: the next test holds it to that.
    expect(defined).to.not.have.property('rejectUnauthorized');
  });

  it('leave certificate checks as they were: a certificate nobody signed is refused, by got alone and by the relay', async () => {
    const { server, port } = await listening(createHttpsServer({ key: readFileSync(new URL('self-signed.key', TLS)), cert: readFileSync(new URL('self-signed.crt', TLS)) }, (_request, response) => response.end('OK')));
    let answered = 0;
    server.on('request', () => (answered += 1));
    const client = createPostbackClient({ timeoutMs: 5_000, userAgent: 'test', maxSockets: 2, policy: createTargetPolicy(['127.0.0.1'], 'targetAllowlist') });
    try {
      const plain = await got(`https://127.0.0.1:${port}/`, { retry: { limit: 0 } }).then(() => 'answered', (error: unknown) => (error as { code?: string }).code);
      expect(plain).to.equal('DEPTH_ZERO_SELF_SIGNED_CERT');
      const relayed = await client.send({ method: 'GET', url: `https://127.0.0.1:${port}/pb` });
      expect(relayed.ok).to.equal(false);
      expect(relayed.ok ? '' : relayed.error).to.match(/self[- ]signed certificate/);
      expect(answered).to.equal(0);
    } finally {
      client.close();
      server.close();
    }
  });

  it('are what node is handed for a request through the handler, and got builds its own where it needs more', async () => {
    const { server, port } = await listening(createServer((_request, response) => response.end('OK')));
    const handed: RequestOptions[] = [];
    // node's request function, recording the options got hands it: beside a URL, or alone (through got's cache).
    const request = (url: URL | RequestOptions, options: RequestOptions | ((response: IncomingMessage) => void), callback?: (response: IncomingMessage) => void): ClientRequest => {
      if (url instanceof URL && typeof options === 'object') {
        handed.push(options);
        return httpRequest(url, options, callback);
      }
      handed.push(url);
      return httpRequest(url as RequestOptions, options as (response: IncomingMessage) => void);
    };
    try {
      const client = got.extend({ handlers: [stableNativeOptions], request, retry: { limit: 0 } });
      const plain = await client(`http://127.0.0.1:${port}/a`);
      expect(plain.body).to.equal('OK');
      expect(handed[0]).to.deep.equal(definedOnly(nativeRequestOptions(plain.request.options)));
      expect(Object.values(handed[0] ?? { none: undefined })).to.not.include(undefined);
      const cached = await client(`http://127.0.0.1:${port}/b`, { cache: new Map() });
      expect(cached.body).to.equal('OK');
      // got's own options, undefined TLS settings and all.
      expect(handed[1]).to.have.property('ALPNProtocols', undefined);
    } finally {
      server.close();
    }
  });

  it('give every request the same hidden class (what got 14 on V8 11 does not)', () => {
    const script = `
      import { Options } from 'got';
      import { definedOnly, nativeRequestOptions } from ${JSON.stringify(repoModule('lib/dispatch/native-options.ts'))};
      const defaults = new Options({ headers: { 'user-agent': 'x' } });
      const url = (i) => new URL('http://127.0.0.1:1/pb?i=' + i);
      const build = (i) => definedOnly(nativeRequestOptions(new Options(url(i), { method: 'GET' }, defaults)));
      for (let i = 0; i < 2000; i++) build(i);
      process.stdout.write(String(%HaveSameMap(build(1), build(2))));
    `;
    expect(runWithNatives(script)).to.equal('true');
  });
});
