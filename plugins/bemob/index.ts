// BeMob: cid + payout + txid + status + cet (trackers.md 3.6); a full clawback is sent as the Declined status.

import { defineQueryPlugin, optional } from '../../lib/plugins/query-plugin.js';
import { bemobRecognizer } from './recognize.js';

/** Creates the BeMob plugin. Settings: `baseUrl`, `leadEvent`, `approvedStatus`, `declinedStatus`. */
export default function createBeMobPlugin() {
  return defineQueryPlugin({
    name: 'bemob',
    description: 'BeMob: /postback?cid=&payout=&txid=&status=&cet=',
    recognize: bemobRecognizer,
    // [doc] statuses New/Approved/Declined/Chargeback; that a repeat cid+txid changes the status is [inferred].
    adjustments: 'status',
    books: { family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['status', 'skip'] },
    settings: {
      leadEvent: { doc: 'the custom conversion event `cet` of a lead', default: 'lead', guessed: true },
      approvedStatus: { doc: 'the `status` value mapped to Approved', default: 'approved', guessed: true },
      declinedStatus: { doc: 'the `status` value mapped to Declined', default: 'declined', guessed: true },
    },
    build(context, settings) {
      const lead = context.event === 'lead_created';
      const status = lead ? null : context.event === 'commission_earned' ? settings.approvedStatus : settings.declinedStatus;
      return {
        path: '/postback',
        params: [
          ['cid', context.lead.clickId], // [doc]
          ['payout', context.payout], // [doc]
          ['txid', context.transactionId], // [doc] prevents duplicates; the clawback reuses the commission's
          ['status', status], // [doc] needs "Use conversion statuses" on the affiliate network
          ['cet', lead ? optional(settings.leadEvent) : null], // [doc] custom conversion event
        ],
      };
    },
  });
}
