// Scaleo's postback: <workspace>.scaletrk.com/track/conv?click_id={clickid}&token=<token>&goal_id= (trackers.md 3.14).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const scaleoRecognizer: UrlRecognizer = {
  trackerName: 'Scaleo',
  help: 'In Scaleo, open the offer\'s postback and copy the URL (https://<workspace>.scaletrk.com/track/conv?click_id=…&token=…). The token is your Advertiser Security Token.',
  match(url) {
    const prefix = pathPrefix(url.path, '/track/conv');
    if (prefix === undefined || url.param('click_id') === undefined) return null;
    const token = url.fixed('token');
    return { score: url.hostname.endsWith('.scaletrk.com') ? 3 : 2, settings: { baseUrl: `${url.origin}${prefix}`, ...(token === undefined ? {} : { token }) } };
  },
};
