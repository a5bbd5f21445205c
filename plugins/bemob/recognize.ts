// BeMob's postback URL: <id>.bemobtrcks.com/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL&status=OPTIONAL (trackers.md 3.6).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const bemobRecognizer: UrlRecognizer = {
  trackerName: 'BeMob',
  help: 'In BeMob, open Affiliate networks, edit your network and copy its Postback URL (https://<id>.bemobtrcks.com/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL&status=OPTIONAL). Turn on "Use conversion statuses" there for clawbacks.',
  match(url) {
    const prefix = pathPrefix(url.path, '/postback');
    if (prefix === undefined || url.param('cid') === undefined) return null;
    if (url.hostname.endsWith('.bemobtrcks.com')) return { score: 3, settings: { baseUrl: `${url.origin}${prefix}` } };
    // PeerClick also sends `status`; its shared host is told apart by its own recogniser.
    if (url.param('status') === undefined && url.param('cet') === undefined) return null;
    return { score: 1, settings: { baseUrl: `${url.origin}${prefix}` } };
  },
};
