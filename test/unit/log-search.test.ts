// The delivery log's one search (lib/deliveries/search.ts), as the dashboard's and the portal's forms read it and as the
// portal's API reads it: which fields, empty and zone-less values, every status, a bad field named.

import { expect } from 'chai';
import { logSearch } from '../../lib/deliveries/search.js';
import { ValidationError } from '../../lib/errors.js';

describe('delivery log search', () => {
  const form = logSearch(['clickId', 'endpointId', 'status', 'since', 'until'], 'form');
  const api = logSearch(['clickId', 'endpointId', 'status', 'since', 'until'], 'api');

  it('reads a form as typed, field by field, and checks only the fields it was built with', () => {
    const query: Record<string, string> = { clickId: 'c-1', affiliateId: 'aff-A', status: 'failed' };
    const typed = form.typed((name) => query[name] ?? '');
    expect(typed).to.deep.equal({ clickId: 'c-1', endpointId: '', status: 'failed', since: '', until: '' });
    expect(form.filter(typed)).to.deep.equal({ clickId: 'c-1', endpointId: undefined, status: 'failed', since: undefined, until: undefined });
  });

  it("reads a form's datetime-local time (no zone) as UTC; the API wants a zone", () => {
    expect(form.filter({ since: '2026-05-01T10:02' }).since?.toISOString()).to.equal('2026-05-01T10:02:00.000Z');
    expect(() => api.filter({ since: '2026-05-01T10:02' })).to.throw(ValidationError).with.property('field', 'since');
    expect(api.filter({ until: '2026-05-01T12:00:00+02:00' }).until?.toISOString()).to.equal('2026-05-01T10:00:00.000Z');
  });

  it("treats a form's empty field as not given, and refuses an empty one in the API", () => {
    expect(form.filter({ clickId: '' }).clickId).to.equal(undefined);
    expect(() => api.filter({ clickId: '' })).to.throw(ValidationError).with.property('field', 'clickId');
  });

  it('takes every delivery status, unconfirmed too, and names a bad status or endpoint id', () => {
    expect(form.filter({ status: 'unconfirmed' }).status).to.equal('unconfirmed');
    expect(() => form.filter({ status: 'lost' })).to.throw(ValidationError).with.property('field', 'status');
    expect(() => api.filter({ endpointId: '1 OR 1=1' })).to.throw(ValidationError).with.property('field', 'endpointId');
    expect(() => api.filter({ clickId: ['a', 'b'] })).to.throw(ValidationError).with.property('field', 'clickId');
  });
});
