// ClickFlare: /cf/cv with click_id + payout + txid + ct (trackers.md 3.5); no adjustment by postback.

import { defineQueryPlugin, optional } from '../../lib/plugins/query-plugin.js';
import { clickflareRecognizer } from './recognize.js';

/** Creates the ClickFlare plugin. Settings: `baseUrl`, `leadType`, `commissionType`. */
export default function createClickFlarePlugin() {
  return defineQueryPlugin({
    name: 'clickflare',
    description: 'ClickFlare: /cf/cv?click_id=&payout=&txid=&ct=',
    recognize: clickflareRecognizer,
    // [doc] only the manual Conversion Upload changes a conversion; repeat-txid behaviour is unknown.
    adjustments: 'unsupported',
    settings: {
      leadType: { doc: 'the conversion type `ct` of a lead', default: 'lead', guessed: true },
      commissionType: { doc: 'the `ct` of a commission; empty sends none', default: '' },
    },
    build(context, settings) {
      const type = context.event === 'lead_created' ? settings.leadType : settings.commissionType;
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
