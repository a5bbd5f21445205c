// ClickFlare's postback URL: <domain>/cf/cv?click_id=REPLACE&payout=OPTIONAL&txid=OPTIONAL (trackers.md 3.5).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const clickflareRecognizer: UrlRecognizer = {
  trackerName: 'ClickFlare',
  help: 'In ClickFlare, open Settings → Tracking URLs and copy the postback URL (https://<your tracking domain>/cf/cv?click_id=REPLACE&payout=OPTIONAL&txid=OPTIONAL).',
  match(url) {
    const prefix = pathPrefix(url.path, '/cf/cv');
    if (prefix === undefined || (url.param('click_id') === undefined && url.param('cid') === undefined)) return null;
    return { score: 2, settings: { baseUrl: `${url.origin}${prefix}` } };
  },
};
