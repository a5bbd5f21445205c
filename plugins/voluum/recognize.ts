// Voluum's postback URL: <domain>/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL (trackers.md 3.1).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const voluumRecognizer: UrlRecognizer = {
  trackerName: 'Voluum',
  help: 'In Voluum, open Affiliate networks, edit your network and copy its Postback URL (https://<your dedicated domain>/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL). The base URL is your dedicated tracking domain; the event values are your custom conversion names (Settings → Custom conversions).',
  match(url) {
    const prefix = pathPrefix(url.path, '/postback');
    // BeMob and PeerClick share the path and `cid`; their `status`/`cet` parameters are not Voluum's.
    if (prefix === undefined || url.param('cid') === undefined || url.param('status') !== undefined || url.param('cet') !== undefined) return null;
    return { score: url.param('et') !== undefined ? 2 : 1, settings: { baseUrl: `${url.origin}${prefix}` } };
  },
};
