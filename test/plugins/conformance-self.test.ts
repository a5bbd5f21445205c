// The conformance suite itself: each check fails on a plugin with the fault it is there to catch.

import { expect } from 'chai';
import { definePlugin } from '../../lib/plugins/define.js';
import type { PostbackContext } from '../../lib/plugins/types.js';
import { conformanceChecks } from '../../lib/testing/index.js';

function faulty(url: (context: PostbackContext) => string, parseSettings = (s: Readonly<Record<string, unknown>>) => s) {
  return definePlugin({ name: 'faulty', apiVersion: 1, adjustments: 'delta', parseSettings, format: (context) => ({ method: 'GET', url: url(context) }) });
}

function failing(plugin: ReturnType<typeof faulty>, required: string[] = []): string[] {
  return conformanceChecks(plugin, { settings: { key: 'x' }, required }).flatMap((check) => {
    try {
      check.run();
      return [];
    } catch {
      return [check.name];
    }
  });
}

describe('conformance suite', () => {
  it('passes a correct plugin', () => {
    const plugin = faulty((c) => `https://t.example/pb?cid=${encodeURIComponent(c.lead.clickId)}&payout=${c.payout}&txid=${c.transactionId}`);
    expect(failing(plugin, [])).to.deep.equal([]);
  });

  it('catches a click ID that is not encoded', () => {
    const plugin = faulty((c) => `https://t.example/pb?cid=${c.lead.clickId}&txid=${c.transactionId}`);
    expect(failing(plugin)).to.include('URL-encodes click IDs with &, #, spaces and unicode, adding no parameter');
  });

  it('catches amounts printed through floats', () => {
    const plugin = faulty((c) => `https://t.example/pb?cid=x&txid=${c.transactionId}&payout=${String(Number(c.clickNetPayout) * 1e-7)}`);
    expect(failing(plugin)).to.include('prints amounts exactly: no float noise, no exponent');
  });

  it('catches undefined in a URL and one transaction key for two commissions', () => {
    const plugin = faulty((c) => `https://t.example/pb?cid=x&txid=${String((c as unknown as Record<string, unknown>).missing)}`);
    expect(failing(plugin)).to.include.members(['never prints undefined, null or NaN', 'keeps a retry identical and tells two commissions of one click apart']);
  });

  it('catches a required setting that is not enforced', () => {
    expect(failing(faulty((c) => `https://t.example/pb?txid=${c.transactionId}&payout=${c.payout}`), ['key'])).to.deep.equal(['refuses settings that are missing']);
  });
});
