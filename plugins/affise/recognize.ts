// Affise's postback: offers-<network>.affise.com/postback?clickid={clickid}&action_id=&goal=&sum=&status= (trackers.md 3.13).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const affiseRecognizer: UrlRecognizer = {
  trackerName: 'Affise',
  help: 'In Affise, open the offer\'s postback settings and copy the URL (https://offers-<network>.affise.com/postback?clickid=…&action_id=…&sum=…). Its secure value, if any, is the offer\'s hash password.',
  match(url) {
    const prefix = pathPrefix(url.path, '/postback');
    if (prefix === undefined || (url.param('clickid') === undefined && url.param('click_id') === undefined)) return null;
    const own = url.hostname.endsWith('.affise.com') ? 3 : url.param('action_id') !== undefined ? 2 : 0;
    if (own === 0) return null;
    const secure = url.fixed('secure');
    return { score: own, settings: { baseUrl: `${url.origin}${prefix}`, ...(secure === undefined ? {} : { secure }) } };
  },
};
