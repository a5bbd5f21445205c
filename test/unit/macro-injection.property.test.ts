// Property: any value the lead schema accepts, put through any macro, never changes a postback's host, path or parameters.

import { expect } from 'chai';
import fc from 'fast-check';
import createGenericPlugin from '../../plugins/generic/index.js';
import { leadSchema } from '../../lib/events/schemas.js';
import { isSkip } from '../../lib/plugins/types.js';
import type { PostbackContext, PostbackRequest } from '../../lib/plugins/types.js';

const plugin = createGenericPlugin();
const fields = ['id', 'clickId', 'affiliateId', 'offerId', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const;

// Hostile characters on purpose: URL delimiters, CRLF, NUL, percent escapes, unicode and lone surrogates.
const nasty = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...'&=?#/\\%@:;+ \r\n\t\u0000{}[]"\'<>.~'.split(''), 'a', '%2F', '%00', '\u202e', '\ud800', '😀'), minLength: 1, maxLength: 20 }),
);

/** A lead the schema accepts, with every text field drawn from `nasty` (values the schema refuses are dropped). */
const acceptedLead = fc
  .record(Object.fromEntries(fields.map((field) => [field, nasty])) as Record<(typeof fields)[number], fc.Arbitrary<string>>)
  // Field by field, stopping at the first refused one: the lead schema has no rule across fields, and a refusal
  // (which builds an error) is what this rejection sampler mostly meets.
  .filter((candidate) => fields.every((field) => leadSchema.shape[field].safeParse(candidate[field]).success));

function contextFor(lead: Record<(typeof fields)[number], string>): PostbackContext {
  const at = new Date('2026-12-01T10:00:00Z');
  return {
    event: 'lead_created',
    lead: { ...lead, source: 'api', occurredAt: at, recordedAt: at },
    commission: null,
    adjustment: null,
    transactionId: `lead-${lead.id}`,
    payout: '0',
    delta: '0',
    currency: null,
    occurredAt: at,
    clickNetPayout: '0',
    adjustmentMode: null,
  };
}

// The generic plugin never skips; a skip here would be a bug worth failing on.
function format(lead: Record<(typeof fields)[number], string>, settings: ReturnType<typeof plugin.parseSettings>): PostbackRequest {
  const result = plugin.format(contextFor(lead), settings);
  if (isSkip(result)) throw new Error(`skipped: ${result.skip}`);
  return result;
}

const template = 'https://tracker.example:8443/pb/{affiliate_id}/in?cid={click_id}&s1={sub1}&s2={sub2}&o={offer_id}&tx={transaction_id}&fixed=1';

describe('macro values cannot inject (property)', () => {
  it('keeps the scheme, host, port, path shape and parameter set of a GET postback, and each value round-trips', () => {
    const settings = plugin.parseSettings({ url: template });
    fc.assert(
      fc.property(acceptedLead, (lead) => {
        const request = format(lead, settings);
        const url = new URL(request.url);
        expect(url.origin).to.equal('https://tracker.example:8443');
        const segments = url.pathname.split('/');
        expect(segments).to.have.length(4);
        expect([segments[1], segments[3]]).to.deep.equal(['pb', 'in']);
        expect(decodeURIComponent(segments[2] ?? '')).to.equal(lead.affiliateId);
        expect(url.hash).to.equal('');
        expect([...url.searchParams.keys()]).to.deep.equal(['cid', 's1', 's2', 'o', 'tx', 'fixed']);
        expect(url.searchParams.get('cid')).to.equal(lead.clickId);
        expect(url.searchParams.get('s1')).to.equal(lead.sub1);
        expect(url.searchParams.get('tx')).to.equal(`lead-${lead.id}`);
        expect(url.searchParams.get('fixed')).to.equal('1');
        expect(request.headers).to.equal(undefined);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the field set of POST form and JSON bodies and their fixed headers', () => {
    const form = plugin.parseSettings({ url: 'https://tracker.example/pb', method: 'POST', body: { cid: '{click_id}', s: '{sub1}-{sub2}' } });
    const json = plugin.parseSettings({ url: 'https://tracker.example/pb', method: 'POST', bodyFormat: 'json', body: { cid: '{click_id}', s: '{sub3}' } });
    fc.assert(
      fc.property(acceptedLead, (lead) => {
        const formRequest = format(lead, form);
        expect(formRequest.url).to.equal('https://tracker.example/pb');
        expect(formRequest.headers).to.deep.equal({ 'content-type': 'application/x-www-form-urlencoded' });
        const params = new URLSearchParams(formRequest.body);
        expect([...params.keys()]).to.deep.equal(['cid', 's']);
        expect(params.get('cid')).to.equal(lead.clickId);
        expect(params.get('s')).to.equal(`${lead.sub1}-${lead.sub2}`);
        const jsonRequest = format(lead, json);
        expect(jsonRequest.headers).to.deep.equal({ 'content-type': 'application/json' });
        expect(JSON.parse(jsonRequest.body ?? '')).to.deep.equal({ cid: lead.clickId, s: lead.sub3 });
      }),
      { numRuns: 200 },
    );
  });
});
