// The input rules, as zod schemas: each one validates a value, gives its TypeScript type, and exports to JSON Schema
// (the OpenAPI document). The project's exact rules (decimals never through a float, real dates) are checks on the
// value as given, written here; zod carries them, it never loosens them.

import { z } from 'zod';
import { ValidationError } from './errors.js';
import { parseDecimal, signOf, MONEY_INTEGER_DIGITS, MONEY_SCALE } from './money.js';
import type { DecimalString } from './money.js';

/** A schema of this module: checks unknown input and gives a typed value. */
export type Schema<T = unknown> = z.ZodType<T>;

// Control characters (C0, DEL, C1) never belong in ids, and would corrupt logs and headers.
const CONTROL_CHARACTERS = /[\p{Cc}]/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** The oldest and newest instants a timestamp may name: what both databases store alike (documented in docs/api.md). */
export const EARLIEST_TIMESTAMP = '1970-01-01T00:00:00Z';
export const LATEST_TIMESTAMP = '9999-12-31T23:59:59.999Z';
const EARLIEST_MS = Date.parse(EARLIEST_TIMESTAMP);
const LATEST_MS = Date.parse(LATEST_TIMESTAMP);
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;

/** Checks `value` against `schema`: the typed result, or a ValidationError naming the first field at fault. */
export function check<S extends z.ZodType>(schema: S, value: unknown, at = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // A misspelt key is named first: every other message would only be its consequence.
  const issue = result.error.issues.find((entry) => entry.code === 'unrecognized_keys') ?? result.error.issues[0];
  if (issue === undefined) throw new ValidationError(at || 'body', 'is not valid');
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  throw new ValidationError(path.reduce<string>((parent, key) => (typeof key === 'number' ? `${parent}[${key}]` : join(parent, String(key))), at), issue.message);
}

/** A string of 1..max characters with no control characters; optionally matching `pattern`. */
export function text(options: { max: number; pattern?: RegExp; patternHint?: string; description?: string }): z.ZodType<string> {
  return z
    .string({ error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : `must be a string, got ${describe(issue.input)}`) })
    .min(1, 'must not be empty')
    .max(options.max, { error: (issue) => `must be at most ${options.max} characters, got ${String((issue.input as string).length)}` })
    .superRefine((value, ctx) => {
      const problem = textProblem(value, options);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({
      ...(options.pattern ? { pattern: options.pattern.source } : {}),
      description: options.description ?? `1 to ${options.max} characters, no control characters, no surrounding whitespace`,
    });
}

function textProblem(value: string, options: { pattern?: RegExp; patternHint?: string }): string | undefined {
  if (value.length === 0) return undefined;
  if (CONTROL_CHARACTERS.test(value)) return 'must not contain control characters';
  // A lone surrogate cannot be URL-encoded (encodeURIComponent throws), so it would make every postback fail.
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (no lone surrogates)';
  if (value.trim() !== value) return 'must not start or end with whitespace';
  if (options.pattern && !options.pattern.test(value)) return `must be ${options.patternHint ?? `of the form ${String(options.pattern)}`}`;
  return undefined;
}

/**
 * An exact decimal amount, given as a string ("12.50") or a JSON number written without an exponent and with at
 * most 15 significant digits (the body decoder refuses any other number before it becomes a float).
 */
export function decimal(options: { allowNegative: boolean }): z.ZodType<DecimalString> {
  return z
    .union([z.string(), z.number()], { error: (issue) => decimalProblem(issue.input, options) as string })
    .transform((value, ctx): DecimalString => {
      const problem = decimalProblem(value, options);
      if (typeof problem === 'string') {
        ctx.addIssue({ code: 'custom', message: problem, input: value });
        return z.NEVER;
      }
      return problem.value;
    })
    .meta({
      pattern: options.allowNegative ? '^-?\\d{1,13}(\\.\\d{1,6})?$' : '^\\d{1,13}(\\.\\d{1,6})?$',
      description: `An exact decimal amount: a string such as "12.50" (preferred) or a JSON number without an exponent; at most ${MONEY_INTEGER_DIGITS} digits before the point and ${MONEY_SCALE} after${options.allowNegative ? '; negative for a decrease' : ''}. No sign other than a leading "-", no spaces.`,
    });
}

function decimalProblem(value: unknown, options: { allowNegative: boolean }): string | { value: DecimalString } {
  if (value === undefined || value === null) return 'is required';
  const parsed = parseDecimal(value);
  if (!parsed.ok) {
    switch (parsed.problem) {
      case 'not_a_decimal':
        return `must be a decimal amount such as "12.50", got ${describe(value)}`;
      case 'too_many_decimals':
        return `must have at most ${MONEY_SCALE} decimal places`;
      case 'too_large':
        return `must have at most ${MONEY_INTEGER_DIGITS} digits before the decimal point`;
      case 'inexact_number':
        return 'is a JSON number that cannot be read exactly; send it as a string such as "12.50"';
    }
  }
  if (!options.allowNegative && signOf(parsed.value) < 0) return 'must not be negative';
  return { value: parsed.value };
}

/** An ISO 8601 timestamp with a time zone (`2026-12-01T10:00:00Z`) naming a real calendar date, 1970..9999 in UTC. */
export const timestamp: z.ZodType<Date> = z
  .string({ error: (issue) => parseTimestamp(issue.input) as string })
  .transform((value, ctx): Date => {
    const parsed = parseTimestamp(value);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed, input: value });
      return z.NEVER;
    }
    return parsed;
  })
  .meta({
    format: 'date-time',
    description: `An ISO 8601 timestamp with a time zone, such as "2026-12-01T10:00:00Z": a real calendar date, from ${EARLIEST_TIMESTAMP} to ${LATEST_TIMESTAMP} in UTC.`,
  });

