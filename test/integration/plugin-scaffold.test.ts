// A plugin author's first hour, outside the repository: `plugin init` from a packed relay, the package's own tests
// (passing, then failing on a broken format), the package installed next to the relay, and its postback at a tracker.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli } from '../../lib/cli/main.js';
import { EXIT } from '../../lib/cli/exit-codes.js';
import { openDatabase } from '../../lib/store/database.js';
import { migrateRollbackAll } from '../../lib/store/migrations/index.js';
import { runToEnd } from '../helpers/child-run.js';
import { cleanEnv, ROOT } from '../helpers/cli.js';
import { isMySqlReachable, MYSQL_REQUIRED, MYSQL_URL, uniquePrefix } from '../helpers/databases.js';
import { startServerProcess } from '../helpers/server-process.js';
import { startTestTracker } from '../helpers/tracker.js';

// Child npm runs get no npm_* variables from an outer `npm test`, and no relay configuration.
const childEnv = (extra: Record<string, string> = {}) => Object.fromEntries(Object.entries(cleanEnv(extra)).filter(([key]) => !/^npm_/i.test(key)));

function run(command: string, args: string[], cwd: string) {
  return runToEnd(command, args, { cwd, env: childEnv() });
}

async function succeed(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  expect(result.code, `${command} ${args.join(' ')} in ${cwd}:\n${result.output}`).to.equal(0);
  return result.output;
}

// From the registry's cache when it can; no install script runs (the server below uses MariaDB, not the SQLite addon).
const NPM_INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'];

async function pack(folder: string, destination: string, scripts: boolean): Promise<string> {
  const output = await succeed('npm', ['pack', '--json', '--pack-destination', destination, ...(scripts ? [] : ['--ignore-scripts'])], folder);
  const [packed] = JSON.parse(output.slice(output.indexOf('['))) as Array<{ filename: string }>;
  return join(destination, packed!.filename);
}

