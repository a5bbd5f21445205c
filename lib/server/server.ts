// The standalone server: a relay from resolved config, mounted on its own Express app, listening.

import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getHeapStatistics } from 'node:v8';
import express from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { RelayConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { parseApiKey, requireApiKey, requireScope } from '../http/auth.js';
import { errorHandler } from '../http/errors.js';
import { createRateLimiter } from '../http/rate-limit.js';
import { fromHostLogger } from '../log.js';
import type { HostLogger, Logger } from '../log.js';
import { createPostbackRelay } from '../relay.js';
import type { PostbackRelay } from '../relay.js';
import { redactUrl } from '../store/database.js';
import { createPortalLinksRouter } from './portal-links.js';
import { relayOptionsFromConfig } from './relay-options.js';

/** A listening server. */
export interface RunningServer {
  relay: PostbackRelay;
  /** Where the API answers, e.g. `http://127.0.0.1:3000/postbacks`. */
  url: string;
  /** Where the dashboard answers (admin key as Bearer, or as the HTTP Basic password), e.g. `http://127.0.0.1:3000/postbacks/admin`. */
  dashboardUrl: string;
  port: number;
  /** Stops taking requests, drains the dispatcher, closes the database. */
  close(): Promise<void>;
}

/** Starts the relay from configuration: migrate (unless disabled), mount, listen, dispatch. */
export async function startServer(config: Readonly<RelayConfig>, hostLogger: HostLogger): Promise<RunningServer> {
  const logger = fromHostLogger(hostLogger);
  // Always in production, not only when a fleet is declared: nothing tells one instance that a second will join,
  // and a per-process secret then breaks every dashboard form that lands on another instance.
  if (config.env === 'production' && config.secret === '') {
    throw new ConfigError('invalid configuration: secret (POSTBACK_RELAY_SECRET) must be set in production, the same on every instance (see docs/scaling.md)');
  }
  let apiKeys = config.apiKeys;
  if (apiKeys.length === 0) {
    // Only outside production (loadConfig refuses it there): a key for this run, so the API is never open.
    apiKeys = [randomBytes(18).toString('base64url')];
    logger.warn('no API key configured (POSTBACK_RELAY_API_KEYS); generated one for this run only', { apiKey: apiKeys[0] });
  }
  // The process's own metrics (CPU, memory, event loop) beside the relay's, in one registry served at /metrics.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const relay = createPostbackRelay(await relayOptionsFromConfig(config, { apiKeys, logger: hostLogger, metrics: { registry } }));
  try {
    return await listenThenDispatch(config, logger, relay, registry, apiKeys);
  } catch (error) {
    // Nothing may outlive a failed start: no dispatcher sending, no heartbeat, no open pool.
    await relay.stop();
    logger.error('start failed; the relay is stopped', { error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

// Migrations, then the listening socket, and only then the dispatcher: an instance that cannot take requests (its
// port taken) must not send, and /readyz answers 503 until dispatching has started.
async function listenThenDispatch(config: Readonly<RelayConfig>, logger: Logger, relay: PostbackRelay, registry: Registry, apiKeys: readonly string[]): Promise<RunningServer> {
  if (config.database.migrate) {
    const ran = await relay.migrate();
    if (ran.length > 0) logger.info('migrations applied', { migrations: ran });
  }

  const app = express();
  app.disable('x-powered-by');
  // Express would hash every JSON answer for a weak ETag: about 2 % of ingest CPU, for answers to POSTs and to reads
  // of live data, which no client revalidates. The pixel's script sets its own ETag, which this leaves alone.
  app.disable('etag');
  app.set('trust proxy', trustProxy(config.http.trustProxy));
  // The public pixel answers first; the per-IP rate limit (lib/http/rate-limit.ts) belongs in front of it.
  app.use(config.http.mountPath, relay.pixel);
  // Probes and the scraper come without an API key, so these sit outside the authenticated API path.
  app.use(relay.health);
  app.get('/metrics', async function scrape(_req, res) {
    res.type(registry.contentType).send(await registry.metrics());
  });
  // Before the API router, whose catch-all would answer 404. A browser opens the dashboard from a plain link, so
  // besides Bearer it takes an admin-scoped key as the password of HTTP Basic, which the browser prompts for.
  app.use(
    dashboardPath(config.http.mountPath),
    ...(config.rateLimit.enabled ? [createRateLimiter({ max: config.rateLimit.max, windowMs: config.rateLimit.windowMs }, 'dashboard')] : []),
    requireApiKey(apiKeys.map((key, index) => parseApiKey(key, `apiKeys[${index}]`)), { basicRealm: 'postback-relay dashboard' }),
    requireScope('admin'),
    relay.dashboard,
    errorHandler(logger, config.http.bodyLimit),
  );
  if (config.portal.linkSecrets.length > 0) {
    // Affiliates come with a signed link, not an API key: the portal authenticates them itself.
    const portalPath = `${config.http.mountPath.replace(/\/+$/, '')}/portal`;
    app.use(portalPath, ...(config.rateLimit.enabled ? [createRateLimiter({ max: config.rateLimit.max, windowMs: config.rateLimit.windowMs })] : []), relay.portal());
    app.use(
      `${config.http.mountPath.replace(/\/+$/, '')}/portal-links`,
      requireApiKey(apiKeys.map((key, index) => parseApiKey(key, `apiKeys[${index}]`))),
      requireScope('admin'),
      createPortalLinksRouter(relay, portalPath, config.portal.publicUrl),
      errorHandler(logger, config.http.bodyLimit),
    );
  }
  app.use(config.http.mountPath, relay.router);
  const server = app.listen(config.http.port, config.http.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  try {
    await relay.start();
  } catch (error) {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  const url = `http://${host}:${port}${config.http.mountPath}`;
  const dashboardUrl = `http://${host}:${port}${dashboardPath(config.http.mountPath)}`;
  // The heap limit shows whether the process runs with the heap sizing of `npm start` and the image (docs/performance.md).
  const heapLimitMb = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
  logger.info('postback-relay listening', { url, dashboard: dashboardUrl, database: redactUrl(config.database.url), heapLimitMb });

  let closing: Promise<void> | undefined;
  return {
    relay,
    url,
    dashboardUrl,
    port,
    close() {
      closing ??= (async () => {
        // A keep-alive client that keeps sending (a load balancer's pooled connection) would hold the server open
        // until the shutdown bound: every answer from now on closes its connection.
        server.prependListener('request', (_req, res: ServerResponse) => {
          res.setHeader('connection', 'close');
        });
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
          server.closeIdleConnections();
        });
        await relay.stop();
      })();
      return closing;
    },
  };
}

/** The dashboard sits under the API's mount path: `/postbacks/admin`, or `/admin` when the API is at the root. */
function dashboardPath(mountPath: string): string {
  return `${mountPath.replace(/\/+$/, '')}/admin`;
}

// Express reads a number as a hop count and a string as a list of trusted proxies.
function trustProxy(setting: string): boolean | number | string {
  if (setting.trim() === '') return false;
  return /^\d+$/.test(setting.trim()) ? Number(setting) : setting;
}