function parseTimestamp(value: unknown): Date | string {
  if (value === undefined || value === null) return 'is required';
  const match = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  if (typeof value !== 'string' || match === null) {
    return `must be an ISO 8601 timestamp with a time zone, such as "2026-12-01T10:00:00Z", got ${describe(value)}`;
  }
  const [, year = '', month = '', day = '', hour = '', minute = '', second = '0', , , offsetHours = '0', offsetMinutes = '0'] = match;
  // Date.UTC rolls 30 February over into March: a date is real only if it comes back as written.
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const real =
    calendar.getUTCFullYear() === Number(year) && calendar.getUTCMonth() === Number(month) - 1 && calendar.getUTCDate() === Number(day) &&
    Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60 && Number(offsetHours) < 24 && Number(offsetMinutes) < 60;
  const date = new Date(value);
  if (!real || Number.isNaN(date.getTime())) return `is not a real date and time: ${describe(value)}`;
  if (date.getTime() < EARLIEST_MS || date.getTime() > LATEST_MS) return `must be between ${EARLIEST_TIMESTAMP} and ${LATEST_TIMESTAMP} (UTC), got ${describe(value)}`;
  return date;
}

/** A page size from a query string: a whole number from 1 to 500. */
export const pageLimit: z.ZodType<number> = z
  .string({ error: (issue) => (Array.isArray(issue.input) ? 'must be given once' : 'must be a whole number from 1 to 500') })
  .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 500')
  .transform(Number)
  .refine((value) => value >= 1 && value <= 500, 'must be a whole number from 1 to 500')
  .meta({ description: 'A page size: a whole number from 1 to 500' });

/** A boolean, strictly. */
export const bool: z.ZodType<boolean> = z.boolean({ error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : `must be true or false, got ${describe(issue.input)}`) });

/** One of a fixed set of strings. */
export function oneOf<const T extends string>(values: readonly [T, ...T[]]): z.ZodType<T> {
  return z.enum(values, { error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : `must be one of ${values.join(', ')}, got ${describe(issue.input)}`) });
}

/** A non-empty array of distinct items, each checked by `item`. */
export function distinctList<T>(item: z.ZodType<T>, max: number): z.ZodType<T[]> {
  return z
    .array(item, { error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : `must be an array, got ${describe(issue.input)}`) })
    .min(1, 'must not be empty')
    .max(max, `must have at most ${max} items`)
    .refine((items) => new Set(items).size === items.length, 'must not repeat an item')
    .meta({ uniqueItems: true });
}

/** A plain JSON object, kept as it is (for plugin settings, which the plugin checks itself). */
export const plainObject: z.ZodType<Record<string, unknown>> = z.record(z.string(), z.unknown(), {
  error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : `must be an object, got ${describe(issue.input)}`),
});

/** `undefined` and `null` are "not given"; anything else must pass `schema`. */
export function optional<T>(schema: z.ZodType<T>): z.ZodType<T | undefined> {
  return schema.nullish().transform((value) => value ?? undefined);
}

/** An object with exactly the keys of `shape` (unknown keys are refused, so a typo never passes silently). */
export function object<S extends z.ZodRawShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `is not a known field (known: ${known})` : `must be a JSON object, got ${describe(issue.input)}`),
  });
}

function join(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}
