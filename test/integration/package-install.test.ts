// The package as a host installs it: `npm pack`, a scratch app with only the documented dependencies, a strict
// TypeScript type-check of the README's host example, which then runs on MariaDB with the host's own knex, records
// the three events, and serves the pixel, the API and the dashboard behind the host's login.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { openDatabase } from '../../lib/store/database.js';
import { migrateRollbackAll } from '../../lib/store/migrations/index.js';
import { tableNames } from '../../lib/store/tables.js';
import { isMySqlReachable, MYSQL_REQUIRED, MYSQL_URL, uniquePrefix } from '../helpers/databases.js';
import { readmeBlock } from '../helpers/readme.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';
import { freePort } from '../helpers/ports.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);

/** `text` with `from` replaced by `to`, where `from` must occur exactly once: a README that drifted fails here. */
function substitute(text: string, from: string, to: string): string {
  const parts = text.split(from);
  if (parts.length !== 2) throw new Error(`the README example should contain ${JSON.stringify(from)} once; found it ${parts.length - 1} times`);
  return parts.join(to);
}

describe('the packed package in a host app (README example, MariaDB)', function () {
  this.timeout(600_000);
  const prefix = uniquePrefix();
  let dir: string;
  let tracker: TestTracker | undefined;

  before(async function () {
    if (!(await isMySqlReachable())) {
      if (MYSQL_REQUIRED) throw new Error(`MySQL is required (PB_REQUIRE_MYSQL=1) but ${MYSQL_URL} does not answer`);
      console.warn(`\n  !! SKIPPING the packed-package host test: ${MYSQL_URL} does not answer. CI requires it.\n`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'pb-host-'));
    tracker = await startTestTracker();
  });
  after(async () => {
    await tracker?.close();
    const knex = openDatabase(MYSQL_URL);
    try {
      await migrateRollbackAll(knex, prefix);
      const t = tableNames(prefix);
      await knex.schema.dropTableIfExists(t.migrationsLock);
      await knex.schema.dropTableIfExists(t.migrations);
    } finally {
      await knex.destroy();
    }
  });

  it('packs with its build, docs and license; installs without better-sqlite3; type-checks strictly; and runs as the README shows', async () => {
    // 1. The tarball: `prepack` builds, so a fresh clone ships code; the README's links to docs/ resolve inside it.
    await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 1 << 24 });
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const tarball = join(dir, `postback-relay-${version}.tgz`);
    const listed = (await run('tar', ['-tzf', tarball], { maxBuffer: 1 << 24 })).stdout.split('\n');
    expect(listed).to.include.members(['package/dist/lib/index.js', 'package/dist/lib/index.d.ts', 'package/dist/lib/server/index.js', 'package/LICENSE', 'package/README.md']);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const [, link] of readme.matchAll(/\]\(((?:docs\/)[\w./-]+)\)/g)) expect(listed, `README links ${link}`).to.include(`package/${link}`);

    // 2. A host app with only the documented dependencies (and a TypeScript host's own @types/node).
    const host = join(dir, 'host');
    await run('mkdir', ['-p', host]);
    writeFileSync(join(host, 'package.json'), JSON.stringify({ name: 'host', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', 'express', 'knex', 'mysql2', 'pino', '@types/node@20', tarball], { cwd: host, maxBuffer: 1 << 24 });
    await run('test', ['!', '-e', join(host, 'node_modules/better-sqlite3')]).catch(() => {
      throw new Error('better-sqlite3 was installed into a MySQL-only host');
    });

    // 3. The README's example, pointed at the test database, a unique table prefix and a tracker on 127.0.0.1.
    const url = new URL(MYSQL_URL);
    const connection = `connection: { host: '${url.hostname}', port: ${url.port || 3306}, user: '${decodeURIComponent(url.username)}', password: '${decodeURIComponent(url.password)}', database: '${url.pathname.slice(1)}', timezone: 'Z' }`;
    let example = readmeBlock('host-example');
    example = substitute(example, "connection: { host: '127.0.0.1', user: 'app', password: 'secret', database: 'app', timezone: 'Z' }", connection);
    example = substitute(example, "tablePrefix: 'pb_',", `tablePrefix: '${prefix}', targetAllowlist: ['127.0.0.1'],`);
    const trackerOrigin = tracker?.origin ?? '';
    example = substitute(example, "'https://trk.example/pb?", `'${trackerOrigin}/pb?`);
    writeFileSync(join(host, 'host.ts'), example);
    writeFileSync(
      join(host, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, outDir: 'out', types: ['node'] }, files: ['host.ts'] }),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const compiled = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: host }).catch((error: unknown) => {
      throw new Error(`the host's strict type-check failed:\n${(error as { stdout?: string }).stdout ?? (error as Error).message}`);
    });
    expect(compiled.stdout).to.equal('');

    // 4. Run it.
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const apiKey = 'host-api-key-0123';
    const staff = 'staff-token-0123';
    const child = spawn(process.execPath, ['out/host.js'], { cwd: host, env: { PATH: process.env.PATH, PORT: String(port), POSTBACK_API_KEY: apiKey, STAFF_TOKEN: staff }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      const postbacks = await (tracker as TestTracker).waitFor(3, 60_000).catch((error: unknown) => {
        throw new Error(`${String(error)}; host output:\n${output}`);
      });
      expect(postbacks.map((postback) => [postback.query.txid, postback.query.payout])).to.have.deep.members([
        ['lead-1001', '0'],
        ['com-5001', '12.5'],
        ['adj-9001', '10.25'],
      ]);
      expect(output).to.include('1001 false');

      const pixel = await fetch(`${origin}/postbacks/pixel.js`);
      expect(pixel.status, 'pixel.js').to.equal(200);
      expect(pixel.headers.get('content-type')).to.match(/javascript/);
      expect((await fetch(`${origin}/postbacks/pixel.gif?click_id=px&aff=aff-7`)).status, 'pixel.gif').to.equal(200);
      expect((await fetch(`${origin}/postbacks/admin/`)).status, 'dashboard without the host login').to.equal(401);
      const dashboard = await fetch(`${origin}/postbacks/admin/`, { headers: { 'x-staff-token': staff } });
      expect(dashboard.status, 'dashboard behind the host login').to.equal(200);
      expect(dashboard.headers.get('content-type')).to.match(/html/);
      expect((await fetch(`${origin}/postbacks/endpoints`)).status, 'API without a key').to.equal(401);
      const endpoints = await fetch(`${origin}/postbacks/endpoints`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(((await endpoints.json()) as { data: unknown[] }).data).to.have.length(1);
      expect((await fetch(`${origin}/readyz`)).status).to.equal(200);
    } finally {
      child.kill('SIGTERM');
      // The README's SIGTERM handler lets the process end by itself; past a deadline that is a failure, not a hang.
      const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(deadline);
      expect(code, `the host exits on SIGTERM; output:\n${output}`).to.equal(0);
    }
  });
});
