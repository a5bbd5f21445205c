// The plugin loader on real package folders of every shape an author publishes, found the way Node's `import` finds them.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { InvalidPluginError } from '../../lib/errors.js';
import { loadPlugins } from '../../lib/plugins/loader.js';

// A plugin module's body with no import, so a package works from any folder. `name` tells which file was loaded.
const pluginSource = (name: string) =>
  `{ name: ${JSON.stringify(name)}, apiVersion: 1, adjustments: 'unsupported', parseSettings: (s) => s, format: (c) => ({ method: 'GET', url: 'https://t.example/pb?cid=' + encodeURIComponent(c.lead.clickId) }) }`;

// Each package as `npm install` leaves it in node_modules: path -> file contents.
const PACKAGES: Record<string, Record<string, string>> = {
  // Published the way this project publishes itself: an exports map with an `import` condition only.
  'plugin-esm-only': {
    'package.json': JSON.stringify({ name: 'plugin-esm-only', type: 'module', exports: { '.': { types: './index.d.ts', import: './dist/index.js' } } }),
    'dist/index.js': `export default () => (${pluginSource('esm-only')});\n`,
  },
  'plugin-dual': {
    'package.json': JSON.stringify({ name: 'plugin-dual', exports: { '.': { import: './index.mjs', require: './index.cjs' } }, main: './index.cjs' }),
    'index.mjs': `export default ${pluginSource('dual-import')};\n`,
    'index.cjs': `module.exports = ${pluginSource('dual-require')};\n`,
  },
  // CommonJS with only `main`, compiled from TypeScript (exports.default + __esModule).
  'plugin-cjs-main': {
    'package.json': JSON.stringify({ name: 'plugin-cjs-main', main: 'lib/index.js' }),
    'lib/index.js': `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = function create() { return ${pluginSource('cjs-main')}; };\n`,
  },
  // An exports map with a `require` condition only: `import` cannot resolve it, `require` can.
  'plugin-require-only': {
    'package.json': JSON.stringify({ name: 'plugin-require-only', exports: { '.': { require: './index.cjs' } } }),
    'index.cjs': `module.exports = () => (${pluginSource('require-only')});\n`,
  },
  '@acme/postback-relay-plugin': {
    'package.json': JSON.stringify({ name: '@acme/postback-relay-plugin', type: 'module', exports: { '.': { import: './index.js' } } }),
    'index.js': `export default ${pluginSource('scoped')};\n`,
  },
  'plugin-not-a-plugin': {
    'package.json': JSON.stringify({ name: 'plugin-not-a-plugin', type: 'module', exports: { '.': { import: './index.js' } } }),
    'index.js': `export default { name: 'half', apiVersion: 1, adjustments: 'delta' };\n`,
  },
  'plugin-no-default': {
    'package.json': JSON.stringify({ name: 'plugin-no-default', type: 'module', exports: './index.js' }),
    'index.js': `export const plugin = ${pluginSource('named')};\n`,
  },
  'plugin-throws-on-import': {
    'package.json': JSON.stringify({ name: 'plugin-throws-on-import', type: 'module', exports: { import: './index.js' } }),
    'index.js': `throw new Error('boom at import');\n`,
  },
};

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, contents] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), contents);
  }
}

async function refusal(specifier: string, from: string): Promise<InvalidPluginError> {
  const error = await loadPlugins([specifier], from).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, `${specifier} was loaded`).to.be.instanceOf(InvalidPluginError);
  return error as InvalidPluginError;
}

describe('plugin loader', () => {
  let host: string;
  let app: string;

  before(async () => {
    host = await mkdtemp(join(tmpdir(), 'pb-loader-'));
    for (const [name, files] of Object.entries(PACKAGES)) await writeTree(join(host, 'node_modules', name), files);
    await writeTree(host, { 'package.json': JSON.stringify({ name: 'host', private: true }), 'local/acme.mjs': `export default ${pluginSource('local')};\n` });
    // A folder below the host: packages are looked up from it upwards, as Node does.
    app = join(host, 'apps', 'relay');
    await mkdir(app, { recursive: true });
  });
  after(async () => {
    await rm(host, { recursive: true, force: true });
  });

  it('loads an ESM-only package whose exports map has an import condition only', async () => {
    const [plugin] = await loadPlugins(['plugin-esm-only'], host);
    expect(plugin?.name).to.equal('esm-only');
  });

  it('loads the import side of a dual package', async () => {
    const [plugin] = await loadPlugins(['plugin-dual'], host);
    expect(plugin?.name).to.equal('dual-import');
  });

  it('loads a CommonJS package by its main, unwrapping a compiled default export', async () => {
    const [plugin] = await loadPlugins(['plugin-cjs-main'], host);
    expect(plugin?.name).to.equal('cjs-main');
  });

  it('loads a package that exports a require condition only, through require', async () => {
    const [plugin] = await loadPlugins(['plugin-require-only'], host);
    expect(plugin?.name).to.equal('require-only');
  });

  it('loads a scoped package, from a folder below the one holding node_modules', async () => {
    const plugins = await loadPlugins(['@acme/postback-relay-plugin', 'plugin-esm-only'], app);
    expect(plugins.map((plugin) => plugin.name)).to.deep.equal(['scoped', 'esm-only']);
  });

  it('loads by path: a module file, relative or absolute, and a package folder through its exports', async () => {
    const plugins = await loadPlugins(['./local/acme.mjs', join(host, 'local/acme.mjs'), './node_modules/plugin-esm-only', join(host, 'node_modules/plugin-cjs-main')], host);
    expect(plugins.map((plugin) => plugin.name)).to.deep.equal(['local', 'local', 'esm-only', 'cjs-main']);
  });

  it('refuses a missing package, naming it, the folder it was looked up from and what was tried', async () => {
    const error = await refusal('postback-relay-plugin-missing', app);
    expect(error.code).to.equal('ERR_PB_INVALID_PLUGIN');
    expect(error.message).to.include('plugin module "postback-relay-plugin-missing" could not be found from ' + app);
    expect(error.message).to.include(join(host, 'node_modules'));
    expect(error.message).to.match(/tried import \(conditions node, import\): .*; require: /);
  });

  it('refuses a missing path, naming the path tried', async () => {
    const error = await refusal('./local/nope.mjs', host);
    expect(error.message).to.include(`plugin module "./local/nope.mjs" was not found: tried the path ${join(host, 'local/nope.mjs')}`);
  });

  it('refuses a package whose default export is not a plugin, saying what is wrong', async () => {
    const error = await refusal('plugin-not-a-plugin', host);
    expect(error.message).to.match(/plugin "half": parseSettings must be a function/);
  });

  it('refuses a package without a default export', async () => {
    const error = await refusal('plugin-no-default', host);
    expect(error.message).to.equal('plugin module "plugin-no-default" has no default export: export the plugin, or a function returning it, as default');
  });

  it('refuses a package that throws when imported, with where it was found and its error', async () => {
    const error = await refusal('plugin-throws-on-import', host);
    expect(error.message).to.include(`plugin module "plugin-throws-on-import" was found at file://${join(host, 'node_modules/plugin-throws-on-import/index.js')}`);
    expect(error.message).to.include('boom at import');
  });
});
