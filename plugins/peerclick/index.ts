// PeerClick without txid: one conversion per cid, last write wins (trackers.md 3.9), so each postback carries the click's net total.

import { clickStatus, defineQueryPlugin } from '../../lib/plugins/query-plugin.js';
import { peerclickRecognizer } from './recognize.js';

/** Creates the PeerClick plugin. Settings: `baseUrl` (default the shared host), `leadStatus`, `saleStatus`, `rejectedStatus`. */
export default function createPeerClickPlugin() {
  return defineQueryPlugin({
    name: 'peerclick',
    description: 'PeerClick: /postback?cid=&payout=<click net total>&status=',
    recognize: peerclickRecognizer,
    // [doc] without txid the last postback's data is the click's one conversion: replace at click level.
    adjustments: 'replace',
    books: { family: 'per-click', dedupe: 'click', maxAmount: null, decimals: null, adjustmentModes: ['replace', 'skip'] },
    defaultBaseUrl: 'https://pstb.peerclick.com',
    settings: {
      leadStatus: { doc: 'the `status` of a lead', default: 'lead', guessed: true },
      saleStatus: { doc: 'the `status` of a click with a commission', default: 'sale', guessed: true },
      rejectedStatus: { doc: 'the `status` once every commission is clawed back', default: 'reject', guessed: true },
    },
    build(context, settings) {
      const status = clickStatus(context, { lead: settings.leadStatus, sale: settings.saleStatus, rejected: settings.rejectedStatus });
      return {
        path: '/postback',
        params: [
          ['cid', context.lead.clickId], // [doc]
          ['payout', context.clickNetPayout], // [doc] last write wins, so the running total
          ['status', status], // [doc] status groups / custom conversions
          ['currency', context.currency], // [doc]
        ],
      };
    },
  });
}
