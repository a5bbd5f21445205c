// The built `postback-relay` binary: every command's happy path, and the exit codes scripts rely on.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { EXIT } from '../../lib/cli/exit-codes.js';
import { RelayMigrationSource } from '../../lib/store/migrations/index.js';
import { CLI, cleanEnv, ROOT, runCli } from '../helpers/cli.js';
import { startServerProcess } from '../helpers/server-process.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

describe('postback-relay CLI', function () {
  // Each command is a Node process of its own: a few seconds each on a busy machine.
  this.timeout(120_000);
  let env: NodeJS.ProcessEnv;
  let tracker: TestTracker;
  const cli = (...args: string[]) => runCli(args, env);

  before(async () => {
    tracker = await startTestTracker();
    env = cleanEnv({
      DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'pb-cli-')), 'relay.sqlite'),
      POSTBACK_RELAY_API_KEYS: 'cli-test-key-123',
      // The test trackers listen on loopback, which the SSRF guard refuses unless allowlisted.
      POSTBACK_RELAY_TARGET_ALLOWLIST: '127.0.0.1',
    });
  });
  after(async () => {
    await tracker.close();
  });

  it('prints help for the tool and each command, and exits 2 on no or an unknown command or option', async () => {
    expect((await cli('--help')).stdout).to.include('Usage: postback-relay <command>');
    for (const command of ['serve', 'migrate', 'endpoints', 'deliveries', 'send-test', 'drift', 'config', 'healthcheck']) {
      const help = await cli(command, '--help');
      expect(help.code, command).to.equal(EXIT.OK);
      expect(help.stdout, command).to.include(`Usage: postback-relay ${command}`);
    }
    expect((await cli()).code).to.equal(EXIT.USAGE);
    const unknown = await cli('frobnicate');
    expect(unknown.code).to.equal(EXIT.USAGE);
    expect(unknown.stderr).to.include('unknown command "frobnicate"');
    expect((await cli('endpoints', 'list', '--bogus')).code).to.equal(EXIT.USAGE);
    expect((await cli('migrate', 'sideways')).code).to.equal(EXIT.USAGE);
  });

  it('migrate: status shows pending, up applies, status shows applied, down rolls one back', async () => {
    // Every compiled-in migration, oldest first: the first two are the initial schema and retry rounds.
    const all = (await new RelayMigrationSource('x_').getMigrations()).map((entry) => entry.file);
    expect(all.slice(0, 2)).to.deep.equal(['20261201000000_initial', '20261201100000_retry_rounds']);
    const last = all.at(-1);
    expect((await cli('migrate', 'status', '--json')).json()).to.deep.equal({ applied: [], pending: all });
    expect((await cli('migrate', 'up', '--json')).json()).to.deep.equal({ applied: all });
    expect((await cli('migrate', 'up')).stdout).to.include('already up to date');
    expect((await cli('migrate', 'status', '--json')).json()).to.deep.equal({ applied: all, pending: [] });
    expect((await cli('migrate', 'down', '--json')).json()).to.deep.equal({ rolledBack: [last] });
    expect((await cli('migrate', 'status', '--json')).json()).to.deep.equal({ applied: all.slice(0, -1), pending: [last] });
    expect((await cli('migrate', 'up')).code).to.equal(EXIT.OK);
  });

  it('endpoints: add, list, disable; a refused setting exits 2 and an unknown id 4', async () => {
    const added = await cli('endpoints', 'add', '--affiliate', 'aff-cli', '--url', `${tracker.origin}/pb?cid={click_id}&txid={transaction_id}`, '--name', 'cli', '--json');
    expect(added.code, added.stderr).to.equal(EXIT.OK);
    const endpoint = added.json() as { id: string; enabled: boolean };
    expect(endpoint.enabled).to.equal(true);
    const listed = (await cli('endpoints', 'list', '--affiliate', 'aff-cli', '--json')).json() as Array<{ id: string }>;
    expect(listed.map((e) => e.id)).to.deep.equal([endpoint.id]);
    expect((await cli('endpoints', 'list', '--affiliate', 'aff-cli')).stdout).to.match(new RegExp(`^${endpoint.id}  affiliate aff-cli  generic  enabled`));
    const bad = await cli('endpoints', 'add', '--affiliate', 'aff-cli', '--url', 'ftp://x/{click_id}', '--json');
    expect(bad.code).to.equal(EXIT.USAGE);
    expect((bad.json() as { error: { code: string } }).error.code).to.equal('ERR_PB_INVALID_SETTINGS');
    expect((await cli('endpoints', 'add', '--url', 'http://127.0.0.1/')).code).to.equal(EXIT.USAGE);
    expect((await cli('endpoints', 'disable', '999999')).code).to.equal(EXIT.NOT_FOUND);
    const disabledId = ((await cli('endpoints', 'add', '--affiliate', 'aff-off', '--url', `${tracker.origin}/x`, '--json')).json() as { id: string }).id;
    const disabled = (await cli('endpoints', 'disable', disabledId, '--json')).json() as { enabled: boolean };
    expect(disabled.enabled).to.equal(false);
  });

  it('send-test: a 2xx exits 0 with the result; a refusing tracker exits 5; an unknown endpoint 4', async () => {
    const id = ((await cli('endpoints', 'add', '--affiliate', 'aff-st', '--url', `${tracker.origin}/st?cid={click_id}&p={payout}`, '--json')).json() as { id: string }).id;
    const before = tracker.received.length;
    const sent = await cli('send-test', id, '--event', 'commission_earned', '--json');
    expect(sent.code, sent.stderr).to.equal(EXIT.OK);
    expect(sent.json()).to.deep.include({ endpointId: id, event: 'commission_earned', method: 'GET', target: `${tracker.origin}/st`, delivered: true, statusCode: 200 });
    expect(tracker.received.slice(before).map((r) => r.query)).to.deep.equal([{ cid: 'test-click-id', p: '12.5' }]);
    tracker.respondWith(503);
    try {
      const refused = await cli('send-test', id);
      expect(refused.code).to.equal(EXIT.NOT_DELIVERED);
      expect(refused.stdout).to.include('-> 503');
    } finally {
      tracker.respondWith(200);
    }
    expect((await cli('send-test', '424242')).code).to.equal(EXIT.NOT_FOUND);
    expect((await cli('send-test', id, '--event', 'nope')).code).to.equal(EXIT.USAGE);
  });

  it('config: prints the resolved config with secrets masked; an invalid value exits 3 naming its variable', async () => {
    const shown = await cli('config', '--json');
    expect(shown.code).to.equal(EXIT.OK);
    const config = shown.json() as { apiKeys: unknown; database: { url: unknown; tablePrefix: string } };
    expect(config.apiKeys).to.equal('[Sensitive]');
    // A SQLite path holds no secret: shown as it is. A MySQL URL shows everything but its password.
    expect(config.database).to.deep.include({ url: env.DATABASE_URL, tablePrefix: 'pb_' });
    expect(shown.stdout).to.not.include('cli-test-key-123');
    const mysql = (await runCli(['config', '--json'], { ...env, DATABASE_URL: 'mysql://relay:hunter2-secret@db.internal:3306/relay' })).json() as typeof config;
    expect(mysql.database.url).to.equal('mysql://relay:***@db.internal:3306/relay');
    const dir = mkdtempSync(join(tmpdir(), 'pb-cli-conf-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ defaultCurrency: 'EUR' }));
    expect(((await cli('config', '--config', join(dir, 'c.json'), '--json')).json() as { defaultCurrency: string }).defaultCurrency).to.equal('EUR');
    const invalid = await runCli(['config'], { ...env, POSTBACK_RELAY_CONCURRENCY: 'lots' });
    expect(invalid.code).to.equal(EXIT.CONFIG);
    expect(invalid.stderr).to.include('POSTBACK_RELAY_CONCURRENCY');
    expect((await runCli(['migrate', 'status'], { ...env, NODE_ENV: 'production', POSTBACK_RELAY_API_KEYS: '' })).code).to.equal(EXIT.CONFIG);
  });

  it('deliveries: list by lead and show one, after `serve` sent its postback; serve exits 0 on SIGTERM', async () => {
    const id = ((await cli('endpoints', 'add', '--affiliate', 'aff-srv', '--url', `${tracker.origin}/srv?cid={click_id}`, '--json')).json() as { id: string }).id;
    const server = await startServerProcess('node', [CLI, 'serve'], { cwd: ROOT, env: { ...env, PORT: '0', POSTBACK_RELAY_HOST: '127.0.0.1' } });
    let exitCode: number | null | undefined;
    try {
      const before = tracker.received.length;
      const res = await fetch(`${server.url}/events/leads`, {
        method: 'POST',
        headers: { authorization: 'Bearer cli-test-key-123', 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'cli-lead-1', clickId: 'ck-1', affiliateId: 'aff-srv' }),
      });
      expect(res.status).to.equal(201);
      await tracker.waitFor(before + 1);
      expect((await fetch(`${server.url.replace('/postbacks', '')}/healthz`)).status).to.equal(200);
      // The healthcheck reads the same configuration as the server: here the port comes from a config file.
      const port = new URL(server.url).port;
      const dir = mkdtempSync(join(tmpdir(), 'pb-cli-health-'));
      writeFileSync(join(dir, 'c.json'), JSON.stringify({ http: { port: Number(port), host: '127.0.0.1' } }));
      const healthy = await runCli(['healthcheck'], { ...env, POSTBACK_RELAY_CONFIG_FILE: join(dir, 'c.json') });
      expect(healthy.code, healthy.stderr).to.equal(EXIT.OK);
      expect(healthy.stdout).to.include(`127.0.0.1:${port}/readyz answered 200`);
    } finally {
      exitCode = await server.stop();
    }
    expect(exitCode).to.equal(0);
    const list = (await cli('deliveries', 'list', '--lead', 'cli-lead-1', '--json')).json() as Array<{ id: string; endpointId: string; status: string }>;
    expect(list.map((d) => [d.endpointId, d.status])).to.deep.equal([[id, 'delivered']]);
    const shown = await cli('deliveries', 'show', list[0]!.id, '--json');
    expect(shown.json()).to.deep.include({ id: list[0]!.id, leadId: 'cli-lead-1', status: 'delivered', attemptCount: 1 });
    expect((await cli('deliveries', 'show', list[0]!.id)).stdout).to.match(/ 200 {2}\d+ ms/);
    expect((await cli('deliveries', 'show', '987654')).code).to.equal(EXIT.NOT_FOUND);
    // The drift report of the endpoint: one click, its lead delivered, nothing to differ.
    const drift = await cli('drift', id, '--json');
    expect(drift.code, drift.stderr).to.equal(EXIT.OK);
    expect((drift.json() as { totals: unknown }).totals).to.deep.equal({ clicks: 1, clicksDiffering: 0, truth: '0', expected: '0', difference: '0' });
    expect((await cli('drift', id, '--click', 'ck-1')).stdout).to.match(/clicks 1 {2}differing 0 {2}truth 0/);
    expect((await cli('drift', id, '--since', 'yesterday')).code).to.equal(EXIT.USAGE);
    expect((await cli('drift', '987654')).code).to.equal(EXIT.NOT_FOUND);
    // Only an unconfirmed delivery waits for a decision.
    expect((await cli('deliveries', 'unconfirmed', '--json')).json()).to.deep.equal([]);
    const undecidable = await cli('deliveries', 'mark-delivered', list[0]!.id, '--json');
    expect(undecidable.code).to.equal(EXIT.USAGE);
    expect((undecidable.json() as { error: { code: string } }).error.code).to.equal('ERR_PB_NOT_UNCONFIRMED');
    expect((await cli('deliveries', 'list')).code).to.equal(EXIT.USAGE);
    expect((await cli('deliveries', 'list', '--lead', 'nobody', '--json')).json()).to.deep.equal([]);
    // No relay runs now: a replayed delivery waits, pending, for the next one to start.
    const replayed = await cli('deliveries', 'replay', list[0]!.id, '--json');
    expect(replayed.code, replayed.stderr).to.equal(EXIT.OK);
    expect(replayed.json()).to.deep.include({ id: list[0]!.id, status: 'pending', attemptCount: 1 });
    expect((await cli('deliveries', 'replay', '987654')).code).to.equal(EXIT.NOT_FOUND);
    expect((await cli('deliveries', 'replay-failed', '--endpoint', id, '--json')).json()).to.deep.equal({ replayed: 0 });
    expect((await cli('deliveries', 'replay-failed')).code).to.equal(EXIT.USAGE);
  });

  it('deliveries list: support searches by the click ID the affiliate quotes, and by affiliate and status', async () => {
    // The delivery the test above sent for lead cli-lead-1 (click ck-1, affiliate aff-srv), replayed since: pending.
    const [delivery] = (await cli('deliveries', 'list', '--lead', 'cli-lead-1', '--json')).json() as Array<{ id: string }>;
    const byClick = (await cli('deliveries', 'list', '--click-id', 'ck-1', '--json')).json() as Array<{ id: string }>;
    expect(byClick.map((d) => d.id)).to.deep.equal([delivery?.id]);
    const byAffiliate = (await cli('deliveries', 'list', '--affiliate', 'aff-srv', '--status', 'pending', '--json')).json() as Array<{ id: string }>;
    expect(byAffiliate.map((d) => d.id)).to.deep.equal([delivery?.id]);
    expect((await cli('deliveries', 'list', '--affiliate', 'aff-srv', '--status', 'failed', '--json')).json()).to.deep.equal([]);
    expect((await cli('deliveries', 'list', '--click-id', 'ck-1', '--status', 'lost')).code).to.equal(EXIT.USAGE);
  });

  it('healthcheck exits 1 when nothing answers where the configuration says the server listens', async () => {
    const sick = await runCli(['healthcheck'], { ...env, PORT: '1', POSTBACK_RELAY_HOST: '127.0.0.1' });
    expect(sick.code).to.equal(EXIT.FAILURE);
    expect(sick.stderr).to.include('127.0.0.1:1/readyz');
  });

  it('exits 1 when the database cannot be opened', async () => {
    const failed = await runCli(['endpoints', 'list'], { ...env, DATABASE_URL: 'mysql://nobody@127.0.0.1:1/none' });
    expect(failed.code).to.equal(EXIT.FAILURE);
    expect(failed.stderr).to.match(/ECONNREFUSED|connect/);
  });
});
