// Affise: clickid + action_id + goal + sum + status (trackers.md 3.13); a clawback only reaches a pending conversion.

import { defineQueryPlugin, optional } from '../../lib/plugins/query-plugin.js';
import { affiseRecognizer } from './recognize.js';

const DECLINED = '3';
const PENDING = '2';

/** Creates the Affise plugin. Settings: `baseUrl`, `secure`, `leadGoal`, `commissionGoal`, `commissionStatus`. */
export default function createAffisePlugin() {
  return defineQueryPlugin({
    name: 'affise',
    description: 'Affise: /postback?clickid=&action_id=&goal=&sum=&status=',
    recognize: affiseRecognizer,
    // [doc] a repeat postback changes the status only while the conversion is pending: with approved
    // commissions a clawback could not apply, so it is skipped (and says so) instead of sent for nothing.
    adjustments: 'status',
    books: (settings) => ({ family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: settings.commissionStatus === PENDING ? ['status', 'skip'] : ['skip'] }),
    settings: {
      secure: { doc: 'the `secure` hash password, when the offer has one', default: '' },
      leadGoal: { doc: 'the `goal` of a lead', default: 'lead', guessed: true },
      commissionGoal: { doc: 'the `goal` of a commission; empty uses the default goal', default: '' },
      commissionStatus: { doc: 'the `status` of a commission: 1 approved, 2 pending (needed for clawbacks), 5 hold', default: '1', oneOf: ['1', '2', '5'] },
    },
    build(context, settings) {
      const lead = context.event === 'lead_created';
      const clawback = context.event === 'commission_adjusted';
      return {
        path: '/postback',
        params: [
          ['clickid', context.lead.clickId], // [doc]
          ['action_id', context.transactionId], // [doc] unique per (goal, action_id, offer)
          ['goal', optional(lead ? settings.leadGoal : settings.commissionGoal)], // [doc]
          ['sum', context.payout], // [doc]
          ['status', lead ? null : clawback ? DECLINED : settings.commissionStatus], // [doc] 1/2/3/5
          ['secure', optional(settings.secure)], // [doc]
        ],
      };
    },
  });
}
