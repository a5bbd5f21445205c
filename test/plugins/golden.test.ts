// Golden requests per built-in plugin: a lead, two commissions, an upward and a downward adjustment, a full clawback.

import { expect } from 'chai';
import type { AdjustmentMode } from '../../lib/plugins/capabilities.js';
import { eventScenario, formatDelivery } from '../../lib/testing/index.js';
import { builtinPlugins } from '../../plugins/builtin.js';
import { BUILTIN_FIXTURES } from './builtin-fixtures.js';

// Click ID with a space and an ampersand; C1 = 10, C2 = 2.5, then C1 → 12.75 (+2.75), C1 → 4 (-8.75), C2 → 0.
const FACTS = eventScenario('ab c&1', [{ earn: '10' }, { earn: '2.5' }, { adjust: 0, to: '12.75' }, { adjust: 0, to: '4' }, { adjust: 1, to: '0' }]);

const GOLDEN: Record<string, ReadonlyArray<string | { skip: string }>> = {
  // generic: the template decides; adjustments keep their own {transaction_id} (delta family)
  generic: [
    'https://t.example/pb?cid=ab%20c%261&payout=0&txid=lead-L1',
    'https://t.example/pb?cid=ab%20c%261&payout=10&txid=com-C1',
    'https://t.example/pb?cid=ab%20c%261&payout=2.5&txid=com-C2',
    'https://t.example/pb?cid=ab%20c%261&payout=12.75&txid=adj-A3',
    'https://t.example/pb?cid=ab%20c%261&payout=4&txid=adj-A4',
    'https://t.example/pb?cid=ab%20c%261&payout=0&txid=adj-A5',
  ],
  // the browser pixel: the template decides; only leads are fired from the page, adjustments never
  browser: [
    'https://t.example/px.gif?cid=ab%20c%261&payout=0&txid=lead-L1',
    'https://t.example/px.gif?cid=ab%20c%261&payout=10&txid=com-C1',
    'https://t.example/px.gif?cid=ab%20c%261&payout=2.5&txid=com-C2',
    { skip: 'plugin "browser" cannot send a payout change: its tracker takes none by postback' },
    { skip: 'plugin "browser" cannot send a payout change: its tracker takes none by postback' },
    { skip: 'plugin "browser" cannot send a payout change: its tracker takes none by postback' },
  ],
  // trackers.md 3.1: cid/payout/txid/currency/et [doc]; no adjustment by postback → skipped
  voluum: [
    'https://trk.example.com/postback?cid=ab%20c%261&payout=0&txid=lead-L1&et=lead',
    'https://trk.example.com/postback?cid=ab%20c%261&payout=10&txid=com-C1&currency=EUR',
    'https://trk.example.com/postback?cid=ab%20c%261&payout=2.5&txid=com-C2&currency=EUR',
    { skip: 'the endpoint\'s adjustment mode is skip (plugin "voluum" also supports correction)' },
    { skip: 'the endpoint\'s adjustment mode is skip (plugin "voluum" also supports correction)' },
    { skip: 'the endpoint\'s adjustment mode is skip (plugin "voluum" also supports correction)' },
  ],
  // trackers.md 3.2: clickid/sum/type/rdtk_event_id [doc]; adjustments as new conversions of the delta
  redtrack: [
    'https://trk.example.com/postback?clickid=ab%20c%261&sum=0&type=Lead&rdtk_event_id=lead-L1',
    'https://trk.example.com/postback?clickid=ab%20c%261&sum=10&type=Purchase&rdtk_event_id=com-C1',
    'https://trk.example.com/postback?clickid=ab%20c%261&sum=2.5&type=Purchase&rdtk_event_id=com-C2',
    'https://trk.example.com/postback?clickid=ab%20c%261&sum=2.75&type=Adjustment&rdtk_event_id=adj-A3',
    'https://trk.example.com/postback?clickid=ab%20c%261&sum=-8.75&type=Adjustment&rdtk_event_id=adj-A4',
    'https://trk.example.com/postback?clickid=ab%20c%261&sum=-2.5&type=Adjustment&rdtk_event_id=adj-A5',
  ],
  // trackers.md 3.3: one conversion per click, overwritten [doc] → the running net total each time
  binom: [
    'https://binom.example.com/click.php?cnv_id=ab%20c%261&payout=0&cnv_status=lead',
    'https://binom.example.com/click.php?cnv_id=ab%20c%261&payout=10&cnv_status=sale&cnv_currency=EUR',
    'https://binom.example.com/click.php?cnv_id=ab%20c%261&payout=12.5&cnv_status=sale&cnv_currency=EUR',
    'https://binom.example.com/click.php?cnv_id=ab%20c%261&payout=15.25&cnv_status=sale&cnv_currency=EUR',
    'https://binom.example.com/click.php?cnv_id=ab%20c%261&payout=6.5&cnv_status=sale&cnv_currency=EUR',
    'https://binom.example.com/click.php?cnv_id=ab%20c%261&payout=4&cnv_status=sale&cnv_currency=EUR',
  ],
  // trackers.md 3.4: status lead/sale/rejected on subid+tid [doc]; partial changes skipped
  keitaro: [
    'https://keitaro.example.com/k3y/postback?subid=ab%20c%261&status=lead&payout=0&tid=lead-L1',
    'https://keitaro.example.com/k3y/postback?subid=ab%20c%261&status=sale&payout=10&tid=com-C1&currency=EUR',
    'https://keitaro.example.com/k3y/postback?subid=ab%20c%261&status=sale&payout=2.5&tid=com-C2&currency=EUR',
    { skip: 'plugin "keitaro" can only reject a conversion; a change to 12.75 is not sent' },
    { skip: 'plugin "keitaro" can only reject a conversion; a change to 4 is not sent' },
    'https://keitaro.example.com/k3y/postback?subid=ab%20c%261&status=rejected&payout=0&tid=com-C2&currency=EUR',
  ],
  // trackers.md 3.5: click_id/payout/txid [doc], ct [3rd]; no adjustment by postback
  clickflare: [
    'https://trk.example.com/cf/cv?click_id=ab%20c%261&payout=0&txid=lead-L1&ct=lead',
    'https://trk.example.com/cf/cv?click_id=ab%20c%261&payout=10&txid=com-C1',
    'https://trk.example.com/cf/cv?click_id=ab%20c%261&payout=2.5&txid=com-C2',
    { skip: 'the endpoint\'s adjustment mode is skip (plugin "clickflare" also supports correction)' },
    { skip: 'the endpoint\'s adjustment mode is skip (plugin "clickflare" also supports correction)' },
    { skip: 'the endpoint\'s adjustment mode is skip (plugin "clickflare" also supports correction)' },
  ],
  // trackers.md 3.6: cid/payout/txid/status/cet [doc]; clawback as Declined [inferred update]
  bemob: [
    'https://abc.bemobtrcks.com/postback?cid=ab%20c%261&payout=0&txid=lead-L1&cet=lead',
    'https://abc.bemobtrcks.com/postback?cid=ab%20c%261&payout=10&txid=com-C1&status=approved',
    'https://abc.bemobtrcks.com/postback?cid=ab%20c%261&payout=2.5&txid=com-C2&status=approved',
    { skip: 'plugin "bemob" can only reject a conversion; a change to 12.75 is not sent' },
    { skip: 'plugin "bemob" can only reject a conversion; a change to 4 is not sent' },
    'https://abc.bemobtrcks.com/postback?cid=ab%20c%261&payout=0&txid=com-C2&status=declined',
  ],
  // trackers.md 3.9: no txid → last write wins per cid [doc] → the running net total
  peerclick: [
    'https://pstb.peerclick.com/postback?cid=ab%20c%261&payout=0&status=lead',
    'https://pstb.peerclick.com/postback?cid=ab%20c%261&payout=10&status=sale&currency=EUR',
    'https://pstb.peerclick.com/postback?cid=ab%20c%261&payout=12.5&status=sale&currency=EUR',
    'https://pstb.peerclick.com/postback?cid=ab%20c%261&payout=15.25&status=sale&currency=EUR',
    'https://pstb.peerclick.com/postback?cid=ab%20c%261&payout=6.5&status=sale&currency=EUR',
    'https://pstb.peerclick.com/postback?cid=ab%20c%261&payout=4&status=sale&currency=EUR',
  ],
  // trackers.md 3.8: hit/tx/rev [doc]; leads sent only with leads=send (no type param)
  funnelflux: [
    'https://ff.example.com/pb/?hit=ab%20c%261&tx=lead-L1&rev=0',
    'https://ff.example.com/pb/?hit=ab%20c%261&tx=com-C1&rev=10',
    'https://ff.example.com/pb/?hit=ab%20c%261&tx=com-C2&rev=2.5',
    { skip: 'plugin "funnelflux" cannot send a payout change: its tracker takes none by postback' },
    { skip: 'plugin "funnelflux" cannot send a payout change: its tracker takes none by postback' },
    { skip: 'plugin "funnelflux" cannot send a payout change: its tracker takes none by postback' },
  ],
  // trackers.md 3.10: nid/transaction_id/amount/order_id [doc]; clawback = /reversal?order_id= [doc]
  everflow: [
    'https://www.ef.example.com/?nid=5&transaction_id=ab%20c%261&adv_event_id=7&amount=0&order_id=lead-L1',
    'https://www.ef.example.com/?nid=5&transaction_id=ab%20c%261&amount=10&currency=EUR&order_id=com-C1',
    'https://www.ef.example.com/?nid=5&transaction_id=ab%20c%261&amount=2.5&currency=EUR&order_id=com-C2',
    { skip: 'plugin "everflow" can only reject a conversion; a change to 12.75 is not sent' },
    { skip: 'plugin "everflow" can only reject a conversion; a change to 4 is not sent' },
    'https://www.ef.example.com/reversal?nid=5&order_id=com-C2',
  ],
  // trackers.md 3.11: transaction_id [doc], amount/goal_id [inferred]; conversion_unique_id [doc]
  tune: [
    'https://net.go2cloud.org/aff_lsr?offer_id=12&transaction_id=ab%20c%261&goal_id=3&amount=0&adv_sub=lead-L1&conversion_unique_id=lead-L1',
    'https://net.go2cloud.org/aff_lsr?offer_id=12&transaction_id=ab%20c%261&amount=10&adv_sub=com-C1&conversion_unique_id=com-C1',
    'https://net.go2cloud.org/aff_lsr?offer_id=12&transaction_id=ab%20c%261&amount=2.5&adv_sub=com-C2&conversion_unique_id=com-C2',
    { skip: 'plugin "tune" cannot send a payout change: its tracker takes none by postback' },
    { skip: 'plugin "tune" cannot send a payout change: its tracker takes none by postback' },
    { skip: 'plugin "tune" cannot send a payout change: its tracker takes none by postback' },
  ],
  // trackers.md 3.12: o/e/f=pb/r/t/p [doc]; adjustments API-only
  cake: [
    'https://trk.cake.example.com/p.ashx?o=1001&e=2&f=pb&r=ab%20c%261&t=lead-L1&p=0',
    'https://trk.cake.example.com/p.ashx?o=1001&f=pb&r=ab%20c%261&t=com-C1&p=10',
    'https://trk.cake.example.com/p.ashx?o=1001&f=pb&r=ab%20c%261&t=com-C2&p=2.5',
    { skip: 'plugin "cake" cannot send a payout change: its tracker takes none by postback' },
    { skip: 'plugin "cake" cannot send a payout change: its tracker takes none by postback' },
    { skip: 'plugin "cake" cannot send a payout change: its tracker takes none by postback' },
  ],
  // trackers.md 3.13: clickid/action_id/goal/sum/status [doc]; clawback status=3 only from pending (status=2)
  affise: [
    'https://offers-net.affise.com/postback?clickid=ab%20c%261&action_id=lead-L1&goal=lead&sum=0',
    'https://offers-net.affise.com/postback?clickid=ab%20c%261&action_id=com-C1&sum=10&status=2',
    'https://offers-net.affise.com/postback?clickid=ab%20c%261&action_id=com-C2&sum=2.5&status=2',
    { skip: 'plugin "affise" can only reject a conversion; a change to 12.75 is not sent' },
    { skip: 'plugin "affise" can only reject a conversion; a change to 4 is not sent' },
    'https://offers-net.affise.com/postback?clickid=ab%20c%261&action_id=com-C2&sum=0&status=3',
  ],
  // trackers.md 3.14: /track/conv, /track/conv-change [doc]; the transaction param's name is in no doc: none by
  // default, so no change is sent (it could change another commission); with the network's name, changes go
  scaleo: [
    'https://ws.scaletrk.com/track/conv?click_id=ab%20c%261&token=t0k&goal_alias=lead&payout=0',
    'https://ws.scaletrk.com/track/conv?click_id=ab%20c%261&token=t0k&payout=10&currency=EUR&conv_status=approved',
    'https://ws.scaletrk.com/track/conv?click_id=ab%20c%261&token=t0k&payout=2.5&currency=EUR&conv_status=approved',
    { skip: 'plugin "scaleo" cannot send a payout change: its tracker takes none by postback' },
    { skip: 'plugin "scaleo" cannot send a payout change: its tracker takes none by postback' },
    { skip: 'plugin "scaleo" cannot send a payout change: its tracker takes none by postback' },
  ],
  // trackers.md 3.15: click_id/txn_id/revenue/status [doc]; status update on a repeat txn_id unknown
  trackier: [
    'https://net.vnative.co/acquisition?click_id=ab%20c%261&txn_id=lead-L1&goal_value=lead&revenue=0',
    'https://net.vnative.co/acquisition?click_id=ab%20c%261&txn_id=com-C1&revenue=10&currency=EUR&status=approved',
    'https://net.vnative.co/acquisition?click_id=ab%20c%261&txn_id=com-C2&revenue=2.5&currency=EUR&status=approved',
    { skip: 'plugin "trackier" can only reject a conversion; a change to 12.75 is not sent' },
    { skip: 'plugin "trackier" can only reject a conversion; a change to 4 is not sent' },
    'https://net.vnative.co/acquisition?click_id=ab%20c%261&txn_id=com-C2&revenue=0&currency=EUR&status=rejected',
  ],
  // trackers.md Prosper202 [code]: last amount per click wins → running total; txid per event (deduped per click)
  prosper202: [
    'https://p202.example.com/tracking202/static/gpb.php?subid=ab%20c%261&amount=0&txid=lead-L1',
    'https://p202.example.com/tracking202/static/gpb.php?subid=ab%20c%261&amount=10&txid=com-C1',
    'https://p202.example.com/tracking202/static/gpb.php?subid=ab%20c%261&amount=12.5&txid=com-C2',
    'https://p202.example.com/tracking202/static/gpb.php?subid=ab%20c%261&amount=15.25&txid=adj-A3',
    'https://p202.example.com/tracking202/static/gpb.php?subid=ab%20c%261&amount=6.5&txid=adj-A4',
    'https://p202.example.com/tracking202/static/gpb.php?subid=ab%20c%261&amount=4&txid=adj-A5',
  ],
};

