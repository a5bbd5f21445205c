// The configured precision and range of amounts, checked after the schema (which enforces the storage limits).

import { InvalidOptionError, ValidationError } from '../errors.js';
import { MONEY_SCALE, parseDecimal, toUnits } from '../money.js';
import type { DecimalString } from '../money.js';

/** How precise and how large an amount (or an adjustment's delta) may be. */
export interface AmountLimitOptions {
  /** Decimal places allowed, at most 6 (the storage scale). @default 2 */
  maxDecimals?: number;
  /** The largest amount, and the largest change an adjustment may make, as a decimal string. @default '1000000' */
  maxAmount?: string;
}

/** The defaults, shared with the settings list (lib/config/settings.ts). */
export const AMOUNT_DEFAULTS = Object.freeze({ maxDecimals: 2, maxAmount: '1000000' });

/** Resolved limits. */
export interface AmountLimits {
  maxDecimals: number;
  maxAmount: DecimalString;
  maxUnits: bigint;
}

/** Checks the option (named `option` in errors) and fills in defaults. */
export function resolveAmountLimits(given: unknown, option: string): AmountLimits {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new InvalidOptionError(option, "must be an object such as { maxDecimals: 2, maxAmount: '1000000' }");
  const { maxDecimals = AMOUNT_DEFAULTS.maxDecimals, maxAmount = AMOUNT_DEFAULTS.maxAmount, ...rest } = given as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new InvalidOptionError(`${option}.${unknown}`, 'is not an option (options: maxDecimals, maxAmount)');
  if (typeof maxDecimals !== 'number' || !Number.isInteger(maxDecimals) || maxDecimals < 0 || maxDecimals > MONEY_SCALE) {
    throw new InvalidOptionError(`${option}.maxDecimals`, `must be an integer from 0 to ${MONEY_SCALE}, got ${JSON.stringify(maxDecimals)}`);
  }
  const parsed = typeof maxAmount === 'string' ? parseDecimal(maxAmount) : undefined;
  if (!parsed?.ok || toUnits(parsed.value) <= 0n) throw new InvalidOptionError(`${option}.maxAmount`, `must be a positive decimal string such as "1000000", got ${JSON.stringify(maxAmount)}`);
  return Object.freeze({ maxDecimals, maxAmount: parsed.value, maxUnits: toUnits(parsed.value) });
}

/** Throws a ValidationError naming `field` when `amount` (canonical, from the schema) breaks a limit. */
export function checkAmount(limits: AmountLimits, amount: DecimalString | undefined, field: string): void {
  if (amount === undefined) return;
  const decimals = amount.split('.')[1]?.length ?? 0;
  if (decimals > limits.maxDecimals) throw new ValidationError(field, `must have at most ${limits.maxDecimals} decimal places, got ${decimals}`);
  const units = toUnits(amount);
  if ((units < 0n ? -units : units) > limits.maxUnits) throw new ValidationError(field, `must be at most ${limits.maxAmount} in size, got ${amount}`);
}
