// createPostbackRelay checks its options up front, naming the bad one; the plugin registry refuses bad plugins.

import { expect } from 'chai';
import { createPostbackRelay } from '../../lib/relay.js';
import type { PostbackRelayOptions } from '../../lib/options.js';
import { InvalidOptionError, InvalidPluginError } from '../../lib/errors.js';
import { createPluginRegistry } from '../../lib/plugins/registry.js';
import createGenericPlugin from '../../plugins/generic/index.js';

const valid: PostbackRelayOptions = { database: ':memory:', apiKeys: ['a-long-enough-key'] };

function optionError(options: unknown): InvalidOptionError {
  try {
    createPostbackRelay(options as PostbackRelayOptions);
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error('the options were accepted');
}

describe('createPostbackRelay options', () => {
  it('names the bad option and what it expected', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [null, 'options', /object/],
      [{ apiKeys: ['a-long-enough-key'] }, 'database', /required/],
      [{ ...valid, apiKeys: [] }, 'apiKeys', /non-empty/],
      [{ ...valid, apiKeys: ['short'] }, 'apiKeys[0]', /8 characters/],
      [{ ...valid, apiKeys: ['a-long-enough-key', 'a-long-enough-key:root'] }, 'apiKeys[1]', /unknown scope "root"/],
      [{ ...valid, authentication: 'none' }, 'authentication', /'apiKeys' or 'host'/],
      [{ ...valid, signing: { secrets: ['short'] } }, 'signing.secrets', /16 characters/],
      [{ ...valid, signing: { secrets: ['a-secret-of-16-chars'], toleranceSeconds: -1 } }, 'signing.toleranceSeconds', /positive integer/],
      [{ ...valid, signing: { secret: 'x' } }, 'signing.secret', /not an option \(options: secrets, toleranceSeconds\)/],
      [{ ...valid, rateLimit: { max: 0 } }, 'rateLimit.max', /positive integer/],
      [{ ...valid, rateLimit: { limit: 5 } }, 'rateLimit.limit', /not an option/],
      [{ ...valid, targetAllowlist: ['10.0.0.0/40'] }, 'targetAllowlist[0]', /prefix length/],
      [{ ...valid, tablePrefix: 'pb-' }, 'tablePrefix', /letters, digits or underscores/],
      [{ ...valid, defaultCurrency: 'usd' }, 'defaultCurrency', /ISO 4217/],
      [{ ...valid, bodyLimit: 'lots' }, 'bodyLimit', /100kb/],
      [{ ...valid, dispatch: { concurrency: 0 } }, 'dispatch.concurrency', /positive integer/],
      [{ ...valid, dispatch: { requestTimeoutMs: 1.5 } }, 'dispatch.requestTimeoutMs', /positive integer/],
      [{ ...valid, dispatch: { Concurrency: 2 } }, 'dispatch.Concurrency', /did you mean dispatch\.concurrency/],
      [{ ...valid, dispatch: { enabled: 'no' } }, 'dispatch.enabled', /true or false/],
      [{ ...valid, apikeys: ['a-long-enough-key'] }, 'apikeys', /did you mean apiKeys/],
      [{ ...valid, database: 'postgres://x/y' }, 'database', /unsupported database URL scheme/],
      [{ ...valid, database: 'mysql://127.0.0.1:3306/' }, 'database', /must name a database/],
      [{ ...valid, ingest: { maxQueued: 0 } }, 'ingest.maxQueued', /positive integer/],
      [{ ...valid, ingest: { max: 5 } }, 'ingest.max', /not an option/],
      [{ ...valid, retention: { deliveredDays: -1 } }, 'retention.deliveredDays', /days > 0, or 0 or null/],
      [{ ...valid, retention: { failedDays: '90' } }, 'retention.failedDays', /days > 0/],
      [{ ...valid, retention: { intervalMs: 0 } }, 'retention.intervalMs', /positive integer/],
    ];
    for (const [options, field, message] of cases) {
      const error = optionError(options);
      expect(error.field, JSON.stringify(options)).to.equal(field);
      expect(error.message).to.match(message);
      expect(error.code).to.equal('ERR_PB_INVALID_OPTION');
    }
  });

  it('refuses to start before migrations have run', async () => {
    const relay = createPostbackRelay(valid);
    try {
      await relay.start();
      expect.fail('start() succeeded without migrations');
    } catch (error) {
      expect((error as Error).message).to.match(/pending migration.*relay\.migrate\(\)/);
    } finally {
      await relay.stop();
    }
  });
});

describe('plugin registry', () => {
  it('refuses plugins with a bad shape or a taken name', () => {
    const generic = createGenericPlugin();
    const cases: Array<[unknown[], RegExp]> = [
      [[null], /plugins\[0\] is not a plugin object/],
      [[{ ...generic, name: 'Bad Name' }], /lower-case name/],
      [[{ ...generic, apiVersion: 2 }], /apiVersion must be 1/],
      [[{ ...generic, format: 'nope' }], /format must be a function/],
      [[generic, generic], /registered twice/],
    ];
    for (const [plugins, message] of cases) expect(() => createPluginRegistry(plugins)).to.throw(InvalidPluginError, message);
    expect(() => createPostbackRelay({ ...valid, plugins: [generic] })).to.throw(InvalidPluginError, /"generic" is registered twice/);
  });
});
