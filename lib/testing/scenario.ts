// Event sequences for plugin tests: one lead, its commissions and adjustments, as the core would hand them to a plugin.

import type { DeliveryFacts } from '../dispatch/context.js';
import type { Adjustment, Commission, Lead } from '../events/types.js';
import { addDecimal, subtractDecimal } from '../money.js';

/** One step after the lead: a new commission, or a change to an earlier one (by its position). */
export type ScenarioStep = { earn: string; id?: string } | { adjust: number; to: string; id?: string };

/** A lead with the given click ID and steps, as delivery facts in queue order (with the running net payout). */
export function eventScenario(clickId: string, steps: readonly ScenarioStep[], currency = 'EUR'): DeliveryFacts[] {
  const at = (n: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, n));
  const lead: Lead = {
    id: 'L1',
    clickId,
    affiliateId: 'aff-1',
    offerId: 'offer-1',
    sub1: null,
    sub2: null,
    sub3: null,
    sub4: null,
    sub5: null,
    source: 'api',
    occurredAt: at(0),
    recordedAt: at(0),
  };
  const facts: DeliveryFacts[] = [{ event: 'lead_created', lead, commission: null, adjustment: null, clickNetPayout: '0' }];
  const commissions: Array<{ commission: Commission; current: string }> = [];
  let net = '0';
  steps.forEach((step, index) => {
    const n = index + 1;
    if ('earn' in step) {
      const commission: Commission = { id: step.id ?? `C${commissions.length + 1}`, leadId: lead.id, amount: step.earn, currency, occurredAt: at(n), recordedAt: at(n) };
      commissions.push({ commission, current: step.earn });
      net = addDecimal(net, step.earn);
      facts.push({ event: 'commission_earned', lead, commission, adjustment: null, clickNetPayout: net });
      return;
    }
    const target = commissions[step.adjust];
    if (!target) throw new RangeError(`step ${n} adjusts commission #${step.adjust}, which does not exist yet`);
    const delta = subtractDecimal(step.to, target.current);
    const adjustment: Adjustment = {
      id: step.id ?? `A${n}`,
      commissionId: target.commission.id,
      delta,
      amountBefore: target.current,
      amountAfter: step.to,
      currency,
      reason: null,
      occurredAt: at(n),
      recordedAt: at(n),
    };
    target.current = step.to;
    net = addDecimal(net, delta);
    facts.push({ event: 'commission_adjusted', lead, commission: target.commission, adjustment, clickNetPayout: net });
  });
  return facts;
}
