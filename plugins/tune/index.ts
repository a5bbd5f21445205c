// TUNE (HasOffers): /aff_lsr?transaction_id=&amount= (trackers.md 3.11); a 200 with success=false is a refusal.

import { defineQueryPlugin, optional } from '../../lib/plugins/query-plugin.js';
import { tuneRecognizer } from './recognize.js';

/** Creates the TUNE plugin. Settings: `baseUrl`, `offerId`, `leadGoalId`, `commissionGoalId`, `securityToken`. */
export default function createTunePlugin() {
  return defineQueryPlugin({
    name: 'tune',
    description: 'TUNE / HasOffers: /aff_lsr?transaction_id=&amount=&adv_sub=&conversion_unique_id=',
    recognize: tuneRecognizer,
    // Nothing documented via postback (API or manual only).
    adjustments: 'unsupported',
    books: { family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['skip'] },
    settings: {
      offerId: { doc: 'the `offer_id`; empty makes it a global postback', default: '' },
      leadGoalId: { doc: 'the `goal_id` of a lead goal; empty skips leads', default: '', guessed: true },
      commissionGoalId: { doc: 'the `goal_id` of a commission; empty uses the default goal', default: '', guessed: true },
      securityToken: { doc: 'the Advertiser Security Token, sent as `security_token` (name [inferred])', default: '' },
    },
    build(context, settings) {
      const lead = context.event === 'lead_created';
      if (lead && settings.leadGoalId === '') return { skip: 'no leadGoalId set: a lead would count as the offer\'s main conversion' };
      return {
        path: '/aff_lsr',
        params: [
          ['offer_id', optional(settings.offerId)], // [doc]
          ['transaction_id', context.lead.clickId], // [doc] TUNE's click/session ID
          ['goal_id', optional(lead ? settings.leadGoalId : settings.commissionGoalId)], // [inferred] name
          ['amount', context.payout], // [inferred] name of the sale amount
          ['adv_sub', context.transactionId], // [doc] advertiser reference
          ['conversion_unique_id', context.transactionId], // [doc] dedup under "Limit Conversion by Unique ID"
          ['security_token', optional(settings.securityToken)], // [inferred] name
        ],
      };
    },
    // [doc] the body is `success=true;` or `success=false; err_msg=...;`, with HTTP 200 either way [3rd].
    judgeResponse({ bodyExcerpt }) {
      const body = bodyExcerpt ?? '';
      if (!/success\s*=\s*false/i.test(body)) return null;
      const reason = /err_msg\s*=\s*([^;]*)/i.exec(body)?.[1]?.trim() ?? 'no err_msg';
      // A retry of a postback whose answer was lost is refused as a duplicate: the conversion is there already.
      return /duplicate/i.test(reason) ? null : `TUNE refused the postback: ${reason}`;
    },
  });
}
