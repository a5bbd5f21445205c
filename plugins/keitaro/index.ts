// Keitaro: /<postback key>/postback with subid + status + payout + tid (trackers.md 3.4); a full clawback becomes `rejected`.

import { defineQueryPlugin } from '../../lib/plugins/query-plugin.js';
import { keitaroRecognizer } from './recognize.js';

/** Creates the Keitaro plugin. Settings: `baseUrl` (the tracker's own server), `postbackKey` (required). */
export default function createKeitaroPlugin() {
  return defineQueryPlugin({
    name: 'keitaro',
    description: 'Keitaro: /<key>/postback?subid=&status=&payout=&tid=',
    recognize: keitaroRecognizer,
    // [doc] lead→sale, sale→rejected on the same subid+tid; a payout-only change may be ignored ("pair SubId +
    // tid already exists"), so by default only a full clawback is sent and partial changes are skipped. The blog
    // says the same subid+tid changes one conversion's data "many times": the opt-in `replace` mode [inferred].
    adjustments: 'status',
    books: { family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['status', 'replace', 'skip'] },
    settings: {
      postbackKey: { doc: 'the postback key in the path (Maintenance → Settings)' },
    },
    build(context, settings) {
      // [doc] rejected is final (no transition out of it), so under replace a clawback is a sale at 0, which a
      // later raise can still change; under status it is the rejection.
      const rejected = context.event === 'commission_adjusted' && context.adjustmentMode === 'status';
      const status = context.event === 'lead_created' ? 'lead' : rejected ? 'rejected' : 'sale';
      return {
        path: `/${encodeURIComponent(settings.postbackKey)}/postback`,
        params: [
          ['subid', context.lead.clickId], // [doc] required
          ['status', status], // [doc] lead (hold, no revenue) / sale / rejected
          ['payout', context.payout], // [doc]
          ['tid', context.transactionId], // [doc] one conversion per subid+tid: the clawback reuses the commission's
          ['currency', context.currency], // [doc]
        ],
      };
    },
  });
}
