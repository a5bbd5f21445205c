// PeerClick's postback URL: https://pstb.peerclick.com/postback?cid={clickid}&payout={payout}&status={type} (trackers.md 3.9).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const peerclickRecognizer: UrlRecognizer = {
  trackerName: 'PeerClick',
  help: 'In PeerClick, open Affiliate networks, edit your network and copy its postback URL (https://pstb.peerclick.com/postback?cid=…&payout=…).',
  match(url) {
    const prefix = pathPrefix(url.path, '/postback');
    if (prefix === undefined || url.hostname !== 'pstb.peerclick.com' || url.param('cid') === undefined) return null;
    return { score: 3, settings: { baseUrl: `${url.origin}${prefix}` } };
  },
};
