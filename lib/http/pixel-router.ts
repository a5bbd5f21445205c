// The public pixel router: the landing-page script, the image pixel and the beacon, which can only create leads.

import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import express, { Router } from 'express';
import type { Request, RequestHandler, Response } from 'express';
import { pixelRoutes } from '../contract/pixel-routes.js';
import { mountRoutes } from '../contract/route.js';
import { IdempotencyConflictError, InvalidOptionError, RateLimitedError, ValidationError } from '../errors.js';
import type { Lead, LeadSource, Recorded } from '../events/types.js';
import type { HostLogger, Logger } from '../log.js';
import { createWarningLogger, describeError, fromHostLogger } from '../log.js';
import type { BrowserPixel, BrowserPixelLister } from '../pixel/browser-pixels.js';
import { readPixelHit } from '../pixel/hit.js';
import type { PixelRejection } from '../pixel/hit.js';
import { resolvePixelOptions } from '../pixel/options.js';
import type { PixelOptions } from '../pixel/options.js';
import { buildPixelScript } from '../pixel/script.js';
import { createRateLimiter } from './rate-limit.js';
import { isDecodableForm, rawQueryOf, verifyFormBytes } from './raw-body.js';
import type { RateLimitOptions } from './rate-limit.js';

/** What one pixel hit came to: a new lead, a repeat of one already recorded, or nothing stored. */
export type PixelOutcome = { kind: 'recorded' | 'replayed'; leadId: string } | { kind: 'rejected'; reason: PixelRejection };

/** Options of {@link createPixelRouter}. */
export interface PixelRouterOptions {
  /** Records the lead; the relay's own recorder (the same path as the event API). */
  recordLead: (input: unknown, source: LeadSource) => Promise<Recorded<Lead>>;
  /** The affiliate's browser pixels for a recorded lead. */
  browserPixels: BrowserPixelLister;
  /** The script's parameter names and cookie. */
  pixel?: PixelOptions | undefined;
  /** Shown in the script's banner and `PostbackRelayPixel.version`. */
  version: string;
  /** The per-address limit on hits (not on the script); over it a hit still gets its GIF but records nothing. @default no limit */
  rateLimit?: RateLimitOptions | false | undefined;
  /**
   * Where rejected hits and failures are logged: pino, or anything with pino's methods (fields first).
   * @default each distinct failure reported once through `process.emitWarning`
   */
  logger?: HostLogger | undefined;
  /** Called once per hit with its outcome, for metrics. */
  onHit?: ((outcome: PixelOutcome) => void) | undefined;
}

