// Paste to configure: the postback URL templates each tracker documents (shared/trackers.md) map to its plugin and settings.

import { expect } from 'chai';
import { builtinPlugins } from '../../plugins/builtin.js';
import { ValidationError } from '../../lib/errors.js';
import { parsePastedUrl, recognizePostbackUrl } from '../../lib/plugins/recognize.js';

const plugins = builtinPlugins();

// Each tracker's documented template, with a real-looking domain where the docs write <domain>.
const DOCUMENTED: ReadonlyArray<{ tracker: string; url: string; plugin: string; settings: Record<string, unknown> }> = [
  { tracker: 'Voluum default template', url: 'https://trk.example.com/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL', plugin: 'voluum', settings: { baseUrl: 'https://trk.example.com' } },
  { tracker: 'Voluum full shape', url: 'https://trk.example.com/postback?cid={clickid}&payout={payout}&txid={txid}&currency={currency}&et={type}', plugin: 'voluum', settings: { baseUrl: 'https://trk.example.com' } },
  { tracker: 'RedTrack offer-source template', url: 'https://go.example.net/postback?clickid={replace_me}&sum={replace_or_remove}', plugin: 'redtrack', settings: { baseUrl: 'https://go.example.net' } },
  { tracker: 'RedTrack service domain', url: 'https://acme.rdtk.io/postback?clickid={clickid}&sum={payout}&type={ConversionType}', plugin: 'redtrack', settings: { baseUrl: 'https://acme.rdtk.io' } },
  { tracker: 'Binom v1', url: 'https://binom.example.org/click.php?cnv_id={clickid}&payout={payout}&cnv_status={status}', plugin: 'binom', settings: { baseUrl: 'https://binom.example.org', path: '/click.php' } },
  { tracker: 'Binom v2 in a subfolder', url: 'https://example.org/binom/click?cnv_id={clickid}&payout={payout}', plugin: 'binom', settings: { baseUrl: 'https://example.org/binom', path: '/click' } },
  { tracker: 'Keitaro', url: 'https://kt.example.com/a1b2c3d/postback?subid={subid}&status={status}&payout={payout}&tid={txid}&currency={cur}', plugin: 'keitaro', settings: { baseUrl: 'https://kt.example.com', postbackKey: 'a1b2c3d' } },
  { tracker: 'ClickFlare', url: 'https://cf.example.com/cf/cv?click_id=REPLACE&payout=OPTIONAL&txid=OPTIONAL', plugin: 'clickflare', settings: { baseUrl: 'https://cf.example.com' } },
  { tracker: 'BeMob default template', url: 'https://a1b2.bemobtrcks.com/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL&status=OPTIONAL', plugin: 'bemob', settings: { baseUrl: 'https://a1b2.bemobtrcks.com' } },
  { tracker: 'PeerClick', url: 'https://pstb.peerclick.com/postback?cid={clickid}&payout={payout}&status={type}&txid={txid}&currency={cur}', plugin: 'peerclick', settings: { baseUrl: 'https://pstb.peerclick.com' } },
  { tracker: 'FunnelFlux Pro', url: 'https://ff.example.com/pb/?hit={hit}&tx={txid}&rev={payout}', plugin: 'funnelflux', settings: { baseUrl: 'https://ff.example.com' } },
  { tracker: 'Everflow', url: 'https://www.serve-eflow-test.com/?nid=5&transaction_id={clickid}&amount={sale_amount}&currency={cur}', plugin: 'everflow', settings: { baseUrl: 'https://www.serve-eflow-test.com', networkId: '5' } },
  { tracker: 'TUNE', url: 'https://demo.go2cloud.org/aff_lsr?offer_id=12&transaction_id={clickid}', plugin: 'tune', settings: { baseUrl: 'https://demo.go2cloud.org', offerId: '12' } },
  { tracker: 'CAKE', url: 'http://demotrk.cakemarketing.com/p.ashx?o=1001083&e=7&f=pb&r={request_session_id}&t={transaction_id}', plugin: 'cake', settings: { baseUrl: 'http://demotrk.cakemarketing.com', offerId: '1001083', leadEventId: '7' } },
  { tracker: 'Affise', url: 'https://offers-acme.affise.com/postback?clickid={clickid}&action_id={txid}&goal={goal}&sum={revenue}&status={status}&secure=s3cr3t', plugin: 'affise', settings: { baseUrl: 'https://offers-acme.affise.com', secure: 's3cr3t' } },
  { tracker: 'Scaleo', url: 'https://acme.scaletrk.com/track/conv?click_id={clickid}&token=tok123&goal_id={id}&conv_status={status}', plugin: 'scaleo', settings: { baseUrl: 'https://acme.scaletrk.com', token: 'tok123' } },
  { tracker: 'Trackier', url: 'https://acme.vnative.co/acquisition?click_id={clickid}&txn_id={txid}', plugin: 'trackier', settings: { baseUrl: 'https://acme.vnative.co' } },
  { tracker: 'Prosper202', url: 'https://p202.example.com/tracking202/static/gpb.php?subid={click_id}&amount={payout}&txid={txid}', plugin: 'prosper202', settings: { baseUrl: 'https://p202.example.com' } },
];

describe('recognising a pasted postback URL', () => {
  for (const { tracker, url, plugin, settings } of DOCUMENTED) {
    it(`maps the documented ${tracker} template to the ${plugin} plugin and its settings`, () => {
      const found = recognizePostbackUrl(plugins, url);
      expect(found).to.include({ plugin });
      expect(found?.settings).to.deep.equal(settings);
    });
  }

  it('maps an unknown tracker to the generic plugin, each placeholder to the macro it means, fixed values kept', () => {
    const found = recognizePostbackUrl(plugins, 'https://kintura.example.io/conversion?cid={kintura_cid}&payout=OPTIONAL&txid=[unique_id]&src=relay&foo={bar}');
    expect(found?.plugin).to.equal('generic');
    expect(found?.settings).to.deep.equal({ url: 'https://kintura.example.io/conversion?cid={click_id}&payout={payout}&txid={transaction_id}&src=relay' });
    expect(found?.notes.join(' ')).to.include('foo={bar}');
  });

  it('leaves a URL unrecognised when the generic plugin is not among those offered', () => {
    const withoutGeneric = plugins.filter((plugin) => plugin.name !== 'generic');
    expect(recognizePostbackUrl(withoutGeneric, 'https://unknown.example.com/hook?click={clickid}')).to.equal(null);
  });

  it('falls back to a weaker match when the stronger one lacks a required setting (Everflow without a fixed nid)', () => {
    const found = recognizePostbackUrl(plugins, 'https://ef.example.com/?nid={network_id}&transaction_id={clickid}&amount={sale_amount}');
    expect(found?.plugin).to.equal('generic');
    // The placeholder's own name ({clickid}) decides over the parameter's.
    expect(found?.settings).to.deep.equal({ url: 'https://ef.example.com/?transaction_id={click_id}&amount={payout}' });
  });

  it('refuses what is not an http(s) URL, or still has <domain> in it, as a validation error on url', () => {
    for (const bad of ['', 'not a url', 'ftp://trk.example.com/postback?cid=REPLACE', 'https://<domain>/postback?cid=REPLACE', 42]) {
      expect(() => parsePastedUrl(bad), String(bad)).to.throw(ValidationError).with.property('field', 'url');
    }
  });
});
