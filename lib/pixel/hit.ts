// Reads one pixel hit (query string or beacon body) into a lead to record, or the reason it carries none.

import { createHash } from 'node:crypto';
import type { LeadInput } from '../events/types.js';
import type { ResolvedPixelOptions } from './options.js';

/** Why a hit stored nothing; counted and logged, never shown to the page. */
export type PixelRejection = 'missing_click_id' | 'missing_affiliate' | 'bad_fill_id' | 'invalid' | 'conflict' | 'rate_limited' | 'error';

/** A hit read: the lead to record, or the reason there is none. */
export type PixelHit = { ok: true; lead: LeadInput } | { ok: false; reason: PixelRejection };

// The script's fill id: random, URL-safe, long enough never to collide.
const FILL_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** Reads a hit. The lead id derives from the script's fill id, so every copy of one form fill is one lead. */
export function readPixelHit(params: Readonly<Record<string, unknown>>, options: ResolvedPixelOptions): PixelHit {
  const first = (names: readonly string[]): string | undefined => {
    for (const name of names) {
      const value = single(params[name]);
      if (value !== undefined && value !== '') return value;
    }
    return undefined;
  };
  const clickId = first(options.clickIdParams);
  if (clickId === undefined) return { ok: false, reason: 'missing_click_id' };
  const affiliateId = first(options.affiliateParams);
  if (affiliateId === undefined) return { ok: false, reason: 'missing_affiliate' };
  const offerId = first(options.offerParams);
  const fillId = single(params.fid);
  if (fillId !== undefined && !FILL_ID.test(fillId)) return { ok: false, reason: 'bad_fill_id' };
  const subs = options.subParams.map((name) => first([name]) ?? null);
  return {
    ok: true,
    lead: {
      // Without a fill id (a script-less image pixel) one click, affiliate and offer make one lead, so a reload counts once.
      id: fillId === undefined ? `px-h-${digest([clickId, affiliateId, offerId ?? ''])}` : `px-${fillId}`,
      clickId,
      affiliateId,
      offerId: offerId ?? null,
      sub1: subs[0] ?? null,
      sub2: subs[1] ?? null,
      sub3: subs[2] ?? null,
      sub4: subs[3] ?? null,
      sub5: subs[4] ?? null,
    },
  };
}

// Express's query parser turns a repeated parameter into an array: the first copy counts.
function single(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

function digest(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 32);
}
