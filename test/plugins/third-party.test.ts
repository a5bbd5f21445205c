// Third-party plugins: loaded by package name or path, refused at start-up when malformed, checked by the same suite.

import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { loadConfig } from '../../lib/config/load.js';
import { InvalidPluginError } from '../../lib/errors.js';
import { createServerLogger } from '../../lib/server/logger.js';
import { startServer } from '../../lib/server/server.js';
import { definePlugin } from '../../lib/plugins/define.js';
import { loadPlugins } from '../../lib/plugins/loader.js';
import { createPostbackRelay } from '../../lib/relay.js';
import { describeConformance } from '../../lib/testing/index.js';
import { sqliteTarget } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/example-plugin');
// A host directory whose node_modules has the example package, as `npm install postback-relay-plugin-example` would
// leave it. Top-level await: the conformance suite below is declared from the plugin loaded by name.
const host = await mkdtemp(join(tmpdir(), 'pb-plugins-'));
await mkdir(join(host, 'node_modules'));
await symlink(FIXTURE, join(host, 'node_modules', 'postback-relay-plugin-example'), 'dir');
await writeFile(join(host, 'not-a-plugin.mjs'), 'export default { name: "broken", apiVersion: 1 };\n');
const [example] = await loadPlugins(['postback-relay-plugin-example'], host);

describe('third-party plugins', () => {
  after(async () => {
    await rm(host, { recursive: true, force: true });
  });

  it('loads a plugin by package name and by path', async () => {
    const [byName] = await loadPlugins(['postback-relay-plugin-example'], host);
    const [byPath] = await loadPlugins([join(FIXTURE, 'index.ts')], host);
    expect(byName?.name).to.equal('acme');
    expect(byPath?.adjustments).to.equal('replace');
  });

  it('refuses a module whose default export is not a plugin, naming it and what is wrong', async () => {
    let caught: unknown;
    await loadPlugins(['./not-a-plugin.mjs'], host).catch((error: unknown) => (caught = error));
    expect(caught).to.be.instanceOf(InvalidPluginError);
    expect((caught as Error).message).to.match(/plugin "broken": parseSettings must be a function/);
  });

  it('refuses a plugin object with a bad adjustments declaration when the relay is created', async () => {
    const [acme] = await loadPlugins(['postback-relay-plugin-example'], host);
    const bad = { ...acme, name: 'acme2', adjustments: 'sometimes' };
    expect(() => createPostbackRelay({ database: ':memory:', apiKeys: ['a-long-enough-key'], plugins: [bad as never] })).to.throw(InvalidPluginError, /adjustments must be one of replace, delta, status, unsupported/);
  });
});

describe('a third-party plugin in a relay', () => {
  it('formats deliveries like a built-in one: sent over HTTP, and its own skip in the delivery log', async () => {
    const tracker = await startTestTracker();
    const fx = await startRelay(sqliteTarget, { relay: { plugins: example ? [example] : [] } });
    try {
      await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'acme', settings: { host: new URL(tracker.origin).host } });
      await fx.relay.recordLead({ id: 'L1', clickId: 'a b', affiliateId: 'aff-1' });
      await fx.relay.recordCommission({ id: 'C1', leadId: 'L1', amount: '3.5' });
      await fx.relay.adjustCommission({ id: 'A1', commissionId: 'C1', amount: '2' });
      await fx.settled();
      expect(tracker.received.map((r) => r.query)).to.have.deep.members([
        { click: 'a b', amount: '3.5', ref: 'com-C1' },
        { click: 'a b', amount: '2', ref: 'com-C1' },
      ]);
      const deliveries = await fx.relay.deliveries.listForLead('L1');
      expect(deliveries.map((d) => [d.status, d.lastError])).to.deep.equal([
        ['skipped', 'skipped: Acme counts sales only'],
        ['delivered', null],
        ['delivered', null],
      ]);
    } finally {
      await fx.close();
      await tracker.close();
    }
  });
  it('takes its endpoints\' kind from the plugin: a browser-kind plugin is listed by the pixel, never sent by the dispatcher', async () => {
    const pixel = definePlugin({
      name: 'acme-pixel',
      apiVersion: 1,
      kind: 'browser',
      adjustments: 'unsupported',
      parseSettings: (settings) => ({ origin: String(settings.origin), type: 'image' }),
      format: (context, { origin }) => ({ method: 'GET', url: `${origin}/px?c=${encodeURIComponent(context.lead.clickId)}` }),
    });
    const tracker = await startTestTracker();
    const fx = await startRelay(sqliteTarget, { relay: { plugins: [pixel] } });
    try {
      await fx.relay.endpoints.create({ affiliateId: '7', plugin: 'acme-pixel', settings: { origin: tracker.origin } });
      await fx.relay.endpoints.create({ affiliateId: '7', plugin: 'generic', settings: { url: `${tracker.origin}/pb?cid={click_id}` } });
      const res = await request(fx.app).get('/postbacks/pixel/lead').query({ click_id: 'a b', aff: '7', fid: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' });
      expect(res.body).to.deep.equal({ leadId: 'px-f0e1d2c3b4a5968778695a4b3c2d1e0f', pixels: [{ type: 'image', url: `${tracker.origin}/px?c=a%20b` }] });
      // The S2S postback arriving shows the lead was dispatched; the browser-kind endpoint got no delivery.
      await tracker.waitFor(1);
      await fx.settled();
      expect(tracker.received.map((r) => r.path)).to.deep.equal(['/pb']);
      expect((await fx.relay.deliveries.listForLead('px-f0e1d2c3b4a5968778695a4b3c2d1e0f')).length).to.equal(1);
    } finally {
      await fx.close();
      await tracker.close();
    }
  });

  it('refuses a plugin declaring an unknown kind', () => {
    expect(() => createPostbackRelay({ database: ':memory:', apiKeys: ['a-long-enough-key'], plugins: [{ ...example!, name: 'acme3', kind: 'sms' } as never] })).to.throw(InvalidPluginError, /kind must be one of postback, browser when given, got "sms"/);
  });
});

describe('POSTBACK_RELAY_PLUGINS', () => {
  it('is a comma-separated list of package names or paths', () => {
    const config = loadConfig({ env: { POSTBACK_RELAY_PLUGINS: 'postback-relay-plugin-example, ./plugins/acme.js' } });
    expect(config.plugins).to.deep.equal(['postback-relay-plugin-example', './plugins/acme.js']);
  });

  it('makes the server refuse to start with a malformed plugin', async () => {
    const config = loadConfig({ env: { POSTBACK_RELAY_PLUGINS: join(host, 'not-a-plugin.mjs') } });
    let caught: unknown;
    await startServer(config, createServerLogger('silent')).catch((error: unknown) => (caught = error));
    expect(caught).to.be.instanceOf(InvalidPluginError);
  });
});

// The suite a plugin author runs, on the example loaded by name.
if (!example) throw new Error('the example plugin did not load');
describeConformance(example, { settings: { host: 'trk.acme.example' }, required: ['host'] });
