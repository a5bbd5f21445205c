// How an attempt is labelled in metrics and logs: delivered, the tracker's refusal, no answer, or no request at all.

import { expect } from 'chai';
import { attemptOutcome } from '../../lib/metrics/instrumentation.js';

describe('attempt outcome', () => {
  it('tells a 2xx, another status, no response and an unformattable postback apart', () => {
    expect(attemptOutcome(true, 204, true)).to.equal('delivered');
    expect(attemptOutcome(false, 500, true)).to.equal('http_error');
    expect(attemptOutcome(false, null, true)).to.equal('network_error');
    expect(attemptOutcome(false, null, false)).to.equal('format_error');
  });
});
