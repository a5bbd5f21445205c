// Prosper202's global postback: <domain>/tracking202/static/gpb.php?subid=&amount= (trackers.md, Prosper202).

import { pathPrefix } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

export const prosper202Recognizer: UrlRecognizer = {
  trackerName: 'Prosper202',
  help: 'In Prosper202, copy the global postback URL of your ClickServer (https://<your domain>/tracking202/static/gpb.php?subid=…&amount=…).',
  match(url) {
    const prefix = pathPrefix(url.path, '/tracking202/static/gpb.php');
    return prefix === undefined ? null : { score: 2, settings: { baseUrl: `${url.origin}${prefix}` } };
  },
};
