// Trackier's postback: <network>.vnative.co/acquisition?click_id={clickid}&... (trackers.md 3.15).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const trackierRecognizer: UrlRecognizer = {
  trackerName: 'Trackier',
  help: 'In Trackier, open the offer\'s postback and copy the URL (https://<network>.vnative.co/acquisition?click_id=…).',
  match(url) {
    const prefix = pathPrefix(url.path, '/acquisition');
    if (prefix === undefined || url.param('click_id') === undefined) return null;
    return { score: url.hostname.endsWith('.vnative.co') ? 3 : 2, settings: { baseUrl: `${url.origin}${prefix}` } };
  },
};
