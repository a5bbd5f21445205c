// Scaleo: /track/conv to add, /track/conv-change to set a new payout or status (trackers.md 3.14).

import { signOf } from '../../lib/money.js';
import { defineQueryPlugin, optional } from '../../lib/plugins/query-plugin.js';
import { scaleoRecognizer } from './recognize.js';

/** Creates the Scaleo plugin. Settings: `baseUrl`, `token` (required), `leadGoal`, `commissionGoal`, `amountParam`, `transactionParam`. */
export default function createScaleoPlugin() {
  return defineQueryPlugin({
    name: 'scaleo',
    description: 'Scaleo: /track/conv and /track/conv-change?click_id=&token=&goal_alias=&payout=&conv_status=',
    recognize: scaleoRecognizer,
    // [doc] conv-change changes the conversion named by its transaction ID: the new absolute payout replaces.
    // The transaction-ID parameter's name is in no doc we found, so it has no default: without it conv-change
    // would change the click's *last* conversion of the goal [doc], possibly another commission, and /track/conv
    // has no key to tell a retry from a new conversion.
    adjustments: 'replace',
    books: (settings) =>
      settings.transactionParam === ''
        ? { family: 'per-txid', dedupe: 'none', maxAmount: null, decimals: null, adjustmentModes: ['skip'] }
        : { family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['replace', 'skip'] },
    settings: {
      token: { doc: 'the Advertiser Security Token `token`' },
      leadGoal: { doc: 'the `goal_alias` of a lead', default: 'lead', guessed: true },
      commissionGoal: { doc: 'the `goal_alias` of a commission; empty uses the default goal', default: '' },
      amountParam: { doc: 'the amount parameter: payout, amount or revenue', default: 'payout', guessed: true, oneOf: ['payout', 'amount', 'revenue'] },
      transactionParam: { doc: 'the transaction-ID parameter name, as your Scaleo network confirms it (in no public doc); empty sends none and skips adjustments', default: '' },
    },
    build(context, settings) {
      const lead = context.event === 'lead_created';
      const change = context.event === 'commission_adjusted';
      return {
        path: change ? '/track/conv-change' : '/track/conv',
        params: [
          ['click_id', context.lead.clickId], // [doc]
          ['token', settings.token], // [doc] required on every call
          ['goal_alias', optional(lead ? settings.leadGoal : settings.commissionGoal)], // [doc]
          [settings.amountParam, context.payout], // [doc, API body]
          ['currency', context.currency], // [3rd]
          [settings.transactionParam, optional(settings.transactionParam) && context.transactionId], // name from the network; the change names the commission
          ['conv_status', lead ? null : signOf(context.payout) === 0 && change ? 'rejected' : 'approved'], // [doc]
        ],
      };
    },
  });
}
