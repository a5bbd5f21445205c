// How the postback client reads an answer (real loopback sockets): the status, Retry-After and the start of the body
// as text, every byte read so the connection is kept alive, and an answer cut short as a failure.

import { getEventListeners } from 'node:events';
import type { Socket } from 'node:net';
import { expect } from 'chai';
import { useLoopbackClient } from '../helpers/loopback-client.js';
import { useRawServers } from '../helpers/raw-server.js';

// Writes `body` in pieces of `piece` bytes, so characters of several bytes are cut between packets.
function answerInPieces(status: number, body: Buffer, piece: number, headers = ''): (socket: Socket) => void {
  return (socket) => {
    socket.write(`HTTP/1.1 ${status} X\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\n${headers}\r\n`);
    for (let at = 0; at < body.length; at += piece) socket.write(body.subarray(at, at + piece));
  };
}

describe('postback client answers (real loopback sockets)', () => {
  const client = useLoopbackClient({ timeoutMs: 2_000, maxSockets: 1 });
  const serve = useRawServers();

  it('keeps the first 512 characters of a long answer of multi-byte characters cut between packets, with its status and Retry-After', async () => {
    // 1, 2, 3 and 4 bytes per character (the last two UTF-16 units each), far longer than the excerpt.
    const text = 'a é € 😀 '.repeat(400);
    const server = await serve(answerInPieces(429, Buffer.from(text, 'utf8'), 7, 'retry-after: 30\r\n'));
    const result = await client().send({ method: 'GET', url: `${server.origin}/pb` });
    expect(result).to.deep.equal({ ok: true, statusCode: 429, bodyExcerpt: text.slice(0, 512), retryAfter: '30' });
  });

  it('keeps a short answer whole and an empty one as empty', async () => {
    const server = await serve(answerInPieces(200, Buffer.from('OK ✓', 'utf8'), 2));
    expect(await client().send({ method: 'POST', url: `${server.origin}/pb`, body: 'a=1' })).to.deep.equal({ ok: true, statusCode: 200, bodyExcerpt: 'OK ✓', retryAfter: null });
    const empty = await serve(answerInPieces(204, Buffer.alloc(0), 1));
    expect(await client().send({ method: 'GET', url: `${empty.origin}/pb` })).to.deep.equal({ ok: true, statusCode: 204, bodyExcerpt: '', retryAfter: null });
  });

  it('reads a long answer to its end, so the next postback goes on the same kept-alive connection', async () => {
    const server = await serve(answerInPieces(200, Buffer.alloc(64 * 1024, 'x'), 16 * 1024));
    for (let i = 0; i < 3; i += 1) {
      const result = await client().send({ method: 'GET', url: `${server.origin}/pb?i=${i}` });
      expect(result).to.deep.include({ ok: true, statusCode: 200, bodyExcerpt: 'x'.repeat(512) });
    }
    expect(server.requests()).to.equal(3);
    expect(server.connections()).to.equal(1);
  });

  it('fails an answer cut off inside its body as ambiguous (the request was written), not as a short answer', async () => {
    const server = await serve((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part');
      socket.destroy();
    });
    const result = await client().send({ method: 'GET', url: `${server.origin}/pb` });
    expect(server.requests()).to.equal(1);
    expect(result).to.deep.include({ ok: false, failureKind: 'ambiguous', statusCode: null, bodyExcerpt: null });
  });

  it('leaves nothing on the abort signal it was given, whether the request was answered, answered 500 or failed', async () => {
    const signal = new AbortController().signal;
    const ok = await serve(answerInPieces(200, Buffer.from('OK'), 2));
    const failing = await serve(answerInPieces(500, Buffer.from('oops'), 2));
    const cut = await serve((socket) => socket.destroy());
    const results = [];
    for (const server of [ok, failing, cut, ok]) {
      results.push(await client().send({ method: 'GET', url: `${server.origin}/pb` }, signal));
      expect(getEventListeners(signal, 'abort'), server.origin).to.have.length(0);
    }
    expect(results.map((result) => result.statusCode)).to.deep.equal([200, 500, null, 200]);
  });
});
