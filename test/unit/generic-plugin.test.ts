// The generic template formatter: macros, encoding, methods, and settings refused when the endpoint is saved.

import { expect } from 'chai';
import { PluginSettingsError } from '../../lib/errors.js';
import { MACRO_NAMES } from '../../lib/plugins/macros.js';
import { isSkip } from '../../lib/plugins/types.js';
import type { PostbackContext, PostbackRequest } from '../../lib/plugins/types.js';
import createGenericPlugin from '../../plugins/generic/index.js';

const plugin = createGenericPlugin();
const occurredAt = new Date('2026-12-01T10:00:00.000Z');
const lead = {
  id: 'L 1',
  clickId: 'a&b=c#d é',
  affiliateId: 'aff/1',
  offerId: null,
  sub1: 's1',
  sub2: null,
  sub3: null,
  sub4: null,
  sub5: '?x',
  source: 'api' as const,
  occurredAt,
  recordedAt: occurredAt,
};
const commission = { id: 'C-1', leadId: 'L 1', amount: '12.5', currency: 'EUR', occurredAt, recordedAt: occurredAt };
const context: PostbackContext = {
  event: 'commission_earned',
  lead,
  commission,
  adjustment: null,
  transactionId: 'com-C-1',
  payout: '12.5',
  delta: '12.5',
  currency: 'EUR',
  occurredAt,
  clickNetPayout: '12.5',
  adjustmentMode: null,
};

function format(context: PostbackContext, settings: ReturnType<typeof plugin.parseSettings>): PostbackRequest {
  const result = plugin.format(context, settings);
  if (isSkip(result)) throw new Error(`skipped: ${result.skip}`);
  return result;
}

function settingsError(settings: Record<string, unknown>): PluginSettingsError {
  try {
    plugin.parseSettings(settings);
  } catch (error) {
    if (error instanceof PluginSettingsError) return error;
    throw error;
  }
  throw new Error(`settings were accepted: ${JSON.stringify(settings)}`);
}

describe('generic plugin', () => {
  it('fills every macro, URL-encoding each value so none can add a parameter', () => {
    const url = `https://t.example/pb?${MACRO_NAMES.map((m) => `${m}={${m}}`).join('&')}`;
    const request = format(context, plugin.parseSettings({ url }));
    expect(request.method).to.equal('GET');
    const params = Object.fromEntries(new URL(request.url).searchParams);
    expect(params).to.deep.equal({
      click_id: 'a&b=c#d é',
      event: 'commission_earned',
      lead_id: 'L 1',
      commission_id: 'C-1',
      adjustment_id: '',
      transaction_id: 'com-C-1',
      payout: '12.5',
      delta: '12.5',
      currency: 'EUR',
      affiliate_id: 'aff/1',
      offer_id: '',
      sub1: 's1',
      sub2: '',
      sub3: '',
      sub4: '',
      sub5: '?x',
      timestamp: '1796119200',
      datetime: '2026-12-01T10:00:00.000Z',
    });
    expect(request.url).to.contain('click_id=a%26b%3Dc%23d%20%C3%A9');
    expect(new URL(request.url).host).to.equal('t.example');
  });

  it('sends a form or JSON body for POST, encoded by the body format', () => {
    const form = format(context, plugin.parseSettings({ url: 'https://t.example/pb', method: 'POST', body: { cid: '{click_id}', sum: '{payout}' } }));
    expect(form).to.deep.equal({
      method: 'POST',
      url: 'https://t.example/pb',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'cid=a%26b%3Dc%23d+%C3%A9&sum=12.5',
    });
    const json = format(context, plugin.parseSettings({ url: 'https://t.example/pb', method: 'POST', bodyFormat: 'json', body: { cid: '{click_id}' } }));
    expect(json.headers).to.deep.equal({ 'content-type': 'application/json' });
    expect(JSON.parse(json.body ?? '')).to.deep.equal({ cid: 'a&b=c#d é' });
  });

  it('yields the same request for the same event', () => {
    const settings = plugin.parseSettings({ url: 'https://t.example/pb?cid={click_id}&txid={transaction_id}' });
    expect(format(context, settings)).to.deep.equal(format(context, settings));
  });

  it('refuses bad settings, naming the setting', () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{}, 'settings.url', /required/],
      [{ url: 'https://t.example/pb?x={nope}' }, 'settings.url', /unknown macro \{nope\}/],
      [{ url: 'https://t.example/pb?x={click_id' }, 'settings.url', /unmatched "\{"/],
      [{ url: 'https://t.example/pb?x=click_id}' }, 'settings.url', /unmatched "\}"/],
      [{ url: 'https://{sub1}/pb' }, 'settings.url', /host/],
      [{ url: 'https://t.example:{sub1}/pb' }, 'settings.url', /host or port/],
      [{ url: '//t.example/pb' }, 'settings.url', /absolute/],
      [{ url: 'javascript://t.example/x' }, 'settings.url', /http or https/],
      [{ url: 'https://user:pw@t.example/pb' }, 'settings.url', /user name or password/],
      [{ url: 'https://t.example/pb', method: 'PUT' }, 'settings.method', /GET or POST/],
      [{ url: 'https://t.example/pb', method: 'POST', bodyFormat: 'xml' }, 'settings.bodyFormat', /form or json/],
      [{ url: 'https://t.example/pb', body: { a: '{click_id}' } }, 'settings.body', /only used with method POST/],
      [{ url: 'https://t.example/pb', method: 'POST', body: { a: '{nope}' } }, 'settings.body.a', /unknown macro/],
      [{ url: 'https://t.example/pb', method: 'POST', body: { a: 1 } }, 'settings.body.a', /template string/],
      [{ url: 'https://t.example/pb', Url: 'x' }, 'settings.Url', /not a setting/],
    ];
    for (const [settings, field, message] of cases) {
      const error = settingsError(settings);
      expect(error.field, JSON.stringify(settings)).to.equal(field);
      expect(error.message).to.match(message);
      expect(error.code).to.equal('ERR_PB_INVALID_SETTINGS');
    }
  });
});
