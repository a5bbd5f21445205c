// CAKE: /p.ashx?o=&e=&f=pb&r=&t=&p= (trackers.md 3.12); adjustments are API-only.

import { defineQueryPlugin, optional } from '../../lib/plugins/query-plugin.js';
import { cakeRecognizer } from './recognize.js';

/** Creates the CAKE plugin. Settings: `baseUrl`, `offerId` (required), `leadEventId`, `commissionEventId`, `amountParam`. */
export default function createCakePlugin() {
  return defineQueryPlugin({
    name: 'cake',
    description: 'CAKE: /p.ashx?o=&e=&f=pb&r=&t=&p=',
    recognize: cakeRecognizer,
    // [doc] UpdateConversion needs an admin or advertiser API key: out of scope for a postback.
    adjustments: 'unsupported',
    books: { family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['skip'] },
    settings: {
      offerId: { doc: 'the offer ID `o`' },
      leadEventId: { doc: 'the event ID `e` of a lead; empty skips leads', default: '' },
      commissionEventId: { doc: 'the event ID `e` of a commission; empty is the base conversion', default: '' },
      amountParam: { doc: 'where the amount goes: `p` (received) or `ap` (affiliate payout)', default: 'p', guessed: true, oneOf: ['p', 'ap'] },
    },
    build(context, settings) {
      const lead = context.event === 'lead_created';
      if (lead && settings.leadEventId === '') return { skip: 'no leadEventId set: a lead would count as the base conversion' };
      return {
        path: '/p.ashx',
        params: [
          ['o', settings.offerId], // [doc]
          ['e', optional(lead ? settings.leadEventId : settings.commissionEventId)], // [doc] event ID
          ['f', 'pb'], // [doc] postback format
          ['r', context.lead.clickId], // [doc] Request Session ID
          ['t', context.transactionId], // [doc] dedup with "Allow Duplicates"
          [settings.amountParam, context.payout], // [doc] overrides the received amount (or the affiliate payout)
        ],
      };
    },
  });
}
