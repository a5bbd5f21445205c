// FunnelFlux Pro's postback URL: <domain>/pb/?hit={hit}&tx={txid}&rev={payout} (trackers.md 3.8).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const funnelfluxRecognizer: UrlRecognizer = {
  trackerName: 'FunnelFlux Pro',
  help: 'In FunnelFlux, copy the global postback URL of your tracking domain (https://<your domain>/pb/?hit=…&tx=…&rev=…).',
  match(url) {
    const prefix = pathPrefix(url.path.replace(/\/?$/, '/'), '/pb/');
    if (prefix === undefined || url.param('hit') === undefined) return null;
    return { score: 2, settings: { baseUrl: `${url.origin}${prefix}` } };
  },
};
