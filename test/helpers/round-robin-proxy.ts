// A load balancer without sticky sessions, on 127.0.0.1: each request goes to the next upstream in turn.

import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The upstream origin each request went to, in order. */
  routed: string[];
  close(): Promise<void>;
}

/** Starts a proxy over `upstreams` (origins such as `http://127.0.0.1:3001`), all on loopback. */
export async function startRoundRobinProxy(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  if (upstreams.length === 0) throw new Error('a proxy needs at least one upstream');
  for (const upstream of upstreams) if (new URL(upstream).hostname !== '127.0.0.1') throw new Error(`upstream ${upstream} is not on 127.0.0.1`);
  const routed: string[] = [];
  let next = 0;
  const server = createServer((req, res) => {
    const upstream = upstreams[next % upstreams.length] as string;
    next += 1;
    routed.push(upstream);
    const { hostname, port } = new URL(upstream);
    const forward = request({ hostname, port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (error) => {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`upstream ${upstream} failed: ${error.message}`);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
