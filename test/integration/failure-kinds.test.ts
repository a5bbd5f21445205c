// Failure kinds from real loopback sockets: what never left is unreached; what may have been recorded is ambiguous.

import type { Socket } from 'node:net';
import { expect } from 'chai';
import { judgeSend } from '../../lib/dispatch/format.js';
import { createPostbackClient } from '../../lib/dispatch/http-client.js';
import type { SendResult } from '../../lib/dispatch/http-client.js';
import { createTargetPolicy } from '../../lib/dispatch/target-guard.js';
import type { FormatterPlugin } from '../../lib/plugins/types.js';
import { useLoopbackClient } from '../helpers/loopback-client.js';
import { useRawServers } from '../helpers/raw-server.js';

const answer = (status: number) => (socket: Socket) => socket.end(`HTTP/1.1 ${status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nno`);
const plugin: FormatterPlugin = { name: 'kinds', apiVersion: 1, adjustments: 'unsupported', parseSettings: () => ({}), format: () => ({ method: 'GET', url: 'http://127.0.0.1/' }) };

describe('failure kinds (real loopback sockets)', () => {
  const client = useLoopbackClient({ timeoutMs: 500, maxSockets: 4 });
  const serve = useRawServers();
  const kindOf = (result: SendResult) => judgeSend(plugin, result).failureKind;

  it('records a refused connection as unreached', async () => {
    // A port just freed: nothing listens on it.
    const server = await serve(() => undefined);
    await server.close();
    const result = await client().send({ method: 'GET', url: `${server.origin}/pb` });
    expect(result).to.deep.include({ ok: false, failureKind: 'unreached', blocked: false });
  });

  it('records a destination the SSRF guard refuses as unreached and blocked', async () => {
    const guarded = createPostbackClient({ timeoutMs: 500, userAgent: 'test', maxSockets: 4, policy: createTargetPolicy([], 'targetAllowlist') });
    const server = await serve(answer(200));
    const result = await guarded.send({ method: 'GET', url: `${server.origin}/pb` });
    guarded.close();
    expect(result).to.deep.include({ ok: false, failureKind: 'unreached', blocked: true });
    expect(server.requests()).to.equal(0);
  });

  it('records a server that reads the request and never answers as ambiguous (a timeout after the request was written)', async () => {
    const server = await serve(() => undefined);
    const result = await client().send({ method: 'POST', url: `${server.origin}/pb`, body: 'x=1' });
    expect(server.requests()).to.equal(1);
    expect(result).to.deep.include({ ok: false, failureKind: 'ambiguous' });
    expect(kindOf(result)).to.equal('ambiguous');
  });

  it('records a server that destroys the socket after reading the request as ambiguous', async () => {
    const server = await serve((socket) => socket.destroy());
    const result = await client().send({ method: 'GET', url: `${server.origin}/pb` });
    expect(server.requests()).to.equal(1);
    expect(result).to.deep.include({ ok: false, failureKind: 'ambiguous' });
  });

  it('records a 503 and a redirect as ambiguous, a 400 as rejected, a 2xx the plugin refuses as rejected', async () => {
    for (const [status, kind] of [[503, 'ambiguous'], [302, 'ambiguous'], [400, 'rejected'], [429, 'rejected']] as const) {
      const server = await serve(answer(status));
      const result = await client().send({ method: 'GET', url: `${server.origin}/pb` });
      expect(result, String(status)).to.deep.include({ ok: true, statusCode: status });
      expect(kindOf(result), String(status)).to.equal(kind);
    }
    const refusing: FormatterPlugin = { ...plugin, name: 'refusing', judgeResponse: () => 'success=false' };
    expect(judgeSend(refusing, { ok: true, statusCode: 200, bodyExcerpt: 'success=false', retryAfter: null })).to.deep.equal({ delivered: false, error: 'success=false', failureKind: 'rejected' });
    expect(judgeSend(plugin, { ok: true, statusCode: 204, bodyExcerpt: '', retryAfter: null })).to.deep.equal({ delivered: true, error: null, failureKind: null });
  });
});
