// Loads third-party formatter plugins by package name or file path, refusing a bad shape at start-up.

import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidPluginError } from '../errors.js';
import { checkPluginShape } from './registry.js';
import type { FormatterPlugin } from './types.js';

/**
 * Imports each specifier (a package name, or a path starting with `.` or `/`, resolved from `from`) and takes
 * its default export: a plugin object, or a factory returning one. Throws an `InvalidPluginError` naming the
 * specifier when it cannot be loaded or is not a plugin.
 */
export async function loadPlugins(specifiers: readonly string[], from: string): Promise<FormatterPlugin[]> {
  const requireFrom = createRequire(join(resolve(from), 'package.json'));
  const plugins: FormatterPlugin[] = [];
  for (const specifier of specifiers) {
    const where = `plugin module "${specifier}"`;
    let exported: unknown;
    try {
      const path = specifier.startsWith('.') || isAbsolute(specifier) ? resolve(from, specifier) : requireFrom.resolve(specifier);
      exported = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
    } catch (error) {
      throw new InvalidPluginError(`${where} could not be loaded from ${from}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const plugin: unknown = typeof exported === 'function' ? (exported as () => unknown)() : exported;
    plugins.push(checkPluginShape(plugin, where));
  }
  return plugins;
}
