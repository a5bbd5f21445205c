// Binom: one conversion per click whose payout each postback overwrites (trackers.md 3.3), so every postback carries the click's net total.

import { clickStatus, defineQueryPlugin } from '../../lib/plugins/query-plugin.js';
import { binomRecognizer } from './recognize.js';

/** Creates the Binom plugin. Settings: `baseUrl`, `path`, `upsell`, `leadStatus`, `saleStatus`, `rejectedStatus`. */
export default function createBinomPlugin() {
  return defineQueryPlugin({
    name: 'binom',
    description: 'Binom: /click.php?cnv_id=&payout=<click net total>&cnv_status=',
    recognize: binomRecognizer,
    // [doc] without "Upsell" a repeat postback overwrites the click's payout: sending the running net total
    // (replace at click level) keeps the books right. With Upsell each payout is added, so the change is sent.
    adjustments: 'replace',
    // [doc] no txid: a repeat overwrites the click (a retry is harmless), but with Upsell it adds (a retry counts twice).
    books: (settings) =>
      settings.upsell === 'on'
        ? { family: 'per-click', dedupe: 'none', maxAmount: null, decimals: null, adjustmentModes: ['delta', 'skip'] }
        : { family: 'per-click', dedupe: 'click', maxAmount: null, decimals: null, adjustmentModes: ['replace', 'skip'] },
    settings: {
      path: { doc: 'the postback path: /click.php (v1) or /click (v2)', default: '/click.php', oneOf: ['/click.php', '/click'] },
      upsell: { doc: 'whether the offer has Binom\'s Upsell box ticked (payouts add up): on sends each change, off the total', default: 'off', oneOf: ['off', 'on'] },
      leadStatus: { doc: 'the `cnv_status` of a lead', default: 'lead' },
      saleStatus: { doc: 'the `cnv_status` of a click with a commission', default: 'sale' },
      rejectedStatus: { doc: 'the `cnv_status` once every commission is clawed back', default: 'rejected', guessed: true },
    },
    build(context, settings) {
      const status = clickStatus(context, { lead: settings.leadStatus, sale: settings.saleStatus, rejected: settings.rejectedStatus });
      return {
        path: settings.path,
        params: [
          ['cnv_id', context.lead.clickId], // [doc] the click ID
          // [doc] overwrites the click's payout ("Auto" offers), or adds to it with Upsell (a negative change: unknown)
          ['payout', settings.upsell === 'on' ? context.delta : context.clickNetPayout],
          ['cnv_status', status], // [doc] free text counted by the status scheme
          ['cnv_currency', context.currency], // [doc]
        ],
      };
    },
  });
}
