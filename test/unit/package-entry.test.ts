// The package a host installs: a main entry without side effects or server code, the server on its own subpath,
// better-sqlite3 loaded only for a SQLite database.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { MissingDependencyError } from '../../lib/errors.js';
import { requireSqliteDriver } from '../../lib/store/database.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(new URL('package.json', `file://${ROOT}`), 'utf8')) as {
  sideEffects: unknown;
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  scripts: Record<string, string>;
  files: string[];
};

/** What importing `entry` (built, under dist/) loads and exports, seen from a fresh Node process. */
async function importIn(entry: string): Promise<{ loaded: string[]; exported: string[] }> {
  const script = `
    import { createRequire } from 'node:module';
    const module = await import(${JSON.stringify(`${ROOT}${entry}`)});
    const loaded = Object.keys(createRequire(import.meta.url).cache).map((path) => path.replace(/.*node_modules\\//, '').split('/')[0]);
    process.stdout.write(JSON.stringify({ loaded: [...new Set(loaded)], exported: Object.keys(module) }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`importing ${entry} failed: ${err}`);
  return JSON.parse(out) as { loaded: string[]; exported: string[] };
}

describe('package entry points', function () {
  this.timeout(60_000);

  it('the main entry loads neither convict nor the SQLite driver, and exports no server or config helper', async () => {
    const main = await importIn('dist/lib/index.js');
    expect(main.exported).to.include('createPostbackRelay');
    expect(main.exported).to.not.include.members(['startServer', 'loadConfig', 'configSchema']);
    expect(main.loaded).to.not.include('convict');
    expect(main.loaded).to.not.include('better-sqlite3');
    // The control: the server entry does load convict, so the check above can see it.
    const server = await importIn('dist/lib/server/index.js');
    expect(server.exported).to.include.members(['startServer', 'loadConfig', 'createServerLogger', 'knexConfigForUrl', 'migrationConfig']);
    expect(server.loaded).to.include('convict');
  });

  it('declares no side effects, a ./server subpath, a build on pack, and better-sqlite3 as an optional peer', () => {
    expect(pkg.sideEffects).to.equal(false);
    expect(pkg.exports['./server']).to.deep.equal({ types: './dist/lib/server/index.d.ts', import: './dist/lib/server/index.js' });
    expect(pkg.scripts.prepack).to.equal('npm run build');
    expect(pkg.dependencies).to.not.have.property('better-sqlite3');
    expect(pkg.peerDependenciesMeta['better-sqlite3']).to.deep.equal({ optional: true });
    // Types the public declarations need come with the package; express and knex are the host's own.
    expect(pkg.dependencies).to.include.keys('@types/express', '@types/convict');
    expect(pkg.peerDependencies).to.include.keys('express', 'knex');
    expect(pkg.files).to.include('docs');
  });

  it('asking for SQLite without better-sqlite3 installed is a clear error naming the package', () => {
    const missing = () => {
      throw new Error("Cannot find module 'better-sqlite3'");
    };
    expect(() => { requireSqliteDriver(missing); }).to.throw(MissingDependencyError, 'npm install better-sqlite3').with.property('packageName', 'better-sqlite3');
    expect(() => { requireSqliteDriver(); }).to.not.throw();
  });
});
