// The security keys of the server configuration: scoped keys, signing, allowlist, rate limit, amounts; secrets stay secret.

import { expect } from 'chai';
import { loadConfig } from '../../lib/config/load.js';
import { ConfigError } from '../../lib/errors.js';

describe('security configuration', () => {
  it('reads scoped keys, signing secrets, the target allowlist, the rate limit and amount limits', () => {
    const config = loadConfig({
      env: {
        POSTBACK_RELAY_API_KEYS: 'crm-key-12345:events, office-key-12345:admin, ops-key-12345',
        POSTBACK_RELAY_SIGNING_SECRETS: 'signing-secret-0123456789',
        POSTBACK_RELAY_SIGNING_TOLERANCE_SECONDS: '120',
        POSTBACK_RELAY_TARGET_ALLOWLIST: '10.20.0.0/16, tracker.internal',
        POSTBACK_RELAY_RATE_LIMIT_MAX: '50',
        POSTBACK_RELAY_AMOUNT_MAX_DECIMALS: '4',
        POSTBACK_RELAY_AMOUNT_MAX: '5000',
        POSTBACK_RELAY_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      },
    });
    expect(config.apiKeys).to.deep.equal(['crm-key-12345:events', 'office-key-12345:admin', 'ops-key-12345']);
    expect(config.signing).to.deep.equal({ secrets: ['signing-secret-0123456789'], toleranceSeconds: 120 });
    expect(config.targetAllowlist).to.deep.equal(['10.20.0.0/16', 'tracker.internal']);
    expect(config.rateLimit).to.deep.equal({ enabled: true, max: 50, windowMs: 60_000, store: 'memory' });
    expect(config.amounts).to.deep.equal({ maxDecimals: 4, maxAmount: '5000' });
    expect(config.http.trustProxy).to.equal('10.0.0.0/8, 127.0.0.1');
  });

  it('defaults to no allowlist, no signing and 600 requests a minute per address', () => {
    const config = loadConfig({ env: {} });
    expect(config.targetAllowlist).to.deep.equal([]);
    expect(config.signing.secrets).to.deep.equal([]);
    expect(config.rateLimit).to.deep.equal({ enabled: true, max: 600, windowMs: 60_000, store: 'memory' });
  });

  it('refuses an unknown scope without echoing the key, and keeps signing secrets out of errors', () => {
    expect(() => loadConfig({ env: { POSTBACK_RELAY_API_KEYS: 'k3y-s3cret-value:root' } }))
      .to.throw(ConfigError, /apiKeys \(POSTBACK_RELAY_API_KEYS\).*unknown scope "root"/)
      .with.property('message').that.does.not.match(/s3cret/);
    expect(() => loadConfig({ env: { POSTBACK_RELAY_SIGNING_SECRETS: 's3cret', POSTBACK_RELAY_SIGNING_TOLERANCE_SECONDS: 'x' } }))
      .to.throw(ConfigError)
      .with.property('message').that.does.not.match(/s3cret/);
  });

  it('refuses to start in production without an API key', () => {
    expect(() => loadConfig({ env: { NODE_ENV: 'production' } })).to.throw(ConfigError, /must be set in production/);
  });
});
