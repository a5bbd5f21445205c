// Property: for random event sequences, each tracker's modelled books match our net revenue per click, or differ only by what was skipped.

import { expect } from 'chai';
import fc from 'fast-check';
import { addDecimal, fromUnits } from '../../lib/money.js';
import { isSkip } from '../../lib/plugins/types.js';
import { eventScenario, formatDelivery } from '../../lib/testing/index.js';
import type { DeliveryFacts, ScenarioStep } from '../../lib/testing/index.js';
import { builtinPlugins } from '../../plugins/builtin.js';
import { BUILTIN_FIXTURES } from './builtin-fixtures.js';
import { TRACKER_MODELS } from './tracker-models.js';

const cents = fc.integer({ min: 0, max: 100_000 }).map((n) => fromUnits(BigInt(n) * 10_000n));
const steps: fc.Arbitrary<ScenarioStep[]> = fc
  .tuple(cents, fc.array(fc.oneof(cents.map((earn) => ({ earn })), fc.tuple(fc.nat(), cents).map(([adjust, to]) => ({ adjust, to }))), { maxLength: 8 }))
  .map(([first, rest]) => {
    let commissions = 1;
    return [{ earn: first }, ...rest.map((step) => ('earn' in step ? (commissions++, step) : { adjust: step.adjust % commissions, to: step.to }))];
  });

// What the tracker should show if it applied exactly what was sent: each commission at the last amount sent for it.
function lastSentTotal(facts: readonly DeliveryFacts[], sent: readonly boolean[]): string {
  const last = new Map<string, string>();
  facts.forEach((fact, index) => {
    if (!sent[index] || !fact.commission) return;
    last.set(fact.commission.id, fact.adjustment ? fact.adjustment.amountAfter : fact.commission.amount);
  });
  return [...last.values()].reduce(addDecimal, '0');
}

describe('tracker books (property-based)', () => {
  for (const plugin of builtinPlugins().filter((p) => p.name !== 'generic')) {
    it(`${plugin.name}: reported revenue per click equals ours, or differs only by skipped adjustments`, () => {
      const model = TRACKER_MODELS[plugin.name];
      expect(model, `no tracker model for ${plugin.name}`).to.be.a('function');
      const settings = plugin.parseSettings(BUILTIN_FIXTURES[plugin.name]?.settings ?? {});
      fc.assert(
        fc.property(steps, (sequence) => {
          const facts = eventScenario('click-1', sequence);
          const tracker = (model as NonNullable<typeof model>)();
          const sent = facts.map((fact) => {
            const result = formatDelivery(plugin, fact, settings);
            if (isSkip(result)) return false;
            // At least once: every postback arrives twice, as after a lost answer and a retry.
            tracker.receive(result);
            tracker.receive(result);
            return true;
          });
          const ours = facts.at(-1)?.clickNetPayout ?? '0';
          expect(tracker.revenue()).to.equal(lastSentTotal(facts, sent));
          if (sent.every(Boolean)) expect(tracker.revenue()).to.equal(ours);
        }),
        { numRuns: 200 },
      );
    });
  }
});
