// TUNE / HasOffers' postback: <network>.go2cloud.org/aff_lsr?offer_id=&transaction_id= (trackers.md 3.11).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const tuneRecognizer: UrlRecognizer = {
  trackerName: 'TUNE / HasOffers',
  help: 'In TUNE, open the offer\'s Tracking → Conversion URL and copy the postback (https://<network>.go2cloud.org/aff_lsr?offer_id=…&transaction_id=…).',
  match(url) {
    const prefix = pathPrefix(url.path, '/aff_lsr');
    if (prefix === undefined) return null;
    const offerId = url.fixed('offer_id');
    return {
      score: url.hostname.endsWith('.go2cloud.org') ? 3 : 2,
      settings: { baseUrl: `${url.origin}${prefix}`, ...(offerId === undefined ? {} : { offerId }) },
      notes: ['Leads are sent only with a lead goal ID set.'],
    };
  },
};
