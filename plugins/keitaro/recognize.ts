// Keitaro's postback URL: <domain>/<postback key>/postback?subid={subid}&status={status}&payout={payout} (trackers.md 3.4).

import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const keitaroRecognizer: UrlRecognizer = {
  trackerName: 'Keitaro',
  help: 'In Keitaro, copy the S2S postback URL of your affiliate network (https://<your Keitaro domain>/<postback key>/postback?subid=…&status=…&payout=…). The postback key is in Maintenance → Settings.',
  match(url) {
    const found = /^(.*)\/([^/]+)\/postback\/?$/i.exec(url.path);
    if (!found || url.param('subid') === undefined) return null;
    const [, prefix = '', key = ''] = found;
    return { score: 2, settings: { baseUrl: `${url.origin}${prefix}`, postbackKey: key } };
  },
};
