// Trackier: /acquisition?click_id=&txn_id=&revenue=&status= (trackers.md 3.15); a full clawback is sent as `rejected`.

import { defineQueryPlugin, optional } from '../../lib/plugins/query-plugin.js';
import { trackierRecognizer } from './recognize.js';

/** Creates the Trackier plugin. Settings: `baseUrl`, `leadGoal`, `commissionGoal`, `securityToken`, `securityTokenParam`. */
export default function createTrackierPlugin() {
  return defineQueryPlugin({
    name: 'trackier',
    description: 'Trackier: /acquisition?click_id=&txn_id=&revenue=&goal_value=&status=',
    recognize: trackierRecognizer,
    // [doc] a status param exists; that a repeat txn_id updates the conversion is unknown (declared).
    adjustments: 'status',
    books: { family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['status', 'skip'] },
    settings: {
      leadGoal: { doc: 'the `goal_value` of a lead', default: 'lead', guessed: true },
      commissionGoal: { doc: 'the `goal_value` of a commission; empty uses the default goal', default: '' },
      securityToken: { doc: 'the security token, when the network requires one', default: '' },
      securityTokenParam: { doc: 'the security token parameter name (unknown in the docs)', default: 'security_token', guessed: true },
    },
    build(context, settings) {
      const lead = context.event === 'lead_created';
      return {
        path: '/acquisition',
        params: [
          ['click_id', context.lead.clickId], // [doc]
          ['txn_id', context.transactionId], // [doc] "Yes with Txn ID" dedups on click ID + txn ID
          ['goal_value', optional(lead ? settings.leadGoal : settings.commissionGoal)], // [doc]
          ['revenue', context.payout], // [doc] dynamic payout
          ['currency', context.currency], // [doc]
          ['status', lead ? null : context.event === 'commission_adjusted' ? 'rejected' : 'approved'], // [doc]
          [settings.securityTokenParam, optional(settings.securityToken)], // name unknown
        ],
      };
    },
  });
}