// A transparent 1x1 GIF (42 bytes).
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
// Every hit must reach us: no browser or proxy may answer it from a cache.
const NO_CACHE = { 'cache-control': 'no-store, no-cache, must-revalidate, max-age=0', pragma: 'no-cache', expires: '0' };
// Landing pages live on other hosts and send no credentials: any origin may read, and may embed (COEP pages too).
const CROSS_ORIGIN = { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin', 'x-content-type-options': 'nosniff' };
const BEACON_LIMIT = '8kb';

/**
 * Builds the pixel router: `GET /pixel.js`, `GET /pixel.gif`, `POST /pixel/lead` (the beacon) and
 * `GET /pixel/lead` (the script's confirmation, answering with the browser pixels). Options are checked
 * here; a bad one throws an `InvalidOptionError` naming it. Public by nature: it can only create leads.
 */
export function createPixelRouter(options: Readonly<PixelRouterOptions>): Router {
  return pixelRouter({ ...options, logger: options.logger ? fromHostLogger(options.logger) : createWarningLogger() });
}

/** {@link createPixelRouter} with the relay's internal logger, for the relay's own `pixel`. */
export function pixelRouter(options: Readonly<Omit<PixelRouterOptions, 'logger'> & { logger: Logger }>): Router {
  if (typeof options.recordLead !== 'function') throw new InvalidOptionError('recordLead', 'must be a function');
  if (typeof options.browserPixels !== 'function') throw new InvalidOptionError('browserPixels', 'must be a function');
  const resolved = resolvePixelOptions(options.pixel);
  const { logger } = options;
  const onHit = options.onHit ?? (() => undefined);
  const script = Buffer.from(buildPixelScript(resolved, options.version));
  const scriptGzip = gzipSync(script, { level: 9 });
  const scriptTag = createHash('sha256').update(script).digest('base64url').slice(0, 16);
  const scriptHeaders = { ...CROSS_ORIGIN, 'content-type': 'application/javascript; charset=utf-8', etag: `"${scriptTag}"`, vary: 'accept-encoding' };
  const gifHeaders = { ...CROSS_ORIGIN, ...NO_CACHE, 'content-type': 'image/gif', 'content-length': String(GIF.length) };

  /** Records the hit's lead; never throws, so every hit gets its answer. */
  async function record(params: Readonly<Record<string, unknown>>, rawQuery?: string): Promise<{ lead: Lead } | { rejected: PixelRejection }> {
    if (rawQuery !== undefined && !isDecodableForm(rawQuery)) return reject('invalid');
    const hit = readPixelHit(params, resolved);
    if (!hit.ok) return reject(hit.reason);
    try {
      const recorded = await options.recordLead(hit.lead, 'pixel');
      onHit({ kind: recorded.replayed ? 'replayed' : 'recorded', leadId: recorded.record.id });
      return { lead: recorded.record };
    } catch (error) {
      if (error instanceof ValidationError) return reject('invalid', error.field);
      if (error instanceof IdempotencyConflictError) return reject('conflict');
      logger.error('pixel hit failed', { error: describeError(error) });
      return reject('error');
    }
  }
  function reject(reason: PixelRejection, field?: string): { rejected: PixelRejection } {
    // Never the values: a bad hit may carry 10 KB of anything.
    logger.info('pixel hit rejected', field === undefined ? { reason } : { reason, field });
    onHit({ kind: 'rejected', reason });
    return { rejected: reason };
  }

  const router = Router();
  if (options.rateLimit) router.use(['/pixel.gif', '/pixel/lead'], createRateLimiter(options.rateLimit, 'pixel'));
  const preflight: RequestHandler = function pixelPreflight(_req, res) {
    res.set({ ...CROSS_ORIGIN, 'access-control-allow-methods': 'GET, POST', 'access-control-max-age': '86400' }).status(204).end();
  };
  mountRoutes(router, pixelRoutes, {
    pixelPreflight: preflight,
    imagePixelPreflight: preflight,
    pixelScript(req, res) {
      // The stable URL revalidates daily by ETag; a URL carrying the current tag may be cached for a year.
      res.set(scriptHeaders).set('cache-control', req.query.v === scriptTag ? 'public, max-age=31536000, immutable' : 'public, max-age=86400');
      if (req.fresh) {
        res.status(304).end();
        return;
      }
      const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
      res.set({ 'content-length': String(gzip ? scriptGzip.length : script.length), ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
      res.end(gzip ? scriptGzip : script);
    },
    async imagePixel(req, res) {
      // A HEAD (link checkers, prefetchers) is not a form fill.
      if (req.method === 'GET') await record(req.query, rawQueryOf(req));
      sendGif(res);
    },
    pixelBeacon: [
      express.urlencoded({ extended: false, limit: BEACON_LIMIT, verify: verifyFormBytes }),
      async function beacon(req: Request, res: Response) {
        const result = await record(isRecord(req.body) ? req.body : {});
        res.set({ ...CROSS_ORIGIN, ...NO_CACHE }).status('lead' in result ? 204 : 400).end();
      },
    ],
    async confirmPixelFill(req, res) {
      const result = await record(req.query, rawQueryOf(req));
      res.set({ ...CROSS_ORIGIN, ...NO_CACHE });
      if ('rejected' in result) {
        res.status(400).json({ rejected: result.rejected });
        return;
      }
      let pixels: BrowserPixel[] = [];
      try {
        pixels = await options.browserPixels(result.lead);
      } catch (error) {
        logger.error('browser pixels could not be listed', { error: describeError(error) });
      }
      res.status(200).json({ leadId: result.lead.id, pixels });
    },
  });
  // A body too large or unreadable still stores nothing and is counted, and the image never breaks.
  router.use(function pixelError(error: unknown, req: Request, res: Response, next: (error?: unknown) => void) {
    if (res.headersSent) {
      next(error);
      return;
    }
    const limited = error instanceof RateLimitedError;
    reject(limited ? 'rate_limited' : 'invalid');
    if (req.path === '/pixel.gif') sendGif(res);
    else res.set({ ...CROSS_ORIGIN, ...NO_CACHE }).status(limited ? 429 : 400).end();
  });

  function sendGif(res: Response): void {
    res.set(gifHeaders).status(200).end(GIF);
  }
  return router;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
