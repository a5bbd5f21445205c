// RedTrack: clickid + sum + type + rdtk_event_id (trackers.md 3.2); an adjustment goes as its own conversion of the difference.

import { defineQueryPlugin } from '../../lib/plugins/query-plugin.js';
import { redtrackRecognizer } from './recognize.js';

/** Creates the RedTrack plugin. Settings: `baseUrl`, `leadType`, `commissionType`, `adjustmentType`. */
export default function createRedTrackPlugin() {
  return defineQueryPlugin({
    name: 'redtrack',
    description: 'RedTrack: /postback?clickid=&sum=&type=&rdtk_event_id=',
    recognize: redtrackRecognizer,
    // [doc] "Create new conversion" or "ignore duplicates by event id" per type: each adjustment is a new
    // conversion of its own type carrying the delta. A negative `sum` is unknown: a declared limitation.
    adjustments: 'delta',
    books: { family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['delta', 'skip'] },
    settings: {
      leadType: { doc: 'the conversion type for a lead (case-sensitive)', default: 'Lead' },
      commissionType: { doc: 'the conversion type for a commission', default: 'Purchase', guessed: true },
      adjustmentType: { doc: 'the conversion type for an adjustment (mode "Create new conversion")', default: 'Adjustment', guessed: true },
    },
    build(context, settings) {
      const type = { lead_created: settings.leadType, commission_earned: settings.commissionType, commission_adjusted: settings.adjustmentType }[context.event];
      return {
        path: '/postback',
        params: [
          ['clickid', context.lead.clickId], // [doc]
          ['sum', context.delta], // [doc] payout; for an adjustment the difference (delta family)
          ['type', type], // [doc] must match a conversion type exactly
          ['rdtk_event_id', context.transactionId], // [doc] dedup key for "ignore duplicate postbacks by event id"
        ],
      };
    },
  });
}