// Endpoint settings and adjustment modes other than the defaults, each with its expected requests for FACTS.
const VARIANTS: ReadonlyArray<{ label: string; plugin: string; settings: Record<string, unknown>; mode: AdjustmentMode; expected: ReadonlyArray<string | { skip: string }> }> = [
  {
    // [doc] Conversion Upload's negative-payout correction with a custom type; by postback [inferred]
    label: 'voluum (correction)',
    plugin: 'voluum',
    settings: { baseUrl: 'https://trk.example.com' },
    mode: 'correction',
    expected: [
      'https://trk.example.com/postback?cid=ab%20c%261&payout=0&txid=lead-L1&et=lead',
      'https://trk.example.com/postback?cid=ab%20c%261&payout=10&txid=com-C1&currency=EUR',
      'https://trk.example.com/postback?cid=ab%20c%261&payout=2.5&txid=com-C2&currency=EUR',
      'https://trk.example.com/postback?cid=ab%20c%261&payout=2.75&txid=adj-A3&currency=EUR&et=correction',
      'https://trk.example.com/postback?cid=ab%20c%261&payout=-8.75&txid=adj-A4&currency=EUR&et=correction',
      'https://trk.example.com/postback?cid=ab%20c%261&payout=-2.5&txid=adj-A5&currency=EUR&et=correction',
    ],
  },
  {
    label: 'scaleo (transaction param from the network)',
    plugin: 'scaleo',
    settings: { baseUrl: 'https://ws.scaletrk.com', token: 't0k', transactionParam: 'adv_order_id' },
    mode: 'replace',
    expected: [
      'https://ws.scaletrk.com/track/conv?click_id=ab%20c%261&token=t0k&goal_alias=lead&payout=0&adv_order_id=lead-L1',
      'https://ws.scaletrk.com/track/conv?click_id=ab%20c%261&token=t0k&payout=10&currency=EUR&adv_order_id=com-C1&conv_status=approved',
      'https://ws.scaletrk.com/track/conv?click_id=ab%20c%261&token=t0k&payout=2.5&currency=EUR&adv_order_id=com-C2&conv_status=approved',
      'https://ws.scaletrk.com/track/conv-change?click_id=ab%20c%261&token=t0k&payout=12.75&currency=EUR&adv_order_id=com-C1&conv_status=approved',
      'https://ws.scaletrk.com/track/conv-change?click_id=ab%20c%261&token=t0k&payout=4&currency=EUR&adv_order_id=com-C1&conv_status=approved',
      'https://ws.scaletrk.com/track/conv-change?click_id=ab%20c%261&token=t0k&payout=0&currency=EUR&adv_order_id=com-C2&conv_status=rejected',
    ],
  },
  {
    // [blog, inferred] the same subid+tid changes one conversion's data
    label: 'keitaro (replace)',
    plugin: 'keitaro',
    settings: { baseUrl: 'https://keitaro.example.com', postbackKey: 'k3y' },
    mode: 'replace',
    expected: [
      'https://keitaro.example.com/k3y/postback?subid=ab%20c%261&status=lead&payout=0&tid=lead-L1',
      'https://keitaro.example.com/k3y/postback?subid=ab%20c%261&status=sale&payout=10&tid=com-C1&currency=EUR',
      'https://keitaro.example.com/k3y/postback?subid=ab%20c%261&status=sale&payout=2.5&tid=com-C2&currency=EUR',
      'https://keitaro.example.com/k3y/postback?subid=ab%20c%261&status=sale&payout=12.75&tid=com-C1&currency=EUR',
      'https://keitaro.example.com/k3y/postback?subid=ab%20c%261&status=sale&payout=4&tid=com-C1&currency=EUR',
      'https://keitaro.example.com/k3y/postback?subid=ab%20c%261&status=sale&payout=0&tid=com-C2&currency=EUR',
    ],
  },
];

describe('golden requests', () => {
  for (const variant of VARIANTS) {
    it(`${variant.label}: lead, two commissions, up, down, clawback`, () => {
      const plugin = builtinPlugins().find((candidate) => candidate.name === variant.plugin);
      if (!plugin) throw new Error(`no plugin ${variant.plugin}`);
      const settings = plugin.parseSettings(variant.settings);
      const produced = FACTS.map((facts) => {
        const result = formatDelivery(plugin, facts, settings, variant.mode);
        return 'skip' in result ? result : result.url;
      });
      expect(produced).to.deep.equal(variant.expected);
    });
  }

  for (const plugin of builtinPlugins()) {
    it(`${plugin.name}: lead, two commissions, up, down, clawback`, () => {
      const settings = plugin.parseSettings(BUILTIN_FIXTURES[plugin.name]?.settings ?? {});
      const produced = FACTS.map((facts) => {
        const result = formatDelivery(plugin, facts, settings);
        return 'skip' in result ? result : result.url;
      });
      expect(produced).to.deep.equal(GOLDEN[plugin.name]);
    });
  }
});
