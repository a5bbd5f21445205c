// The public pixel's routes (relay.pixel): the landing-page script, the image pixel, the beacon and its confirmation.

import { z } from 'zod';
import { PIXEL_DEFAULTS } from '../pixel/options.js';
import type { RouteContract } from './route.js';

const param = (what: string, names: readonly string[]) => z.string().optional().meta({ description: `${what}; also read from ${names.slice(1).join(', ')} (the names are configurable: docs/pixel.md)` });
/** The hit's parameters under their default names; a host may configure others (docs/pixel.md). */
export const pixelHitParams = z.object({
  click_id: param("The affiliate tracker's click ID", PIXEL_DEFAULTS.clickIdParams),
  aff: param("The affiliate's id", PIXEL_DEFAULTS.affiliateParams),
  offer: param("The offer's id", PIXEL_DEFAULTS.offerParams),
  sub1: z.string().optional(),
  sub2: z.string().optional(),
  sub3: z.string().optional(),
  sub4: z.string().optional(),
  sub5: z.string().optional(),
  fid: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).optional().meta({ description: "The script's fill id: every copy of one form fill is one lead" }),
});
const confirmation = z.object({ leadId: z.string(), pixels: z.array(z.object({ type: z.string(), url: z.string() })) });
const rejection = z.object({ rejected: z.string().meta({ description: 'Why the hit stored nothing, e.g. missing_click_id, invalid' }) });
const CORS = { 'Access-Control-Allow-Origin': '`*`: landing pages live on other hosts' };

export const pixelRoutes = [
  {
    operationId: 'pixelScript',
    method: 'get',
    path: '/pixel.js',
    tag: 'pixel',
    access: 'public',
    summary: 'The landing-page script: keeps the click in a first-party cookie and reports the form fill',
    query: z.object({ v: z.string().optional().meta({ description: "The script's current tag: with it the script may be cached for a year" }) }),
    responses: { 200: { description: 'The script', contentType: 'application/javascript' }, 304: { description: 'Not modified (ETag)' } },
    errors: [],
  },
  {
    operationId: 'pixelPreflight',
    method: 'options',
    path: '/pixel/lead',
    tag: 'pixel',
    access: 'public',
    summary: 'CORS preflight of the beacon and its confirmation',
    responses: { 204: { description: 'Allowed from any origin', headers: CORS } },
    errors: [],
  },
  {
    operationId: 'imagePixelPreflight',
    method: 'options',
    path: '/pixel.gif',
    tag: 'pixel',
    access: 'public',
    summary: 'CORS preflight of the image pixel',
    responses: { 204: { description: 'Allowed from any origin', headers: CORS } },
    errors: [],
  },
  {
    operationId: 'imagePixel',
    method: 'get',
    path: '/pixel.gif',
    tag: 'pixel',
    access: 'public',
    summary: 'The image pixel: records a lead from its query; always answers the 1x1 GIF, whatever was stored',
    query: pixelHitParams,
    responses: { 200: { description: 'A transparent 1x1 GIF', contentType: 'image/gif' } },
    errors: [],
  },
  {
    operationId: 'pixelBeacon',
    method: 'post',
    path: '/pixel/lead',
    tag: 'pixel',
    access: 'public',
    summary: "The script's beacon: records a lead from a form-encoded body (8 KB at most)",
    body: { schema: pixelHitParams, contentType: 'application/x-www-form-urlencoded', example: { click_id: 'a1b2c3d4', aff: 'aff-7', fid: 'k3J9xQ2mW8pL5vZ1' } },
    responses: {
      204: { description: 'Recorded (or a repeat of one recorded)', headers: CORS },
      400: { description: 'Nothing stored (the reason is logged and counted, never shown)' },
      429: { description: 'Too many hits from this address: nothing stored' },
    },
    errors: [],
  },
  {
    operationId: 'confirmPixelFill',
    method: 'get',
    path: '/pixel/lead',
    tag: 'pixel',
    access: 'public',
    summary: "The script's confirmation: records the lead like the beacon and answers with the affiliate's browser pixels",
    query: pixelHitParams,
    responses: {
      200: { description: 'Recorded; the browser pixels to fire', schema: confirmation, example: { leadId: 'px-k3J9xQ2mW8pL5vZ1', pixels: [{ type: 'image', url: 'https://trk.example/pixel?cid=a1b2c3d4' }] } },
      400: { description: 'Nothing stored', schema: rejection, example: { rejected: 'missing_click_id' } },
      429: { description: 'Too many hits from this address: nothing stored' },
    },
    errors: [],
  },
] as const satisfies readonly RouteContract[];
