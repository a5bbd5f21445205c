// The context a formatter sees: each event's key and money, and one hidden class for every postback of every event.

import { expect } from 'chai';
import { postbackContext } from '../../lib/dispatch/context.js';
import type { DeliveryFacts } from '../../lib/dispatch/context.js';
import type { Adjustment, Commission, Lead } from '../../lib/events/types.js';
import { repoModule, runWithNatives } from '../helpers/hidden-class.js';

const at = new Date('2026-12-01T10:00:00.000Z');
const lead: Lead = { id: 'L1', clickId: 'clk', affiliateId: 'aff', offerId: null, sub1: null, sub2: null, sub3: null, sub4: null, sub5: null, source: 'api', occurredAt: at, recordedAt: at };
const commission: Commission = { id: 'C1', leadId: 'L1', amount: '12.50', currency: 'USD', occurredAt: at, recordedAt: at };
const adjustment: Adjustment = { id: 'A1', commissionId: 'C1', delta: '-2.50', amountBefore: '12.50', amountAfter: '10.00', currency: 'USD', reason: null, occurredAt: at, recordedAt: at };
const facts = (event: DeliveryFacts['event']): DeliveryFacts => ({ event, lead, commission: event === 'lead_created' ? null : commission, adjustment: event === 'commission_adjusted' ? adjustment : null, clickNetPayout: '12.50' });

describe('postbackContext', () => {
  it("gives each event its own key and money, and an adjustment the mode's", () => {
    expect(postbackContext(facts('lead_created'), 'replace')).to.include({ transactionId: 'lead-L1', payout: '0', delta: '0', currency: null, adjustmentMode: null });
    expect(postbackContext(facts('commission_earned'), 'replace')).to.include({ transactionId: 'com-C1', payout: '12.50', delta: '12.50', currency: 'USD', adjustmentMode: null });
    expect(postbackContext(facts('commission_adjusted'), 'replace')).to.include({ transactionId: 'com-C1', payout: '10.00', delta: '-2.50', adjustmentMode: 'replace' });
    expect(postbackContext(facts('commission_adjusted'), 'correction')).to.include({ transactionId: 'adj-A1', payout: '-2.50', delta: '-2.50', adjustmentMode: 'correction' });
  });

  it('builds every context with one hidden class, whatever the event (a spread before properties made one per call)', () => {
    const script = `
      import { postbackContext } from ${JSON.stringify(repoModule('lib/dispatch/context.ts'))};
      const at = new Date(0);
      const lead = { id: 'L', clickId: 'c', affiliateId: 'a', offerId: null, sub1: null, sub2: null, sub3: null, sub4: null, sub5: null, source: 'api', occurredAt: at, recordedAt: at };
      const commission = { id: 'C', leadId: 'L', amount: '1', currency: 'USD', occurredAt: at, recordedAt: at };
      const adjustment = { id: 'A', commissionId: 'C', delta: '-1', amountBefore: '1', amountAfter: '0', currency: 'USD', reason: null, occurredAt: at, recordedAt: at };
      const of = (event) => postbackContext({ event, lead, commission, adjustment, clickNetPayout: '0' }, 'replace');
      for (let i = 0; i < 2000; i++) of('lead_created');
      const first = of('lead_created');
      process.stdout.write([of('lead_created'), of('commission_earned'), of('commission_adjusted')].map((context) => String(%HaveSameMap(first, context))).join(' '));
    `;
    expect(runWithNatives(script)).to.equal('true true true');
  });
});
