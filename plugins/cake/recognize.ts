// CAKE's postback: <tracking domain>/p.ashx?o=<offer>&e=<event>&f=pb&r={request_session_id}&t= (trackers.md 3.12).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const cakeRecognizer: UrlRecognizer = {
  trackerName: 'CAKE',
  help: 'In CAKE, open the offer\'s Testing & Instructions and copy the server postback URL (https://<tracking domain>/p.ashx?o=…&e=…&f=pb&r=…). The offer ID is its o.',
  match(url) {
    const prefix = pathPrefix(url.path, '/p.ashx');
    if (prefix === undefined) return null;
    const offerId = url.fixed('o');
    const leadEventId = url.fixed('e');
    return { score: 2, settings: { baseUrl: `${url.origin}${prefix}`, ...(offerId === undefined ? {} : { offerId }), ...(leadEventId === undefined ? {} : { leadEventId }) } };
  },
};
