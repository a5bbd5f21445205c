// Voluum: cid + payout + txid + et (trackers.md 3.1); adjustments are skipped, or sent as correction conversions (opt-in, inferred).

import { defineQueryPlugin, optional } from '../../lib/plugins/query-plugin.js';
import { voluumRecognizer } from './recognize.js';

/** Creates the Voluum plugin. Settings: `baseUrl` (the dedicated tracking domain), `leadEvent`, `commissionEvent`, `correctionEvent`. */
export default function createVoluumPlugin() {
  return defineQueryPlugin({
    name: 'voluum',
    description: 'Voluum: /postback?cid=&payout=&txid=&et=',
    recognize: voluumRecognizer,
    // [doc] same cid+txid is counted once and no update by postback is documented, so by default an adjustment
    // is skipped. [doc] Conversion Upload takes a negative payout with a custom conversion type kept out of the
    // Conversions column; that a postback takes the same is [inferred]: the opt-in `correction` mode.
    adjustments: 'unsupported',
    books: { family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['skip', 'correction'] },
    settings: {
      leadEvent: { doc: 'the custom conversion `et` value for a lead', default: 'lead', guessed: true },
      commissionEvent: { doc: 'the `et` value for a commission; empty sends none (the default conversion)', default: '' },
      correctionEvent: {
        doc: 'the `et` of a correction conversion (adjustment mode correction): a custom conversion with "Include in Conversions column" off',
        default: 'correction',
        guessed: true,
      },
    },
    build(context, settings) {
      const lead = context.event === 'lead_created';
      const event = lead ? settings.leadEvent : context.adjustmentMode === 'correction' ? settings.correctionEvent : settings.commissionEvent;
      return {
        path: '/postback',
        params: [
          ['cid', context.lead.clickId], // [doc] required click ID
          ['payout', context.payout], // [doc] used when the offer tracks payout "Auto"; a correction's is signed [inferred]
          ['txid', context.transactionId], // [doc] unique per cid: a retry is counted once, two commissions twice
          ['currency', context.currency], // [doc] predefined key; ISO 4217 value [inferred]
          ['et', optional(event)], // [doc] custom conversion type
        ],
      };
    },
  });
}
