// Everflow's advertiser postback: <tracking domain>/?nid=<network id>&transaction_id={clickid}&amount=... (trackers.md 3.10).

import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const everflowRecognizer: UrlRecognizer = {
  trackerName: 'Everflow',
  help: 'In Everflow, open the offer\'s tracking and copy the advertiser server postback URL (https://<tracking domain>/?nid=…&transaction_id=…). The network ID is its nid.',
  match(url) {
    if (url.param('nid') === undefined || url.param('transaction_id') === undefined) return null;
    const networkId = url.fixed('nid');
    const token = url.fixed('verification_token');
    return {
      score: 2,
      settings: { baseUrl: url.origin, ...(networkId === undefined ? {} : { networkId }), ...(token === undefined ? {} : { verificationToken: token }) },
      notes: ['Leads are sent only with a lead event ID (adv_event_id) set.'],
    };
  },
};
