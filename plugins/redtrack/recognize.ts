// RedTrack's postback URL: <domain>/postback?clickid={replace_me}&sum={replace_or_remove}&type=... (trackers.md 3.2).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const redtrackRecognizer: UrlRecognizer = {
  trackerName: 'RedTrack',
  help: 'In RedTrack, open Offer sources, edit your source and copy the Postback URL template (https://<your tracking domain>/postback?clickid=…&sum=…). The conversion types must match Tools → Conversion tracking → Conversion type exactly.',
  match(url) {
    const prefix = pathPrefix(url.path, '/postback');
    // Affise shares `/postback?clickid=`; its `action_id` is not RedTrack's.
    if (prefix === undefined || url.param('clickid') === undefined || url.param('action_id') !== undefined) return null;
    const own = url.hostname.endsWith('.rdtk.io') ? 3 : url.param('sum') !== undefined || url.param('type') !== undefined ? 2 : 1;
    return { score: own, settings: { baseUrl: `${url.origin}${prefix}` } };
  },
};
