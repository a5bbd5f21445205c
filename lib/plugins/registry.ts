// The plugin registry: keyed by name, shape-checked at creation, frozen afterwards.

import { InvalidPluginError, UnknownPluginError } from '../errors.js';
import { ADJUSTMENT_FAMILIES, PLUGIN_KINDS } from './types.js';
import type { FormatterPlugin } from './types.js';

/** The plugins one relay instance can format with. */
export interface PluginRegistry {
  /** The plugin of that name; throws an `UnknownPluginError` when there is none. */
  get(name: string): FormatterPlugin;
  /** The plugin of that name, or undefined (an endpoint whose plugin is no longer loaded). */
  find(name: string): FormatterPlugin | undefined;
  names(): readonly string[];
}

/** Builds a registry, refusing a plugin with a wrong shape or a name already taken. */
export function createPluginRegistry(plugins: readonly unknown[]): PluginRegistry {
  const byName = new Map<string, FormatterPlugin>();
  plugins.forEach((plugin, index) => {
    const checked = checkPluginShape(plugin, `plugins[${index}]`);
    if (byName.has(checked.name)) throw new InvalidPluginError(`plugin "${checked.name}" is registered twice`);
    byName.set(checked.name, checked);
  });
  const names = Object.freeze([...byName.keys()].sort());
  return Object.freeze({
    get(name: string): FormatterPlugin {
      const plugin = byName.get(name);
      if (!plugin) throw new UnknownPluginError(name, names);
      return plugin;
    },
    find: (name: string) => byName.get(name),
    names: () => names,
  });
}

/** What a plugin's `name` may be: the key endpoints use, lower case. */
export const PLUGIN_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Refuses a value that is not a plugin of this contract, with an `InvalidPluginError` naming what is wrong. */
export function checkPluginShape(plugin: unknown, where: string): FormatterPlugin {
  if (typeof plugin !== 'object' || plugin === null) throw new InvalidPluginError(`${where} is not a plugin object`);
  const candidate = plugin as Partial<Record<keyof FormatterPlugin, unknown>>;
  if (typeof candidate.name !== 'string' || !PLUGIN_NAME.test(candidate.name)) {
    throw new InvalidPluginError(`${where}.name must be a lower-case name such as "voluum", got ${JSON.stringify(candidate.name)}`);
  }
  const label = `plugin "${candidate.name}"`;
  if (candidate.apiVersion !== 1) throw new InvalidPluginError(`${label}: apiVersion must be 1, got ${JSON.stringify(candidate.apiVersion)}`);
  for (const method of ['parseSettings', 'format'] as const) {
    if (typeof candidate[method] !== 'function') throw new InvalidPluginError(`${label}: ${method} must be a function`);
  }
  if (candidate.secretValues !== undefined && typeof candidate.secretValues !== 'function') throw new InvalidPluginError(`${label}: secretValues must be a function`);
  if (!ADJUSTMENT_FAMILIES.includes(candidate.adjustments as never)) {
    throw new InvalidPluginError(`${label}: adjustments must be one of ${ADJUSTMENT_FAMILIES.join(', ')}, got ${JSON.stringify(candidate.adjustments)}`);
  }
  if (candidate.kind !== undefined && !PLUGIN_KINDS.includes(candidate.kind as never)) {
    throw new InvalidPluginError(`${label}: kind must be one of ${PLUGIN_KINDS.join(', ')} when given, got ${JSON.stringify(candidate.kind)}`);
  }
  if (candidate.settingsSchema !== undefined && (typeof candidate.settingsSchema !== 'object' || candidate.settingsSchema === null)) {
    throw new InvalidPluginError(`${label}: settingsSchema must be an object of setting name to description when given`);
  }
  if (candidate.books !== undefined && typeof candidate.books !== 'function') throw new InvalidPluginError(`${label}: books must be a function of the settings when given`);
  if (candidate.judgeResponse !== undefined && typeof candidate.judgeResponse !== 'function') {
    throw new InvalidPluginError(`${label}: judgeResponse must be a function when given`);
  }
  const recognize = candidate.recognize as { match?: unknown } | null | undefined;
  if (recognize !== undefined && typeof recognize?.match !== 'function') throw new InvalidPluginError(`${label}: recognize.match must be a function when given`);
  return plugin as FormatterPlugin;
}
