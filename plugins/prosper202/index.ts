// Prosper202: gpb.php?subid=&amount=&txid= (trackers.md, Prosper202); reports keep the last amount per click, so the net total is sent.

import { defineQueryPlugin, eventKey } from '../../lib/plugins/query-plugin.js';
import { prosper202Recognizer } from './recognize.js';

/** Creates the Prosper202 plugin. Settings: `baseUrl` (the ClickServer's own host). */
export default function createProsper202Plugin() {
  return defineQueryPlugin({
    name: 'prosper202',
    description: 'Prosper202: /tracking202/static/gpb.php?subid=&amount=<click net total>&txid=',
    recognize: prosper202Recognizer,
    // [code] each postback overwrites the click's payout: replace at click level with the running total.
    adjustments: 'replace',
    // [code] amounts are DECIMAL(11,5): 999999.99999 at most, 5 places; a larger total is stored clamped.
    books: { family: 'per-click', dedupe: 'click', maxAmount: '999999.99999', decimals: 5, adjustmentModes: ['replace', 'skip'] },
    settings: {},
    build(context) {
      return {
        path: '/tracking202/static/gpb.php',
        params: [
          ['subid', context.lead.clickId], // [code] Prosper202's integer click id
          ['amount', context.clickNetPayout], // [code] the click's income becomes this amount
          // [code] txid is unique per click: each event needs its own, or an adjustment would be dropped as a repeat.
          ['txid', eventKey(context)],
        ],
      };
    },
  });
}
