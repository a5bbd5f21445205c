// The admin API's portal links: `POST <mount>/portal-links {affiliateId, ttlSeconds?}` answers a signed URL into the portal.

import express, { Router } from 'express';
import { requireJson } from '../http/errors.js';
import type { PostbackRelay } from '../relay.js';
import { DEFAULT_LINK_TTL_SECONDS } from '../portal/portal.js';
import { z } from 'zod';
import { check, object, optional, text } from '../validation.js';

const seconds = z.number({ error: 'must be a whole number of seconds' }).int({ error: 'must be a whole number of seconds' }).min(1, { error: 'must be a whole number of seconds' });
const linkBody = object({ affiliateId: text({ max: 191, pattern: /^\S+$/, patternHint: 'an affiliate id without spaces' }), ttlSeconds: optional(seconds) });

/** The route; `portalPath` is where the server mounts the portal, used when no `portal.publicUrl` is configured. */
export function createPortalLinksRouter(relay: PostbackRelay, portalPath: string, publicUrl: string): Router {
  const router = Router();
  router.post('/', requireJson, express.json(), function portalLink(req, res) {
    const body = check(linkBody, req.body ?? {});
    const ttlSeconds = body.ttlSeconds ?? DEFAULT_LINK_TTL_SECONDS;
    const baseUrl = publicUrl === '' ? `${req.protocol}://${req.get('host') ?? 'localhost'}${portalPath}` : publicUrl;
    const url = relay.portal.link(body.affiliateId, { ttlSeconds, baseUrl });
    res.status(201).json({ data: { url, affiliateId: body.affiliateId, expiresAt: new Date(Date.now() + ttlSeconds * 1000) } });
  });
  return router;
}
