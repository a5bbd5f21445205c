// Exact decimal money: canonical decimal strings, computed as BigInt units at a fixed scale, never floats.

/** Digits kept after the decimal point, matching the `DECIMAL(19, 6)` columns of the store. */
export const MONEY_SCALE = 6;
/** Digits allowed before the decimal point (19 - 6). */
export const MONEY_INTEGER_DIGITS = 13;

/**
 * An exact amount as a canonical decimal string: no exponent, no trailing fractional zeros,
 * no leading `+`, `-` only when below zero. Example: `"12.5"`, `"0"`, `"-3.25"`.
 */
export type DecimalString = string;

const UNIT = 10n ** BigInt(MONEY_SCALE);
const DECIMAL_TEXT = /^(-)?(\d+)(?:\.(\d+))?$/;
// A double prints back exactly what was typed only up to 15 significant digits.
const MAX_EXACT_FLOAT_DIGITS = 15;

/** Why a value is not an acceptable amount; `undefined` when it is. */
export type DecimalProblem = 'not_a_decimal' | 'too_many_decimals' | 'too_large' | 'inexact_number';

/**
 * Parses a decimal string (or a JSON number that is exactly representable) into canonical form. The string is
 * taken as it is: surrounding spaces, a newline, an NBSP or a BOM make it no decimal (what else would it hide?).
 */
export function parseDecimal(value: unknown): { ok: true; value: DecimalString } | { ok: false; problem: DecimalProblem } {
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, problem: 'not_a_decimal' };
    text = String(value);
    if (/e/i.test(text) || text.replace(/^-|\./g, '').replace(/^0+/, '').length > MAX_EXACT_FLOAT_DIGITS) {
      return { ok: false, problem: 'inexact_number' };
    }
  } else {
    return { ok: false, problem: 'not_a_decimal' };
  }
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return { ok: false, problem: 'not_a_decimal' };
  const [, sign = '', whole = '', fraction = ''] = match;
  const trimmedFraction = fraction.replace(/0+$/, '');
  if (trimmedFraction.length > MONEY_SCALE) return { ok: false, problem: 'too_many_decimals' };
  if (whole.replace(/^0+(?=\d)/, '').length > MONEY_INTEGER_DIGITS) return { ok: false, problem: 'too_large' };
  return { ok: true, value: fromUnits(BigInt(sign + whole + trimmedFraction.padEnd(MONEY_SCALE, '0'))) };
}

/** The amount as integer units of 10^-MONEY_SCALE. Accepts any value the database returns for a DECIMAL column. */
export function toUnits(amount: DecimalString | number): bigint {
  const parsed = parseDecimal(amount);
  if (!parsed.ok) throw new TypeError(`not an exact decimal amount: ${String(amount)}`);
  const [, sign = '', whole = '', fraction = ''] = DECIMAL_TEXT.exec(parsed.value) ?? [];
  return BigInt(sign + whole + fraction.padEnd(MONEY_SCALE, '0'));
}

/** Formats integer units back into a canonical decimal string. */
export function fromUnits(units: bigint): DecimalString {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = (abs / UNIT).toString();
  const fraction = (abs % UNIT).toString().padStart(MONEY_SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Normalises a value read from a DECIMAL column (`"12.500000"`) into canonical form. */
export function normalizeDecimal(amount: DecimalString | number): DecimalString {
  return fromUnits(toUnits(amount));
}

/** a + b, exactly. */
export function addDecimal(a: DecimalString, b: DecimalString): DecimalString {
  return fromUnits(toUnits(a) + toUnits(b));
}

/** a - b, exactly. */
export function subtractDecimal(a: DecimalString, b: DecimalString): DecimalString {
  return fromUnits(toUnits(a) - toUnits(b));
}

/** The sign of an amount: -1, 0 or 1. */
export function signOf(amount: DecimalString): -1 | 0 | 1 {
  const units = toUnits(amount);
  return units < 0n ? -1 : units > 0n ? 1 : 0;
}
