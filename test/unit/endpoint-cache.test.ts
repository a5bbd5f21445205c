// The endpoint cache: settings parsed and maskers built once per endpoint version, not per postback.

import { expect } from 'chai';
import { EndpointCache } from '../../lib/dispatch/endpoint-cache.js';
import type { Endpoint } from '../../lib/endpoints/types.js';
import { createPluginRegistry } from '../../lib/plugins/registry.js';
import type { FormatterPlugin } from '../../lib/plugins/types.js';

function counting() {
  const calls = { parse: 0, secrets: 0 };
  const plugin: FormatterPlugin = {
    name: 'counting',
    apiVersion: 1,
    adjustments: 'unsupported',
    parseSettings: (settings) => {
      calls.parse += 1;
      return { ...settings };
    },
    secretValues: (settings) => {
      calls.secrets += 1;
      return [String(settings.token)];
    },
    format: () => ({ method: 'GET', url: 'http://127.0.0.1/' }),
  };
  return { calls, cache: new EndpointCache(createPluginRegistry([plugin])) };
}

const at = new Date('2026-12-01T00:00:00Z');
const endpoint = (id: string, token: string, updatedAt = at): Endpoint => ({
  id,
  affiliateId: 'aff-1',
  offerId: null,
  name: null,
  plugin: 'counting',
  settings: { token },
  events: ['lead_created'],
  enabled: true,
  adjustmentMode: null,
  createdAt: at,
  updatedAt,
});

describe('EndpointCache', () => {
  it('parses settings and builds the masker once per version, for copies of the endpoint as each claim reads it', () => {
    const { calls, cache } = counting();
    for (let i = 0; i < 5; i += 1) {
      const copy = endpoint('E-1', 'tok-1');
      expect(cache.settings(copy)).to.deep.equal({ token: 'tok-1' });
      expect(cache.masker(copy)('key=tok-1')).to.equal('key=***');
    }
    expect(calls).to.deep.equal({ parse: 1, secrets: 1 });
  });

  it('derives again for a new version, and keeps endpoints apart', () => {
    const { calls, cache } = counting();
    cache.settings(endpoint('E-1', 'tok-1'));
    cache.settings(endpoint('E-2', 'tok-2'));
    const updated = endpoint('E-1', 'tok-new', new Date(at.getTime() + 1));
    expect(cache.settings(updated)).to.deep.equal({ token: 'tok-new' });
    expect(cache.masker(updated)('tok-1 tok-new')).to.equal('tok-1 ***');
    expect(cache.settings(endpoint('E-2', 'tok-2'))).to.deep.equal({ token: 'tok-2' });
    expect(calls).to.deep.equal({ parse: 3, secrets: 1 });
    // A new version replaces the old one, so the cache is bounded by endpoints, not by versions: the old is derived again.
    cache.settings(endpoint('E-1', 'tok-1'));
    expect(calls.parse).to.equal(4);
  });

  it('holds at most 10,000 endpoints: the next one empties it, and what was held is derived again', () => {
    const { calls, cache } = counting();
    for (let i = 0; i < 10_000; i += 1) cache.settings(endpoint(`E-${i}`, 't'));
    cache.settings(endpoint('E-0', 't'));
    expect(calls.parse).to.equal(10_000);
    cache.settings(endpoint('E-10000', 't'));
    cache.settings(endpoint('E-0', 't'));
    expect(calls.parse).to.equal(10_002);
  });
});
