// Any pasted postback URL as a generic template: each placeholder becomes the macro its parameter (or its own name) means.

import { MACRO_NAMES } from '../../lib/plugins/macros.js';
import type { MacroName } from '../../lib/plugins/macros.js';
import { isPlaceholder, placeholderName } from '../../lib/plugins/recognize.js';
import type { UrlRecognizer } from '../../lib/plugins/recognize.js';

// Names (lower case, without `_` and `-`) that trackers give a value, by the macro that fills it.
const ALIASES: ReadonlyArray<readonly [MacroName, readonly string[]]> = [
  ['click_id', ['clickid', 'cid', 'subid', 'cnvid', 'hit', 'cfclickid', 'clickref', 'visitid']],
  ['payout', ['payout', 'sum', 'amount', 'revenue', 'rev', 'amt', 'price', 'value', 'commission']],
  ['transaction_id', ['transactionid', 'txid', 'tid', 'tx', 'txnid', 'orderid', 'actionid', 'eventid', 'conversionid', 'uniqueid']],
  ['currency', ['currency', 'cur', 'cnvcurrency', 'payoutcurrency']],
  ['affiliate_id', ['affiliateid', 'affid']],
  ['offer_id', ['offerid']],
];

function macroFor(name: string): MacroName | undefined {
  const key = name.toLowerCase().replace(/[_-]/g, '');
  if ((MACRO_NAMES as readonly string[]).includes(name.toLowerCase())) return name.toLowerCase() as MacroName;
  return ALIASES.find(([, names]) => names.includes(key))?.[0];
}

export const genericRecognizer: UrlRecognizer = {
  trackerName: 'Another tracker (URL template)',
  help: 'Paste the postback URL your tracker shows; each placeholder becomes a macro such as {click_id}, {payout} or {transaction_id} (see the list of macros), and fixed values stay as they are.',
  match(url) {
    const notes: string[] = [];
    const params = url.params.flatMap(([key, value]) => {
      if (!isPlaceholder(value) && !value.includes('{')) return [`${encodeURIComponent(key)}=${encodeURIComponent(value)}`];
      // The placeholder's own name says what the tracker wants; REPLACE/OPTIONAL say nothing, so the key decides.
      const macro = macroFor(placeholderName(value)) ?? macroFor(key);
      if (macro === undefined) {
        notes.push(`Left out ${key}=${value}: no value of ours matches it; add a macro by hand if you need it.`);
        return [];
      }
      return [`${encodeURIComponent(key)}={${macro}}`];
    });
    const path = url.path.split('/').map(encodeURIComponent).join('/');
    return { score: 0, settings: { url: `${url.origin}${path}${params.length > 0 ? `?${params.join('&')}` : ''}` }, notes };
  },
};
