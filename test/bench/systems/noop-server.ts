// The ingest ceiling: Express parsing the JSON body and answering, with no work at all.

import type { AddressInfo } from 'node:net';
import express from 'express';
import { announce, childConfig, exitOnSignal } from './child.js';

const config = childConfig() as { path: string };
const app = express();
app.disable('x-powered-by');
app.use(express.json());
app.post(config.path, function acknowledge(req, res) {
  res.status(201).json({ data: { id: (req.body as { id?: unknown } | undefined)?.id ?? null } });
});
const server = app.listen(0, '127.0.0.1', () => {
  announce({ port: (server.address() as AddressInfo).port });
});
exitOnSignal(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
