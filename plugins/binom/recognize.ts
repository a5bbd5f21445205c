// Binom's postback URL: <domain>/click.php?cnv_id={clickid}&payout={payout} (v1) or /click?cnv_id= (v2) (trackers.md 3.3).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const binomRecognizer: UrlRecognizer = {
  trackerName: 'Binom',
  help: 'In Binom, open your affiliate network or offer and copy the postback URL it shows (https://<your Binom domain>/click.php?cnv_id={clickid}&payout={payout}; /click on Binom 2). Tick "Upsell" on the offer only if every postback should add to the payout.',
  match(url) {
    if (url.param('cnv_id') === undefined) return null;
    for (const path of ['/click.php', '/click']) {
      const prefix = pathPrefix(url.path, path);
      if (prefix !== undefined) return { score: 2, settings: { baseUrl: `${url.origin}${prefix}`, path } };
    }
    return null;
  },
};
