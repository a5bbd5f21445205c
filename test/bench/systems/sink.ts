// The sink: a tracker on 127.0.0.1 in its own process that counts every postback by key and notes when it arrived.
// Postbacks go to /pb; the bench reads and resets the counts under /_sink/.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wallMs } from '../harness/clock.js';
import { DeliveryLedger, keyOfQuery } from '../harness/ledger.js';
import { announce, exitOnSignal } from './child.js';

const ledger = new DeliveryLedger();

const server = createServer(function receive(req, res) {
  const at = wallMs();
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  // A POST postback's body is not needed; reading it to the end keeps the connection reusable.
  req.resume();
  if (path === '/pb') {
    ledger.record(keyOfQuery(new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1))), at);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('OK');
    return;
  }
  const json = (body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  };
  if (path === '/_sink/stats') {
    json(ledger.stats());
  } else if (path === '/_sink/entries') {
    json(ledger.entries());
  } else if (path === '/_sink/clock') {
    json({ now: wallMs() });
  } else if (path === '/_sink/reset' && req.method === 'POST') {
    ledger.reset();
    json({ reset: true });
  } else {
    res.writeHead(404).end();
  }
});
// Trackers keep connections alive; so does the sink, longer than any pause between scenarios' requests.
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  announce({ port: (server.address() as AddressInfo).port });
});
exitOnSignal(
  () =>
    new Promise((resolve) => {
      server.close(() => { resolve(); });
      server.closeAllConnections();
    }),
);
