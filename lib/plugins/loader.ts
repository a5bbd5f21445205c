// Loads formatter plugins by package name or file path, the way Node's ESM loader finds them, refusing a bad shape at start-up.

import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { moduleResolve } from 'import-meta-resolve';
import { InvalidPluginError } from '../errors.js';
import { checkPluginShape } from './registry.js';
import type { FormatterPlugin } from './types.js';

// Node's own conditions for `import`: an ESM-only package (`exports` with `import` only) resolves as it does for Node.
const IMPORT_CONDITIONS = new Set(['node', 'import']);

/**
 * Imports each specifier (a package name, or a path starting with `.` or `/` to a module file or a package
 * folder, resolved from `from`) and takes its default export: a plugin object, or a factory returning one.
 * Package names resolve as `import` does from a module in `from`, falling back to `require`'s resolution for a
 * package that exports only a `require` condition. Throws an `InvalidPluginError` naming the specifier, the
 * folder and what was tried when it cannot be found or loaded, or what is wrong when it is not a plugin.
 */
export async function loadPlugins(specifiers: readonly string[], from: string): Promise<FormatterPlugin[]> {
  const folder = resolve(from);
  const plugins: FormatterPlugin[] = [];
  for (const specifier of specifiers) {
    const where = `plugin module "${specifier}"`;
    const url = resolvePluginUrl(specifier, folder, where);
    let namespace: { default?: unknown };
    try {
      namespace = (await import(url)) as { default?: unknown };
    } catch (error) {
      throw new InvalidPluginError(`${where} was found at ${url} (looked up from ${folder}) but could not be imported: ${messageOf(error)}`);
    }
    plugins.push(pluginFromModule(namespace, where));
  }
  return plugins;
}

/**
 * The plugin a module provides: its default export, a plugin object or a factory returning one. A CommonJS
 * module compiled from ES syntax (`exports.default` with `__esModule`) is unwrapped once.
 */
export function pluginFromModule(namespace: { default?: unknown }, where: string): FormatterPlugin {
  let exported = namespace.default;
  if (typeof exported === 'object' && exported !== null && (exported as { __esModule?: unknown }).__esModule === true) {
    exported = (exported as { default?: unknown }).default;
  }
  if (exported === undefined) throw new InvalidPluginError(`${where} has no default export: export the plugin, or a function returning it, as default`);
  const plugin: unknown = typeof exported === 'function' ? (exported as () => unknown)() : exported;
  return checkPluginShape(plugin, where);
}

function resolvePluginUrl(specifier: string, folder: string, where: string): string {
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const path = resolve(folder, specifier);
    const isFolder = statSync(path, { throwIfNoEntry: false })?.isDirectory();
    if (isFolder === undefined) throw new InvalidPluginError(`${where} was not found: tried the path ${path} (from ${folder})`);
    return isFolder ? resolvePackageFolder(path, where) : pathToFileURL(path).href;
  }
  const tried: string[] = [];
  // A parent module inside `folder`, so node_modules is searched from there up, as for the host's own code.
  const parent = pathToFileURL(join(folder, 'noop.js'));
  try {
    return moduleResolve(specifier, parent, IMPORT_CONDITIONS).href;
  } catch (error) {
    tried.push(`import (conditions ${[...IMPORT_CONDITIONS].join(', ')}): ${messageOf(error)}`);
  }
  const requireFrom = createRequire(parent);
  try {
    return pathToFileURL(requireFrom.resolve(specifier)).href;
  } catch (error) {
    tried.push(`require: ${messageOf(error)}`);
  }
  const searched = requireFrom.resolve.paths(specifier) ?? [];
  throw new InvalidPluginError(
    `${where} could not be found from ${folder}: looked for it in ${searched.join(', ')}; tried ${tried.map((line) => firstLine(line)).join('; ')}`,
  );
}

// A package folder given by path resolves as the package would by name: its `exports` "." for import, else its `main`.
function resolvePackageFolder(path: string, where: string): string {
  let name: unknown;
  try {
    name = (JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { name?: unknown }).name;
  } catch (error) {
    throw new InvalidPluginError(`${where} is a folder (${path}) without a readable package.json: ${messageOf(error)}`);
  }
  const tried: string[] = [];
  if (typeof name === 'string') {
    try {
      // Self-reference: a module inside the package imports the package by its own name through its `exports`.
      return moduleResolve(name, pathToFileURL(join(path, 'package.json')), IMPORT_CONDITIONS).href;
    } catch (error) {
      tried.push(`import of "${name}" from inside it: ${messageOf(error)}`);
    }
  }
  try {
    return pathToFileURL(createRequire(join(path, 'package.json')).resolve(path)).href;
  } catch (error) {
    tried.push(`require: ${messageOf(error)}`);
  }
  throw new InvalidPluginError(`${where} is a package folder (${path}) with no entry point: tried ${tried.map((line) => firstLine(line)).join('; ')}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
