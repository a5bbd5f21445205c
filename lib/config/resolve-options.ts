// Reads library options against the settings list: each checked by its setting's format, defaults filled in.

import { InvalidOptionError } from '../errors.js';
import { optionGroup } from './settings.js';
import type { Setting } from './settings.js';

/** `value`, or the setting's default when it is undefined; a bad value throws an InvalidOptionError naming the option. */
export function checkedOption(setting: Setting, value: unknown, option = setting.option ?? setting.key): unknown {
  if (value === undefined) return setting.default;
  const problem = setting.format.problem(value);
  if (problem !== undefined) throw new InvalidOptionError(option, problem);
  return value;
}

/** The options of one group (e.g. `dispatch`) from the settings list: unknown keys refused, each checked, defaults filled in. */
export function resolveOptionGroup(given: object, group: string): Record<string, unknown> {
  const settings = optionGroup(group);
  rejectUnknown(given, [...settings.keys()], `${group}.`);
  const values = given as Record<string, unknown>;
  return Object.fromEntries([...settings].map(([name, setting]) => [name, checkedOption(setting, values[name])]));
}

/** Throws an InvalidOptionError for the first key of `given` not in `known`, suggesting a near miss in case. */
export function rejectUnknown(given: object, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const near = known.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    throw new InvalidOptionError(`${prefix}${key}`, `is not an option${near ? `; did you mean ${prefix}${near}?` : ` (options: ${known.join(', ')})`}`);
  }
}

