// FunnelFlux Pro: /pb/?hit=&tx=&rev= (trackers.md 3.8); no event param and no adjustment by postback.

import { defineQueryPlugin } from '../../lib/plugins/query-plugin.js';
import { funnelfluxRecognizer } from './recognize.js';

/** Creates the FunnelFlux plugin. Settings: `baseUrl`, `leads` (`skip` or `send`). */
export default function createFunnelFluxPlugin() {
  return defineQueryPlugin({
    name: 'funnelflux',
    description: 'FunnelFlux Pro: /pb/?hit=&tx=&rev=',
    recognize: funnelfluxRecognizer,
    // [doc] only the manual "Update Conversions" tool changes a conversion.
    adjustments: 'unsupported',
    // [doc] in the manual tool a payout of -1 deletes a conversion: a negative correction could read as one, so none is offered.
    books: { family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['skip'] },
    settings: {
      leads: { doc: 'skip a lead, or send it as a conversion with rev=0 (no type param exists to tell it apart)', default: 'skip', oneOf: ['skip', 'send'] },
    },
    build(context, settings) {
      if (context.event === 'lead_created' && settings.leads === 'skip') return { skip: 'FunnelFlux has no conversion type: a lead would count as a sale (setting leads=send sends it)' };
      return {
        path: '/pb/',
        params: [
          ['hit', context.lead.clickId], // [doc] the hit ID
          ['tx', context.transactionId], // [doc] separate conversions per tx
          ['rev', context.payout], // [doc] without it the offer's default payout applies, so always sent
        ],
      };
    },
  });
}
