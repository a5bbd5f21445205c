// The server configuration: environment variables, an optional file, and start-up failures that name the bad value.

import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../lib/config/load.js';
import { ConfigError } from '../../lib/errors.js';

function configError(env: Record<string, string>, file?: string): ConfigError {
  try {
    loadConfig(file === undefined ? { env } : { env, file });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`the configuration was accepted: ${JSON.stringify(env)}`);
}

describe('configuration', () => {
  it('defaults to the embedded SQLite file, the pb_ prefix and port 3000', () => {
    const config = loadConfig({ env: {} });
    expect(config.database).to.deep.equal({ url: './data/postback-relay.sqlite', tablePrefix: 'pb_', migrate: true });
    expect(config.http).to.include({ port: 3000, mountPath: '/postbacks' });
    expect(config.dispatch).to.deep.include({ concurrency: 16, requestTimeoutMs: 10_000, batchSize: 100, perHostConcurrency: 4 });
    expect(config.dispatch.retrySchedule).to.deep.equal([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(Object.isFrozen(config.http)).to.equal(true);
  });

  it('reads PORT, DATABASE_URL and the POSTBACK_RELAY_ variables', () => {
    const config = loadConfig({
      env: {
        PORT: '8080',
        DATABASE_URL: 'mysql://root@127.0.0.1:3306/test',
        POSTBACK_RELAY_TABLE_PREFIX: 'relay_',
        POSTBACK_RELAY_API_KEYS: 'key-one-12345, key-two-12345',
        POSTBACK_RELAY_CONCURRENCY: '32',
        POSTBACK_RELAY_REQUEST_TIMEOUT_MS: '2500',
        POSTBACK_RELAY_MOUNT_PATH: '/s2s',
        POSTBACK_RELAY_MIGRATE: 'false',
        POSTBACK_RELAY_RETRY_SCHEDULE_MS: '10,20, 40',
        POSTBACK_RELAY_PER_HOST_CONCURRENCY: '8',
        POSTBACK_RELAY_DISABLE_AFTER_MS: '60000',
      },
    });
    expect(config.http.port).to.equal(8080);
    expect(config.http.mountPath).to.equal('/s2s');
    expect(config.database).to.deep.equal({ url: 'mysql://root@127.0.0.1:3306/test', tablePrefix: 'relay_', migrate: false });
    expect(config.apiKeys).to.deep.equal(['key-one-12345', 'key-two-12345']);
    expect(config.dispatch).to.include({ concurrency: 32, requestTimeoutMs: 2500, perHostConcurrency: 8, disableAfterMs: 60_000 });
    expect(config.dispatch.retrySchedule).to.deep.equal([10, 20, 40]);
  });

  it('reads the pixel parameter names as comma-separated lists, with the pixel defaults', () => {
    expect(loadConfig({ env: {} }).pixel).to.deep.equal({
      clickIdParams: ['click_id', 'clickid', 'cid', 'subid', 'sub_id'],
      affiliateParams: ['aff', 'affiliate_id', 'aff_id'],
      offerParams: ['offer', 'offer_id'],
      cookieDays: 30,
    });
    const config = loadConfig({ env: { POSTBACK_RELAY_PIXEL_CLICK_ID_PARAMS: 'tid, clickid', POSTBACK_RELAY_PIXEL_COOKIE_DAYS: '7' } });
    expect(config.pixel).to.include({ cookieDays: 7 });
    expect(config.pixel.clickIdParams).to.deep.equal(['tid', 'clickid']);
    expect(configError({ POSTBACK_RELAY_PIXEL_OFFER_PARAMS: 'off er' }).message).to.match(/pixel\.offerParams \(POSTBACK_RELAY_PIXEL_OFFER_PARAMS\)/);
  });

  it('layers a JSON config file under the environment', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pb-config-')), 'relay.json');
    writeFileSync(file, JSON.stringify({ http: { port: 4000 }, dispatch: { concurrency: 4 } }));
    const config = loadConfig({ env: { POSTBACK_RELAY_CONFIG_FILE: file, POSTBACK_RELAY_CONCURRENCY: '8' } });
    expect(config.http.port).to.equal(4000);
    expect(config.dispatch.concurrency).to.equal(8);
    expect(configError({}, file.replace('relay.json', 'missing.json')).message).to.match(/missing\.json/);
    writeFileSync(file, JSON.stringify({ dispatch: { concurency: 4 } }));
    expect(configError({}, file).message).to.match(/dispatch\.concurency/);
  });

  it('fails with a message naming the key and its variable', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: 'abc' }, /http\.port \(PORT\)/],
      [{ PORT: '70000' }, /http\.port \(PORT\)/],
      [{ DATABASE_URL: 'postgres://x/y' }, /database\.url \(DATABASE_URL\)/],
      [{ DATABASE_URL: 'mysql://127.0.0.1:3306' }, /database\.url \(DATABASE_URL\).*must name a database/],
      [{ POSTBACK_RELAY_CONCURRENCY: '0' }, /dispatch\.concurrency \(POSTBACK_RELAY_CONCURRENCY\): must be a positive integer/],
      [{ POSTBACK_RELAY_RETRY_SCHEDULE_MS: '5s,1m' }, /dispatch\.retrySchedule \(POSTBACK_RELAY_RETRY_SCHEDULE_MS\): must be a list \(comma-separated in a variable\)/],
      [{ POSTBACK_RELAY_API_KEYS: 'short' }, /apiKeys \(POSTBACK_RELAY_API_KEYS\)/],
      [{ POSTBACK_RELAY_LOG_LEVEL: 'loud' }, /log\.level \(POSTBACK_RELAY_LOG_LEVEL\)/],
      [{ NODE_ENV: 'production' }, /apiKeys \(POSTBACK_RELAY_API_KEYS\) must be set in production/],
    ];
    for (const [env, message] of cases) {
      const error = configError(env);
      expect(error.message, JSON.stringify(env)).to.match(message);
      expect(error.code).to.equal('ERR_PB_INVALID_CONFIG');
    }
  });

  it('never puts a sensitive value in its error messages', () => {
    const error = configError({ DATABASE_URL: 'mysql://root:s3cret-pw@127.0.0.1:3306', POSTBACK_RELAY_API_KEYS: 'k3y-s3cret-value,x' });
    expect(error.message).to.not.match(/s3cret/);
  });
});
