// Small composable input rules: each checks one value and throws a ValidationError naming the field and the rule.

import { ValidationError } from './errors.js';
import { parseDecimal, signOf, MONEY_INTEGER_DIGITS, MONEY_SCALE } from './money.js';
import type { DecimalString } from './money.js';

/** Checks one value at `field` and returns it typed, or throws a ValidationError. */
export type Rule<T> = (value: unknown, field: string) => T;

// Control characters (C0, DEL, C1) never belong in ids, and would corrupt logs and headers.
const CONTROL_CHARACTERS = /[\p{Cc}]/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** A string of 1..max characters with no control characters; optionally matching `pattern`. */
export function text(options: { max: number; pattern?: RegExp; patternHint?: string }): Rule<string> {
  return (value, field) => {
    if (typeof value !== 'string') throw new ValidationError(field, `must be a string, got ${describe(value)}`);
    if (value.length === 0) throw new ValidationError(field, 'must not be empty');
    if (value.length > options.max) throw new ValidationError(field, `must be at most ${options.max} characters, got ${value.length}`);
    if (CONTROL_CHARACTERS.test(value)) throw new ValidationError(field, 'must not contain control characters');
    // A lone surrogate cannot be URL-encoded (encodeURIComponent throws), so it would make every postback fail.
    if (LONE_SURROGATE.test(value)) throw new ValidationError(field, 'must be well-formed Unicode (no lone surrogates)');
    if (value.trim() !== value) throw new ValidationError(field, 'must not start or end with whitespace');
    if (options.pattern && !options.pattern.test(value)) {
      throw new ValidationError(field, `must be ${options.patternHint ?? `of the form ${String(options.pattern)}`}`);
    }
    return value;
  };
}

/** An exact decimal amount, given as a string ("12.50") or an exactly representable JSON number. */
export function decimal(options: { allowNegative: boolean }): Rule<DecimalString> {
  return (value, field) => {
    const parsed = parseDecimal(value);
    if (!parsed.ok) {
      switch (parsed.problem) {
        case 'not_a_decimal':
          throw new ValidationError(field, `must be a decimal amount such as "12.50", got ${describe(value)}`);
        case 'too_many_decimals':
          throw new ValidationError(field, `must have at most ${MONEY_SCALE} decimal places`);
        case 'too_large':
          throw new ValidationError(field, `must have at most ${MONEY_INTEGER_DIGITS} digits before the decimal point`);
        case 'inexact_number':
          throw new ValidationError(field, 'is a JSON number that cannot be read exactly; send it as a string such as "12.50"');
      }
    }
    if (!options.allowNegative && signOf(parsed.value) < 0) throw new ValidationError(field, 'must not be negative');
    return parsed.value;
  };
}

/** An ISO 8601 timestamp with a time zone (`2026-12-01T10:00:00Z`), returned as a Date. */
export const timestamp: Rule<Date> = (value, field) => {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new ValidationError(field, `must be an ISO 8601 timestamp with a time zone, such as "2026-12-01T10:00:00Z", got ${describe(value)}`);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new ValidationError(field, `is not a real date: ${value}`);
  return date;
};

/** A page size from a query string: a whole number from 1 to 500, or undefined when not given. */
export const pageLimit: Rule<number | undefined> = (value, field) => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 500) {
    throw new ValidationError(field, 'must be a whole number from 1 to 500');
  }
  return Number(value);
};

/** A boolean, strictly. */
export const bool: Rule<boolean> = (value, field) => {
  if (typeof value !== 'boolean') throw new ValidationError(field, `must be true or false, got ${describe(value)}`);
  return value;
};

/** One of a fixed set of strings. */
export function oneOf<const T extends string>(values: readonly T[]): Rule<T> {
  return (value, field) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      throw new ValidationError(field, `must be one of ${values.join(', ')}, got ${describe(value)}`);
    }
    return value as T;
  };
}

/** A non-empty array of distinct items, each checked by `item`. */
export function distinctList<T>(item: Rule<T>, max: number): Rule<T[]> {
  return (value, field) => {
    if (!Array.isArray(value)) throw new ValidationError(field, `must be an array, got ${describe(value)}`);
    if (value.length === 0) throw new ValidationError(field, 'must not be empty');
    if (value.length > max) throw new ValidationError(field, `must have at most ${max} items`);
    const items = value.map((entry, index) => item(entry, `${field}[${index}]`));
    if (new Set(items).size !== items.length) throw new ValidationError(field, 'must not repeat an item');
    return items;
  };
}

/** A plain JSON object, kept as it is (for plugin settings, which the plugin checks itself). */
export const plainObject: Rule<Record<string, unknown>> = (value, field) => {
  if (!isPlainObject(value)) throw new ValidationError(field, `must be an object, got ${describe(value)}`);
  return value;
};

/** `undefined` and `null` are "not given"; anything else must pass `rule`. */
export function optional<T>(rule: Rule<T>): Rule<T | undefined> {
  return (value, field) => (value === undefined || value === null ? undefined : rule(value, field));
}

type Shape = Record<string, Rule<unknown>>;
/** The typed result of an `object(shape)` rule: optional rules become optional keys. */
export type Infer<S extends Shape> = {
  [K in keyof S as undefined extends ReturnType<S[K]> ? never : K]: ReturnType<S[K]>;
} & {
  [K in keyof S as undefined extends ReturnType<S[K]> ? K : never]?: Exclude<ReturnType<S[K]>, undefined>;
};

/** An object with exactly the keys of `shape` (unknown keys are refused, so a typo never passes silently). */
export function object<S extends Shape>(shape: S): Rule<Infer<S>> {
  const known = Object.keys(shape);
  return (value, field) => {
    if (!isPlainObject(value)) throw new ValidationError(field, `must be a JSON object, got ${describe(value)}`);
    const unknown = Object.keys(value).find((key) => !Object.hasOwn(shape, key));
    if (unknown !== undefined) {
      throw new ValidationError(join(field, unknown), `is not a known field (known: ${known.join(', ')})`);
    }
    const result: Record<string, unknown> = {};
    for (const key of known) {
      const checked = (shape[key] as Rule<unknown>)(value[key], join(field, key));
      if (checked !== undefined) result[key] = checked;
    }
    return result as Infer<S>;
  };
}

/** A rule that must be given: `undefined` and `null` are refused as "is required". */
export function required<T>(rule: Rule<T>): Rule<T> {
  return (value, field) => {
    if (value === undefined || value === null) throw new ValidationError(field, 'is required');
    return rule(value, field);
  };
}

function join(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** True for `{...}` objects (not arrays, not null, not class instances). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}
