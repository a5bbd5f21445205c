// Serves an Express app (a host app mounting the relay's routers) on 127.0.0.1, for the browser tests to open.

import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface ServedApp {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Stops listening, dropping kept-alive browser connections. */
  close(): Promise<void>;
}

export async function serveOnLoopback(app: Express): Promise<ServedApp> {
  const server = await new Promise<ReturnType<Express['listen']>>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => {
      resolve(listening);
    });
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
