// `postback-relay plugin init <name>`: writes a ready plugin package into a folder of its own.

import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PLUGIN_NAME } from '../plugins/registry.js';
import { VERSION } from '../version.js';
import { CliExit, EXIT } from './exit-codes.js';
import { pluginPackageFiles } from './plugin-template.js';

/** What `plugin init` was asked for. */
export interface PluginInitRequest {
  /** The plugin's registry name, e.g. `acme`. */
  name: string;
  /** The npm package name; `postback-relay-plugin-<name>` when not given. */
  packageName?: string | undefined;
  /** The folder to write, relative to the working directory; the package name's last part when not given. */
  dir?: string | undefined;
}

/** What was written. */
export interface PluginInitResult {
  dir: string;
  packageName: string;
  files: string[];
}

// npm's rules for a package name, less the legacy ones: lower case, URL-safe, optionally scoped.
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** Writes the package; refuses a bad name or a folder that is not empty, with a usage error naming it. */
export async function initPluginPackage(request: PluginInitRequest): Promise<PluginInitResult> {
  if (!PLUGIN_NAME.test(request.name)) {
    throw new CliExit(EXIT.USAGE, `plugin name must be lower-case letters, digits, - or _ (the name endpoints use, e.g. "acme"), got ${JSON.stringify(request.name)}`);
  }
  const packageName = request.packageName ?? `postback-relay-plugin-${request.name}`;
  if (!PACKAGE_NAME.test(packageName) || packageName.length > 214) throw new CliExit(EXIT.USAGE, `--package must be an npm package name, got ${JSON.stringify(packageName)}`);
  const dir = resolve(request.dir ?? packageName.replace(/^@[^/]+\//, ''));
  const existing = await readdir(dir).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  if (existing.length > 0) throw new CliExit(EXIT.USAGE, `${dir} is not empty: choose another folder with --dir`);
  const files = pluginPackageFiles({ name: request.name, packageName, relayVersion: VERSION });
  for (const [path, contents] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), contents, { flag: 'wx' });
  }
  return { dir, packageName, files: Object.keys(files) };
}
