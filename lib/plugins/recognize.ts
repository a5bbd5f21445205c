// Paste to configure: how a plugin recognises its own tracker's postback URL template and turns it into settings.

import { ValidationError } from '../errors.js';
import type { FormatterPlugin } from './types.js';

/** A postback URL template as an affiliate pasted it from its tracker, taken apart for the recognisers. */
export interface PastedPostbackUrl {
  /** As pasted, trimmed. */
  readonly source: string;
  /** `https://trk.example.com` (scheme, host and port). */
  readonly origin: string;
  /** The host name in lower case. */
  readonly hostname: string;
  /** The path as written, e.g. `/postback` or `/key123/postback`. */
  readonly path: string;
  /** The query's parameters in order, names and values decoded. */
  readonly params: ReadonlyArray<readonly [string, string]>;
  /** The first value of a parameter (name matched in any case), or undefined. */
  param(name: string): string | undefined;
  /** The first value of a parameter unless it is a placeholder the tracker asks to replace (`REPLACE`, `{clickid}`). */
  fixed(name: string): string | undefined;
}

/** What a recogniser found: the plugin's settings, and how sure it is. */
export interface UrlMatch {
  /**
   * How specific the match is: 3 the tracker's own host name, 2 its own path or parameter set, 1 a shape other
   * trackers share, 0 any URL at all (the generic fallback). The highest wins.
   */
  score: number;
  settings: Record<string, unknown>;
  /** What the affiliate should check before saving, e.g. a placeholder left out. */
  notes?: readonly string[];
}

/** A plugin's self-description for affiliates, and its recogniser. Declared as {@link FormatterPlugin.recognize}. */
export interface UrlRecognizer {
  /** The tracker's name as people know it, e.g. `Voluum`. */
  readonly trackerName: string;
  /** Where in the tracker to find the postback URL and the settings, in one or two sentences. */
  readonly help: string;
  /** The settings a pasted URL means for this plugin, or null when it is not this tracker's. */
  match(url: PastedPostbackUrl): UrlMatch | null;
}

/** The outcome of {@link recognizePostbackUrl}: the plugin chosen and its settings, already accepted by the plugin. */
export interface Recognition {
  plugin: string;
  settings: Record<string, unknown>;
  score: number;
  notes: readonly string[];
}

const MAX_URL = 2048;
// The forms trackers use for "put your value here": Voluum's REPLACE/OPTIONAL, {x}, {{x}}, [x], #x#, %x%, <x>.
const PLACEHOLDER = /^(REPLACE|OPTIONAL|REPLACE_ME|replace_or_remove|\{\{?[^{}]*\}?\}|\[[^[\]]*\]|#[^#]+#|%[^%]+%|<[^<>]*>|X{3,})$/i;

/** True when a query value is a placeholder a tracker shows, not a fixed value. */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value.trim());
}

/** The name inside a placeholder (`{clickid}` → `clickid`), lower case; empty for REPLACE/OPTIONAL. */
export function placeholderName(value: string): string {
  return value.trim().replace(/^[{[#%<]+|[}\]#%>]+$/g, '').toLowerCase();
}

/** Takes a pasted URL apart. Throws a ValidationError (field `url`) for anything but an absolute http(s) URL. */
export function parsePastedUrl(text: unknown): PastedPostbackUrl {
  if (typeof text !== 'string' || text.trim() === '') throw new ValidationError('url', 'is required: paste the postback URL your tracker shows');
  const source = text.trim();
  if (source.length > MAX_URL) throw new ValidationError('url', `must be at most ${MAX_URL} characters`);
  if (/^https?:\/\/[^/?#]*[<{[]/i.test(source)) throw new ValidationError('url', 'still has a placeholder in its domain: put your tracking domain there');
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw new ValidationError('url', 'is not a URL: paste the whole postback URL, starting with https://');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('url', 'must start with http:// or https://');
  const rawQuery = source.split('#')[0]?.split('?').slice(1).join('?') ?? '';
  // Decoded by hand: URLSearchParams would turn a `+` in a placeholder into a space.
  const params = rawQuery === '' ? [] : rawQuery.split('&').filter(Boolean).map((pair): readonly [string, string] => {
    const [key = '', ...rest] = pair.split('=');
    return [decode(key), decode(rest.join('='))];
  });
  const path = decode(source.replace(/^https?:\/\/[^/?#]*/i, '').split(/[?#]/)[0] ?? '') || '/';
  const param = (name: string) => params.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  return {
    source,
    origin: url.origin,
    hostname: url.hostname.toLowerCase(),
    path,
    params,
    param,
    fixed(name) {
      const value = param(name);
      return value === undefined || value === '' || isPlaceholder(value) ? undefined : value;
    },
  };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The part of a path before `suffix` (which it must end with, any case), without a trailing slash; undefined otherwise. */
export function pathPrefix(path: string, suffix: string): string | undefined {
  if (!path.toLowerCase().endsWith(suffix.toLowerCase())) return undefined;
  return path.slice(0, path.length - suffix.length).replace(/\/+$/, '');
}

/**
 * Picks the plugin among `plugins` whose recogniser matches `text` best and whose own `parseSettings` accepts
 * the settings it found (a weaker match is tried when a stronger one's settings are refused). Null when none
 * matches: a list without a catch-all recogniser (the generic plugin's) can leave a URL unrecognised.
 */
export function recognizePostbackUrl(plugins: readonly FormatterPlugin[], text: unknown): Recognition | null {
  const pasted = parsePastedUrl(text);
  const matches = plugins
    .flatMap((plugin) => {
      const found = plugin.recognize?.match(pasted);
      return found ? [{ plugin, found }] : [];
    })
    .sort((a, b) => b.found.score - a.found.score);
  for (const { plugin, found } of matches) {
    try {
      plugin.parseSettings(found.settings);
    } catch {
      continue;
    }
    return { plugin: plugin.name, settings: found.settings, score: found.score, notes: found.notes ?? [] };
  }
  return null;
}
