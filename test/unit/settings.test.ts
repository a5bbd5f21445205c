// One description of every setting: the library's defaults, the server's config, the relay options the server passes
// and the docs all come from lib/config/settings.ts, so they cannot drift apart.

import { expect } from 'chai';
import { configSchema, loadConfig } from '../../lib/config/load.js';
import { SETTINGS, valueAt } from '../../lib/config/settings.js';
import { InvalidOptionError } from '../../lib/errors.js';
import { resolveOptions } from '../../lib/options.js';
import { relayOptionsFromConfig } from '../../lib/server/relay-options.js';

// Options the library resolves into another shape (parsed keys, a policy object, no signing block by default, and
// the portal's empty URL and plugin list, which the library keeps as "not given").
const RESHAPED = ['apiKeys', 'targetAllowlist', 'signing.secrets', 'signing.toleranceSeconds', 'portal.publicUrl', 'portal.plugins'];

describe('settings list', () => {
  const library = resolveOptions({ database: ':memory:', apiKeys: ['k3y-for-tests'] }, '0.0.0');
  const server = loadConfig({ env: {} });

  it('the library and the server have the same default for every setting (none hard-coded twice)', () => {
    for (const setting of SETTINGS) {
      expect(valueAt(server, setting.key), `server ${setting.key}`).to.deep.equal(setting.default);
      if (setting.option === undefined || RESHAPED.includes(setting.option)) continue;
      expect(valueAt(library, setting.option), `library ${setting.option}`).to.deep.equal(setting.default);
    }
    expect(library.dispatch).to.include({ concurrency: 16, requestTimeoutMs: 10_000, batchSize: 100 });
  });

  it('every setting is in the convict schema with its variable, and keys and variables are unique', () => {
    const schema = configSchema();
    for (const setting of SETTINGS) expect(valueAt(schema, setting.key), setting.key).to.include({ env: setting.env, doc: setting.doc });
    expect(new Set(SETTINGS.map((setting) => setting.key)).size).to.equal(SETTINGS.length);
    expect(new Set(SETTINGS.map((setting) => setting.env)).size).to.equal(SETTINGS.length);
  });

  it('the dispatcher settings the server could not set before reach the relay from their variables', async () => {
    const config = loadConfig({
      env: { POSTBACK_RELAY_IDLE_POLL_MS: '250', POSTBACK_RELAY_STOP_TIMEOUT_MS: '4000', POSTBACK_RELAY_RETRY_JITTER: '0.5', POSTBACK_RELAY_RETRY_AFTER_MAX_MS: '60000' },
    });
    const options = await relayOptionsFromConfig(config, { apiKeys: ['k3y-for-tests'] });
    expect(options.dispatch).to.include({ idlePollMs: 250, stopTimeoutMs: 4000, retryJitter: 0.5, retryAfterMaxMs: 60_000 });
    const resolved = resolveOptions(options, '0.0.0');
    expect(resolved.dispatch).to.include({ idlePollMs: 250, stopTimeoutMs: 4000, retryJitter: 0.5, retryAfterMaxMs: 60_000 });
  });

  it('every library option the server passes on, at its default, resolves to the library default', async () => {
    const options = await relayOptionsFromConfig(server, { apiKeys: ['k3y-for-tests'] });
    expect(options).to.not.have.property('signing');
    const resolved = resolveOptions(options, '0.0.0');
    for (const setting of SETTINGS) {
      if (setting.option === undefined || RESHAPED.includes(setting.option)) continue;
      expect(valueAt(resolved, setting.option), setting.option).to.deep.equal(valueAt(library, setting.option));
    }
    expect((await relayOptionsFromConfig(loadConfig({ env: { POSTBACK_RELAY_RATE_LIMIT: 'false' } }), { apiKeys: ['k3y-for-tests'] })).rateLimit).to.equal(false);
  });

  it('one rule per setting: the library and the server refuse the same value with the same words', () => {
    const cases: Array<[string, string, unknown]> = [
      ['dispatch.concurrency', 'POSTBACK_RELAY_CONCURRENCY', 0],
      ['dispatch.retryJitter', 'POSTBACK_RELAY_RETRY_JITTER', 2],
      ['rateLimit.max', 'POSTBACK_RELAY_RATE_LIMIT_MAX', 0],
      ['tablePrefix', 'POSTBACK_RELAY_TABLE_PREFIX', 'no-dashes'],
    ];
    for (const [option, env, value] of cases) {
      const [group = option, name] = option.split('.');
      const given = name === undefined ? { [option]: value } : { [group]: { [name]: value } };
      let libraryMessage = '';
      expect(() => resolveOptions({ database: ':memory:', apiKeys: ['k3y-for-tests'], ...given }, '0.0.0')).to.throw(InvalidOptionError).with.property('message').that.satisfies((message: string) => {
        libraryMessage = message.replace(`option ${option}: `, '');
        return true;
      });
      expect(() => loadConfig({ env: { [env]: String(value) } })).to.throw().with.property('message').that.includes(libraryMessage);
    }
  });
});
