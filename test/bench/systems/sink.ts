// The sink: a tracker on 127.0.0.1 in its own process that counts every postback by key and notes when it arrived.
// Postbacks go to /pb; the bench reads and resets the counts under /_sink/. With `hosts`, it also listens on more
// ports, each a tracker host of its own (the relay isolates hosts by name and port): more healthy ones counting
// into the same ledger, hanging ones that take requests and never answer, failing ones that answer 500.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wallMs } from '../harness/clock.js';
import { DeliveryLedger, keyOfQuery } from '../harness/ledger.js';
import { announce, childConfig, exitOnSignal } from './child.js';

/** Extra tracker hosts, by kind. */
export interface SinkHosts {
  healthy: number;
  hanging: number;
  failing: number;
}

const { hosts = { healthy: 0, hanging: 0, failing: 0 } } = childConfig() as { hosts?: SinkHosts };
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
// A healthy host counts like the main one; the others count nothing (their postbacks are never delivered).
const healthy = () =>
  createServer(function receiveHealthy(req, res) {
    const at = wallMs();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    req.resume();
    ledger.record(keyOfQuery(new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1))), at);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('OK');
  });
const hanging = () =>
  createServer(function neverAnswer(req) {
    req.resume();
  });
const failing = () =>
  createServer(function answer500(req, res) {
    req.resume();
    res.writeHead(500, { 'content-type': 'text/plain', 'content-length': '4' }).end('oops');
  });
const extra = { healthy: Array.from({ length: hosts.healthy }, healthy), hanging: Array.from({ length: hosts.hanging }, hanging), failing: Array.from({ length: hosts.failing }, failing) };
const servers = [server, ...extra.healthy, ...extra.hanging, ...extra.failing];

async function listen(on: ReturnType<typeof createServer>): Promise<number> {
  // Trackers keep connections alive; so does the sink, longer than any pause between scenarios' requests.
  on.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => on.listen(0, '127.0.0.1', resolve));
  return (on.address() as AddressInfo).port;
}

const ports = async (list: Array<ReturnType<typeof createServer>>) => Promise.all(list.map(listen));
announce({ port: await listen(server), healthyPorts: await ports(extra.healthy), hangingPorts: await ports(extra.hanging), failingPorts: await ports(extra.failing) });
exitOnSignal(async () => {
  await Promise.all(
    servers.map(
      (on) =>
        new Promise<void>((resolve) => {
          on.close(() => { resolve(); });
          on.closeAllConnections();
        }),
    ),
  );
});
