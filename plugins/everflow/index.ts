// Everflow as the receiving network: nid + transaction_id + amount + order_id (trackers.md 3.10); a full clawback is a reversal by order_id.

import { defineQueryPlugin, optional } from '../../lib/plugins/query-plugin.js';
import { everflowRecognizer } from './recognize.js';

/** Creates the Everflow plugin. Settings: `baseUrl`, `networkId` (required), `leadEventId`, `verificationToken`. */
export default function createEverflowPlugin() {
  return defineQueryPlugin({
    name: 'everflow',
    description: 'Everflow: /?nid=&transaction_id=&amount=&order_id=, /reversal?order_id=',
    recognize: everflowRecognizer,
    // [doc] payout changes are API-only; the reversal postback cancels conversions by order_id.
    adjustments: 'status',
    books: { family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['status', 'skip'] },
    settings: {
      networkId: { doc: 'the network ID `nid`' },
      leadEventId: { doc: 'the `adv_event_id` of a lead event; empty skips leads (the base conversion is kept for commissions)', default: '' },
      verificationToken: { doc: 'the postback `verification_token`, when the network uses one', default: '' },
    },
    build(context, settings) {
      const token: readonly [string, string | null] = ['verification_token', optional(settings.verificationToken)]; // [doc] also on reversals
      if (context.event === 'commission_adjusted') {
        // [doc] order_id reverses every conversion with that order ID: ours is unique per commission.
        return { path: '/reversal', params: [['nid', settings.networkId], ['order_id', context.transactionId], token] };
      }
      const lead = context.event === 'lead_created';
      if (lead && settings.leadEventId === '') return { skip: 'no leadEventId set: Everflow takes a lead only as an event' };
      return {
        path: '/',
        params: [
          ['nid', settings.networkId], // [doc] required
          ['transaction_id', context.lead.clickId], // [doc] Everflow's click ID
          ['adv_event_id', lead ? settings.leadEventId : null], // [doc] post-conversion event
          ['amount', context.payout], // [doc] the sale amount; Everflow computes payout from the offer
          ['currency', context.currency], // [doc]
          ['order_id', context.transactionId], // [doc] dedup with "Allow Duplicate Conversion"
          token,
        ],
      };
    },
  });
}
