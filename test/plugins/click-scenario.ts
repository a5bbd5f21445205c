// Random event sequences on one click ID across several leads, as the core hands them to a plugin, for the book properties.

import fc from 'fast-check';
import type { DeliveryFacts } from '../../lib/dispatch/context.js';
import type { Adjustment, Commission, Lead } from '../../lib/events/types.js';
import { addDecimal, fromUnits, subtractDecimal } from '../../lib/money.js';

/** One step: a new lead on the click, a commission on one of its leads, or a change to an earlier commission. */
export type ClickStep = { lead: true } | { earn: string; on: number } | { adjust: number; to: string };

/** A step and whether its tracker's answer is lost after the tracker recorded the postback. */
export interface LostStep {
  step: ClickStep;
  lost: boolean;
}

const at = (n: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, n));

/**
 * The deliveries of one endpoint for click `clickId`, in queue order, with the click's running total across its
 * leads; and the platform's truth (every commission at its final amount). Indices wrap, so any draw is valid.
 */
export function clickScenario(clickId: string, steps: readonly LostStep[]): { facts: DeliveryFacts[]; lost: boolean[]; truth: string } {
  const leads: Lead[] = [];
  const commissions: Array<{ commission: Commission; lead: Lead; current: string }> = [];
  const facts: DeliveryFacts[] = [];
  const lost: boolean[] = [];
  let net = '0';
  const newLead = () => {
    const lead: Lead = {
      id: `L${leads.length + 1}`, clickId, affiliateId: 'aff-1', offerId: 'offer-1', sub1: null, sub2: null, sub3: null, sub4: null, sub5: null,
      source: 'api', occurredAt: at(facts.length), recordedAt: at(facts.length),
    };
    leads.push(lead);
    facts.push({ event: 'lead_created', lead, commission: null, adjustment: null, clickNetPayout: net });
  };
  newLead();
  lost.push(false);
  for (const { step, lost: answerLost } of steps) {
    const before = facts.length;
    if ('lead' in step) {
      newLead();
    } else if ('earn' in step) {
      const lead = leads[step.on % leads.length] as Lead;
      const commission: Commission = { id: `C${commissions.length + 1}`, leadId: lead.id, amount: step.earn, currency: 'EUR', occurredAt: at(facts.length), recordedAt: at(facts.length) };
      commissions.push({ commission, lead, current: step.earn });
      net = addDecimal(net, step.earn);
      facts.push({ event: 'commission_earned', lead, commission, adjustment: null, clickNetPayout: net });
    } else if (commissions.length > 0) {
      const target = commissions[step.adjust % commissions.length] as (typeof commissions)[number];
      const delta = subtractDecimal(step.to, target.current);
      const adjustment: Adjustment = {
        id: `A${facts.length}`, commissionId: target.commission.id, delta, amountBefore: target.current, amountAfter: step.to, currency: 'EUR', reason: null,
        occurredAt: at(facts.length), recordedAt: at(facts.length),
      };
      target.current = step.to;
      net = addDecimal(net, delta);
      facts.push({ event: 'commission_adjusted', lead: target.lead, commission: target.commission, adjustment, clickNetPayout: net });
    }
    if (facts.length > before) lost.push(answerLost);
  }
  return { facts, lost, truth: commissions.reduce((sum, c) => addDecimal(sum, c.current), '0') };
}

// Cents mostly; then amounts at and past the tiniest declared limit (Prosper202: 999999.99999, 5 places) and zero.
const amount: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 100_000 }).map((n) => fromUnits(BigInt(n) * 10_000n)) },
  { weight: 1, arbitrary: fc.constantFrom('0', '999999.99999', '999999.999991', '1000000', '600000', '500000', '0.000001') },
);

/** Random sequences of up to 10 steps, each with a random lost answer. */
export const clickSteps: fc.Arbitrary<LostStep[]> = fc.array(
  fc.record({
    step: fc.oneof(
      fc.constant<ClickStep>({ lead: true }),
      fc.record({ earn: amount, on: fc.nat(5) }),
      fc.record({ adjust: fc.nat(9), to: amount }),
    ),
    lost: fc.boolean(),
  }),
  { maxLength: 10 },
);
