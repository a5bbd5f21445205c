// Checks what JSON.parse hides in a JSON body: bytes that are not the declared Unicode encoding (decoded as U+FFFD),
// duplicate keys (last one silently wins), nesting depth, and numbers a double cannot hold as written (`1e3` parses
// to 1000, `12.500000000000000001` to 12.5): the exact-money rule needs the number's text, which only the raw body has.

import { TextDecoder } from 'node:util';
import type { RequestHandler } from 'express';
import { MalformedBodyError, UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { rawBodyOf } from './raw-body.js';

/** Nesting deeper than this is refused: no event is more than a few levels deep, and bombs are thousands. */
export const MAX_JSON_DEPTH = 16;
/** A double prints back exactly what was typed only up to 15 significant digits. */
export const MAX_NUMBER_DIGITS = 15;

/** Why a JSON text is refused; `field` is the dotted path of the value at fault, when it is one value. */
export interface JsonProblem {
  kind: 'duplicate_key' | 'too_deep' | 'inexact_number';
  message: string;
  field?: string;
}

const NUMBER = /-?(\d+)(?:\.(\d+))?([eE][+-]?\d+)?/y;

/** One open container: the keys seen so far and the current key (an object), or the current index (an array). */
type Open = { keys: Set<string>; key: string } | { keys: null; index: number };

/**
 * Scans JSON text without recursion. Returns why it is refused, or undefined (also for text that is not JSON,
 * which JSON.parse reports). Keys are compared after unescaping, so `"id"` and `"\u0069d"` are the same key.
 */
export function inspectJson(text: string, maxDepth: number = MAX_JSON_DEPTH): JsonProblem | undefined {
  const open: Open[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) return undefined;
      const top = open.at(-1);
      if (expectKey && top?.keys) {
        const key = unescapeKey(text.slice(i + 1, end));
        if (key === undefined) return undefined;
        if (top.keys.has(key)) return { kind: 'duplicate_key', message: `the key "${key.slice(0, 40)}" appears twice in one object`, field: pathOf(open) };
        top.keys.add(key);
        top.key = key;
      }
      expectKey = false;
      i = end;
    } else if (char === '{' || char === '[') {
      open.push(char === '{' ? { keys: new Set(), key: '' } : { keys: null, index: 0 });
      if (open.length > maxDepth) return { kind: 'too_deep', message: `the body is nested more than ${maxDepth} levels deep` };
      expectKey = char === '{';
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      const top = open.at(-1);
      if (top && top.keys === null) top.index += 1;
      expectKey = top?.keys instanceof Set;
    } else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      if (match === null) return undefined;
      const [literal, whole = '', fraction = '', exponent] = match;
      const digits = `${whole}${fraction.replace(/0+$/, '')}`.replace(/^0+/, '');
      if (exponent !== undefined || digits.length > MAX_NUMBER_DIGITS) {
        return {
          kind: 'inexact_number',
          message: `is the JSON number ${literal.slice(0, 40)}, which cannot be read exactly (no exponent, at most ${MAX_NUMBER_DIGITS} significant digits); send an amount as a string such as "12.50"`,
          field: pathOf(open),
        };
      }
      i += literal.length - 1;
    }
  }
  return undefined;
}

function unescapeKey(quoted: string): string | undefined {
  // Only an escaped key needs decoding; the usual plain one is compared as written.
  if (!quoted.includes('\\')) return quoted;
  try {
    return JSON.parse(`"${quoted}"`) as string;
  } catch {
    return undefined;
  }
}

/** The dotted path of the current value, as ValidationError names fields: `settings.url`, `events[0]`. */
function pathOf(open: readonly Open[]): string {
  return open.reduce((path, entry) => (entry.keys ? (path === '' ? entry.key : `${path}.${entry.key}`) : `${path}[${entry.index}]`), '');
}

// Charsets body-parser reads for JSON, each checked strictly here (it decodes a bad byte as U+FFFD).
function strictDecoder(contentType: string | undefined): TextDecoder {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase() ?? 'utf-8';
  try {
    return new TextDecoder(charset, { fatal: true, ignoreBOM: true });
  } catch {
    throw new UnsupportedMediaTypeError(contentType);
  }
}

/** The JSON text of a raw body, refusing bytes that are not valid in its charset. */
export function decodeJsonText(raw: Buffer, contentType: string | undefined): string {
  const decoder = strictDecoder(contentType);
  try {
    return decoder.decode(raw);
  } catch {
    throw new MalformedBodyError('the request body is not valid UTF-8 (or not valid in its declared charset)');
  }
}

/** Throws the error a JSON text's problem answers with: a bad number is its field's, the rest the body's. */
export function assertSoundJson(text: string): void {
  const problem = inspectJson(text);
  if (problem === undefined) return;
  if (problem.kind === 'inexact_number') throw new ValidationError(problem.field || 'body', problem.message);
  throw new MalformedBodyError(problem.message);
}

/** Middleware, after express.json: refuses a body that is not valid Unicode, or is ambiguous as JSON, with 400. */
export const rejectAmbiguousJson: RequestHandler = function rejectAmbiguousJson(req, _res, next) {
  const raw = rawBodyOf(req);
  if (raw.length === 0) {
    next();
    return;
  }
  try {
    assertSoundJson(decodeJsonText(raw, req.get('content-type')));
    next();
  } catch (error) {
    next(error);
  }
};

/**
 * Parses JSON text a person typed (the dashboard's settings field, the CLI's `--settings`) by the API's rules: valid
 * JSON, no duplicate key, no inexact number, an object. Errors name `field`.
 */
export function parseJsonObject(text: string, field: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationError(field, 'must be valid JSON, e.g. {"url": "https://trk.example/pb?cid={click_id}"}');
  }
  const problem = inspectJson(text);
  if (problem !== undefined) throw new ValidationError(problem.kind === 'inexact_number' && problem.field ? `${field}.${problem.field}` : field, problem.message);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ValidationError(field, 'must be a JSON object');
  return parsed as Record<string, unknown>;
}
