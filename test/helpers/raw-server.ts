// A raw TCP "tracker" on 127.0.0.1, for answers no HTTP server library would write: `behave` decides what happens once
// a whole request head has arrived on a socket (each request on a kept-alive socket too).

import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

export interface RawServer {
  origin: string;
  /** Request heads seen, on every connection. */
  requests: () => number;
  /** Connections accepted. */
  connections: () => number;
  close: () => Promise<void>;
}

export async function rawServer(behave: (socket: Socket) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  let requests = 0;
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let seen = '';
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      // The test clients send bodyless GETs or short bodies in the same packet: a head is a request.
      while (seen.includes('\r\n\r\n')) {
        seen = seen.slice(seen.indexOf('\r\n\r\n') + 4);
        requests += 1;
        behave(socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests: () => requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Registers an `afterEach` that closes them, and returns what starts one for a test. */
export function useRawServers(): (behave: (socket: Socket) => void) => Promise<RawServer> {
  const servers: RawServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });
  return async (behave) => {
    const server = await rawServer(behave);
    servers.push(server);
    return server;
  };
}
