// ClickFlare: /cf/cv with click_id + payout + txid + ct (trackers.md 3.5); adjustments skipped, or correction conversions (opt-in, inferred).

import { defineQueryPlugin, optional } from '../../lib/plugins/query-plugin.js';
import { clickflareRecognizer } from './recognize.js';

/** Creates the ClickFlare plugin. Settings: `baseUrl`, `leadType`, `commissionType`, `correctionType`. */
export default function createClickFlarePlugin() {
  return defineQueryPlugin({
    name: 'clickflare',
    description: 'ClickFlare: /cf/cv?click_id=&payout=&txid=&ct=',
    recognize: clickflareRecognizer,
    // [doc] only the manual Conversion Upload changes a conversion, by "the same logic as receiving a postback";
    // repeat-txid behaviour is unknown. A correction conversion (own txid, signed payout, own type) is [inferred].
    adjustments: 'unsupported',
    books: { family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['skip', 'correction'] },
    settings: {
      leadType: { doc: 'the conversion type `ct` of a lead', default: 'lead', guessed: true },
      commissionType: { doc: 'the `ct` of a commission; empty sends none', default: '' },
      correctionType: { doc: 'the `ct` of a correction conversion (adjustment mode correction)', default: 'correction', guessed: true },
    },
    build(context, settings) {
      const type = context.event === 'lead_created' ? settings.leadType : context.adjustmentMode === 'correction' ? settings.correctionType : settings.commissionType;
      return {
        path: '/cf/cv',
        params: [
          ['click_id', context.lead.clickId], // [doc]
          ['payout', context.payout], // [doc] "Auto" payout offers
          ['txid', context.transactionId], // [doc] distinguishes conversions of one click
          ['ct', optional(type)], // [3rd] conversion type parameter name
        ],
      };
    },
  });
}
