// Checks a JSON body's structure that JSON.parse hides: duplicate keys (last one silently wins) and nesting depth.

import type { RequestHandler } from 'express';
import { MalformedBodyError } from '../errors.js';
import { rawBodyOf } from './raw-body.js';

/** Nesting deeper than this is refused: no event is more than a few levels deep, and bombs are thousands. */
export const MAX_JSON_DEPTH = 16;

/**
 * Scans valid JSON text (already parsed once) without recursion. Returns why it is refused, or undefined.
 * Keys are compared after unescaping, so `"id"` and `"\u0069d"` are the same key.
 */
export function inspectJson(text: string, maxDepth: number = MAX_JSON_DEPTH): string | undefined {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = open.at(-1);
      if (expectKey && top) {
        const quoted = text.slice(i + 1, end);
        // Only an escaped key needs decoding; the usual plain one is compared as written.
        const key = quoted.includes('\\') ? (JSON.parse(`"${quoted}"`) as string) : quoted;
        if (top.has(key)) return `the key "${key.slice(0, 40)}" appears twice in one object`;
        top.add(key);
      }
      expectKey = false;
      i = end;
    } else if (char === '{' || char === '[') {
      open.push(char === '{' ? new Set() : null);
      if (open.length > maxDepth) return `the body is nested more than ${maxDepth} levels deep`;
      expectKey = char === '{';
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      expectKey = open.at(-1) instanceof Set;
    }
  }
  return undefined;
}

/** Middleware, after express.json: refuses a body with duplicate keys or too deep a nesting with 400. */
export const rejectAmbiguousJson: RequestHandler = function rejectAmbiguousJson(req, _res, next) {
  const raw = rawBodyOf(req);
  const problem = raw.length === 0 ? undefined : inspectJson(raw.toString('utf8'));
  next(problem === undefined ? undefined : new MalformedBodyError(problem));
};