describe('plugin init, from a packed relay to a postback at a tracker', function () {
  this.timeout(300_000);

  it('builds, tests, fails when broken, installs next to the relay and delivers through the standalone server', async function () {
    if (!(await isMySqlReachable())) {
      if (MYSQL_REQUIRED) throw new Error(`MySQL is required (PB_REQUIRE_MYSQL=1) but ${MYSQL_URL} does not answer`);
      console.warn(`\n  !! SKIPPING the plugin scaffold end-to-end test: ${MYSQL_URL} does not answer.\n`);
      this.skip();
    }
    const work = await mkdtemp(join(tmpdir(), 'pb-scaffold-'));
    const prefix = uniquePrefix();
    try {
      // The relay as npm would publish it (dist/ from `npm run build`), installed in a host project.
      const relayTarball = await pack(ROOT, work, false);
      const host = join(work, 'host');
      await mkdir(host);
      await writeFile(join(host, 'package.json'), JSON.stringify({ name: 'relay-host', private: true, type: 'module' }));
      await succeed('npm', [...NPM_INSTALL, relayTarball], host);

      // The scaffold, from the installed relay's own binary.
      const plugin = join(work, 'acme-plugin');
      const init = await succeed('node', [join(host, 'node_modules/postback-relay/dist/docker/cli.js'), 'plugin', 'init', 'acme', '--dir', plugin], work);
      expect(init).to.include('created postback-relay-plugin-acme');

      // Its own tests pass as written, with nothing but typescript and the packed relay installed.
      await succeed('npm', [...NPM_INSTALL, '--save-dev', relayTarball], plugin);
      const passing = await succeed('npm', ['test'], plugin);
      expect(passing).to.include('ok 1 - conformance: plugin "acme"');
      expect(passing).to.match(/^# fail 0$/m);

      // ... and fail when its format function is broken: one transaction key for every conversion.
      const source = await readFile(join(plugin, 'index.ts'), 'utf8');
      expect(source).to.include("['txid', context.transactionId]");
      await writeFile(join(plugin, 'index.ts'), source.replace("['txid', context.transactionId]", "['txid', 'same-for-all']"));
      const broken = await run('npm', ['test'], plugin);
      expect(broken.code, broken.output).to.not.equal(0);
      expect(broken.output).to.include('not ok 4 - keeps a retry identical and tells two commissions of one click apart');
      expect(broken.output).to.include('not ok 1 - formats a lead, a commission and its adjustment exactly as Acme expects');
      await writeFile(join(plugin, 'index.ts'), source);

      // Published as a package (prepack builds it) and installed next to the relay.
      const pluginTarball = await pack(plugin, work, true);
      await succeed('npm', [...NPM_INSTALL, pluginTarball], host);

      const tracker = await startTestTracker();
      const apiKey = 'scaffold-test-key-123';
      const server = await startServerProcess('node', ['node_modules/postback-relay/dist/docker/server.js'], {
        cwd: host,
        env: childEnv({
          PORT: '0',
          POSTBACK_RELAY_HOST: '127.0.0.1',
          DATABASE_URL: MYSQL_URL,
          POSTBACK_RELAY_TABLE_PREFIX: prefix,
          POSTBACK_RELAY_API_KEYS: apiKey,
          POSTBACK_RELAY_TARGET_ALLOWLIST: '127.0.0.1',
          POSTBACK_RELAY_PLUGINS: 'postback-relay-plugin-acme',
        }),
      });
      try {
        const call = (path: string, body: unknown) =>
          fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const endpoint = await call('/endpoints', { affiliateId: 'aff-acme', plugin: 'acme', settings: { baseUrl: tracker.origin, token: 'tok-123' } });
        const { data: created } = (await endpoint.json()) as { data: { plugin: string; settings: Record<string, string> } };
        expect(endpoint.status, JSON.stringify(created)).to.equal(201);
        expect(created.plugin).to.equal('acme');
        expect(created.settings.token, 'the token the plugin declares secret').to.not.equal('tok-123');
        expect((await call('/events/leads', { id: 'L-acme', clickId: 'acme click', affiliateId: 'aff-acme' })).status).to.equal(201);
        expect((await call('/events/commissions', { id: 'C-acme', leadId: 'L-acme', amount: '12.5', currency: 'EUR' })).status).to.equal(201);
        const received = await tracker.waitFor(2, 30_000);
        expect(received.map((r) => [r.path, r.query])).to.have.deep.members([
          ['/postback', { cid: 'acme click', payout: '0', txid: 'lead-L-acme', event: 'lead', token: 'tok-123' }],
          ['/postback', { cid: 'acme click', payout: '12.5', txid: 'com-C-acme', event: 'sale', currency: 'EUR', token: 'tok-123' }],
        ]);
      } finally {
        expect(await server.stop()).to.equal(0);
        await tracker.close();
      }
    } finally {
      const knex = openDatabase(MYSQL_URL);
      await migrateRollbackAll(knex, prefix);
      await knex.schema.dropTableIfExists(`${prefix}knex_migrations`);
      await knex.schema.dropTableIfExists(`${prefix}knex_migrations_lock`);
      await knex.destroy();
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe('plugin init refusals', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return { out, io: { env: {}, stdout: (text: string) => (out.stdout += text), stderr: (text: string) => (out.stderr += text) } };
  };
  let work: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'pb-init-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('refuses a plugin name endpoints could not use, and a missing one', async () => {
    const bad = io();
    expect(await runCli(['plugin', 'init', 'Acme Tracker', '--dir', join(work, 'a')], bad.io)).to.equal(EXIT.USAGE);
    expect(bad.out.stderr).to.include('plugin name must be lower-case letters, digits, - or _');
    const missing = io();
    expect(await runCli(['plugin', 'init'], missing.io)).to.equal(EXIT.USAGE);
    expect(missing.out.stderr).to.include('plugin init needs a plugin name');
  });

  it('refuses a folder that is not empty, writing nothing into it', async () => {
    const dir = join(work, 'taken');
    const first = io();
    expect(await runCli(['plugin', 'init', 'acme', '--dir', dir, '--json'], first.io)).to.equal(EXIT.OK);
    expect(JSON.parse(first.out.stdout)).to.deep.include({ dir, packageName: 'postback-relay-plugin-acme' });
    await writeFile(join(dir, 'index.ts'), '// mine\n');
    const second = io();
    expect(await runCli(['plugin', 'init', 'other', '--dir', dir], second.io)).to.equal(EXIT.USAGE);
    expect(second.out.stderr).to.include(`${dir} is not empty`);
    expect(await readFile(join(dir, 'index.ts'), 'utf8')).to.equal('// mine\n');
  });

  it('names the package and its identifiers from a scoped package name and a dashed plugin name', async () => {
    const dir = join(work, 'scoped');
    expect(await runCli(['plugin', 'init', 'my-tracker', '--package', '@acme/pb-my-tracker', '--dir', dir], io().io)).to.equal(EXIT.OK);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; peerDependencies: Record<string, string> };
    expect(pkg.name).to.equal('@acme/pb-my-tracker');
    expect(pkg.peerDependencies).to.have.property('postback-relay');
    expect(await readFile(join(dir, 'index.ts'), 'utf8')).to.include("export default function createMyTrackerPlugin()").and.include("name: 'my-tracker'");
  });
});
