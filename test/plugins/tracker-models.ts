// Small models of how each tracker keeps its books (from ../shared/trackers.md and docs/plugins.md), fed the requests
// our plugins build. Each rule says its source: [doc] vendor docs, [code] the tracker's own code, [blog], [inferred].

import { fromUnits, toUnits } from '../../lib/money.js';
import type { PostbackRequest } from '../../lib/plugins/types.js';

/** A tracker's books for one click: takes requests, reports the click's revenue. */
export interface TrackerModel {
  receive(request: PostbackRequest): void;
  revenue(): string;
}

interface Conversion {
  amount: bigint;
  status: string;
}

// Conversions by a dedupe key, each counted unless its status is in `uncounted`.
function conversionBook(uncounted: readonly string[], receive: (q: URLSearchParams, path: string, book: Map<string, Conversion>) => void): () => TrackerModel {
  return () => {
    const book = new Map<string, Conversion>();
    return {
      receive(request) {
        const url = new URL(request.url);
        receive(url.searchParams, url.pathname, book);
      },
      revenue: () => fromUnits([...book.values()].filter((c) => !uncounted.includes(c.status)).reduce((sum, c) => sum + c.amount, 0n)),
    };
  };
}

const units = (value: string | null) => (value === null ? 0n : toUnits(value));
const get = (q: URLSearchParams, name: string) => q.get(name) ?? '';

// First postback per key wins; repeats (retries) are dropped.
function firstWins(key: (q: URLSearchParams) => string, amount: string): () => TrackerModel {
  return conversionBook([], (q, _path, book) => {
    if (!book.has(key(q))) book.set(key(q), { amount: units(q.get(amount)), status: '' });
  });
}

// One conversion per click, overwritten by every postback.
function lastWins(amount: string, status: string, uncounted: string): () => TrackerModel {
  return conversionBook([uncounted], (q, _path, book) => {
    book.set('click', { amount: units(q.get(amount)), status: get(q, status) });
  });
}

// A conversion per key; a repeat may only change the status along `transitions` (from → allowed to).
function statusBook(key: string, amount: string, status: string, transitions: Record<string, readonly string[]>, uncounted: string[]): () => TrackerModel {
  return conversionBook(uncounted, (q, _path, book) => {
    const existing = book.get(get(q, key));
    if (!existing) book.set(get(q, key), { amount: units(q.get(amount)), status: get(q, status) });
    else if (transitions[existing.status]?.includes(get(q, status))) book.set(get(q, key), { amount: units(q.get(amount)), status: get(q, status) });
  });
}

/** A model per built-in plugin (not generic or browser: their books are whatever their template makes them). */
export const TRACKER_MODELS: Readonly<Record<string, () => TrackerModel>> = {
  // [doc] same cid+txid counted once; [doc for Conversion Upload, inferred for postbacks] a negative payout is
  // a conversion that deducts (a correction).
  voluum: firstWins((q) => `${get(q, 'cid')}|${get(q, 'txid')}`, 'payout'),
  // [doc] "ignore duplicate postbacks by event id"; every other event adds its sum.
  redtrack: firstWins((q) => get(q, 'rdtk_event_id'), 'sum'),
  // [doc] one conversion per click, payout overwritten (Upsell off); rejected counts no revenue.
  binom: lastWins('payout', 'cnv_status', 'rejected'),
  // [doc] with the offer's Upsell box each postback's payout is added to the click's.
  'binom (upsell on)': conversionBook([], (q, _path, book) => {
    const click = book.get('click') ?? { amount: 0n, status: '' };
    book.set('click', { amount: click.amount + units(q.get('payout')), status: get(q, 'cnv_status') });
  }),
  // [doc] subid+tid is one conversion; lead→sale, lead→rejected, sale→rejected, rebill→rejected; lead is hold
  // revenue; nothing leaves rejected. [blog, inferred] the same subid+tid changes a sale's payout (sale→sale).
  keitaro: statusBook('tid', 'payout', 'status', { lead: ['sale', 'rejected'], sale: ['sale', 'rejected'], rebill: ['rejected'] }, ['rejected', 'lead']),
  // [doc] txid tells conversions apart; a repeat is assumed dropped (unknown); a negative payout deducts [inferred].
  clickflare: firstWins((q) => `${get(q, 'click_id')}|${get(q, 'txid')}`, 'payout'),
  // [doc] statuses; [inferred] a repeat cid+txid moves the conversion to Declined.
  bemob: statusBook('txid', 'payout', 'status', { approved: ['declined'], '': ['declined'] }, ['declined']),
  // [doc] without txid the last postback is the click's one conversion.
  peerclick: lastWins('payout', 'status', 'reject'),
  // [inferred] different tx make separate conversions, a repeat is dropped.
  funnelflux: firstWins((q) => `${get(q, 'hit')}|${get(q, 'tx')}`, 'rev'),
  // [doc] one conversion per order_id (Allow Duplicate Conversion on); /reversal?order_id= cancels it.
  everflow: conversionBook(['reversed'], (q, path, book) => {
    const existing = book.get(get(q, 'order_id'));
    if (path === '/reversal') {
      if (existing) existing.status = 'reversed';
    } else if (!existing) book.set(get(q, 'order_id'), { amount: units(q.get('amount')), status: '' });
  }),
  // [doc] "Limit Conversion by Unique ID".
  tune: firstWins((q) => get(q, 'conversion_unique_id'), 'amount'),
  // [doc] "Allow Duplicates" deduped by a unique t.
  cake: firstWins((q) => get(q, 't'), 'p'),
  // [doc] unique (goal, action_id); a repeat changes the status only from pending (2); 3 is declined.
  affise: statusBook('action_id', 'sum', 'status', { '2': ['1', '3', '5'] }, ['3']),
  // [doc] conv adds (a repeat transaction is an error), conv-change sets payout and status of that transaction.
  // Without a transaction ID (its parameter name is the network's, `adv_order_id` in our variant), every conv adds
  // [doc: Multiple Conversion = Yes].
  scaleo: () => {
    let untagged = 0;
    return conversionBook(['rejected'], (q, path, book) => {
      const key = q.get('adv_order_id') ?? `untagged-${(untagged += 1)}`;
      const conversion = { amount: units(q.get('payout')), status: get(q, 'conv_status') };
      if (path === '/track/conv-change' ? book.has(key) : !book.has(key)) book.set(key, conversion);
    })();
  },
  // [doc] "Yes with Txn ID"; [unknown, modelled as inferred] a repeat txn_id with a status changes it.
  trackier: statusBook('txn_id', 'revenue', 'status', { approved: ['rejected'] }, ['rejected']),
  // [code] txid unique per click (a repeat is dropped); each accepted amount overwrites the click's payout.
  prosper202: () => {
    const seen = new Set<string>();
    let payout = 0n;
    return {
      receive(request) {
        const q = new URL(request.url).searchParams;
        if (seen.has(get(q, 'txid'))) return;
        seen.add(get(q, 'txid'));
        payout = units(q.get('amount'));
      },
      revenue: () => fromUnits(payout),
    };
  },
};
