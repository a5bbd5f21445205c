// Voluum: cid + payout + txid + et (trackers.md 3.1); no payout change by postback, so adjustments are skipped.

import { defineQueryPlugin, optional } from '../../lib/plugins/query-plugin.js';
import { voluumRecognizer } from './recognize.js';

/** Creates the Voluum plugin. Settings: `baseUrl` (the dedicated tracking domain), `leadEvent`, `commissionEvent`. */
export default function createVoluumPlugin() {
  return defineQueryPlugin({
    name: 'voluum',
    description: 'Voluum: /postback?cid=&payout=&txid=&et=',
    recognize: voluumRecognizer,
    // [doc] same cid+txid is counted once and no update by postback is documented; the negative-payout
    // workaround is [inferred, untested], so an adjustment is skipped rather than sent wrong.
    adjustments: 'unsupported',
    settings: {
      leadEvent: { doc: 'the custom conversion `et` value for a lead', default: 'lead', guessed: true },
      commissionEvent: { doc: 'the `et` value for a commission; empty sends none (the default conversion)', default: '' },
    },
    build(context, settings) {
      const lead = context.event === 'lead_created';
      return {
        path: '/postback',
        params: [
          ['cid', context.lead.clickId], // [doc] required click ID
          ['payout', context.payout], // [doc] used when the offer tracks payout "Auto"
          ['txid', context.transactionId], // [doc] unique per cid: a retry is counted once, two commissions twice
          ['currency', context.currency], // [doc] predefined key; ISO 4217 value [inferred]
          ['et', optional(lead ? settings.leadEvent : settings.commissionEvent)], // [doc] custom conversion type
        ],
      };
    },
  });
}
