// Property: after any random sequence on one click (several leads, amounts at and past the limits, lost answers,
// every adjustment mode), each tracker model's books plus the drift report's difference equal the platform's truth.

import { expect } from 'chai';
import fc from 'fast-check';
import { holdForConfirmation } from '../../lib/deliveries/unconfirmed.js';
import type { DeliveryStatus } from '../../lib/deliveries/types.js';
import { clickDrift } from '../../lib/drift/books.js';
import type { DriftDelivery } from '../../lib/drift/books.js';
import { addDecimal } from '../../lib/money.js';
import { booksOf } from '../../lib/plugins/capabilities.js';
import { isSkip } from '../../lib/plugins/types.js';
import type { FormatterPlugin } from '../../lib/plugins/types.js';
import { eventScenario, formatDelivery } from '../../lib/testing/index.js';
import createAffisePlugin from '../../plugins/affise/index.js';
import createBinomPlugin from '../../plugins/binom/index.js';
import { builtinPlugins } from '../../plugins/builtin.js';
import createScaleoPlugin from '../../plugins/scaleo/index.js';
import { BUILTIN_FIXTURES } from './builtin-fixtures.js';
import { clickScenario, clickSteps } from './click-scenario.js';
import { TRACKER_MODELS } from './tracker-models.js';

interface Case {
  label: string;
  model: string;
  plugin: FormatterPlugin;
  settings: Record<string, unknown>;
}

// Every built-in plugin with its test settings, plus the settings that change how the tracker keeps its books.
const CASES: Case[] = [
  ...builtinPlugins()
    .filter((plugin) => plugin.name !== 'generic' && plugin.name !== 'browser')
    .map((plugin) => ({ label: plugin.name, model: plugin.name, plugin, settings: { ...BUILTIN_FIXTURES[plugin.name]?.settings } })),
  { label: 'binom (upsell on)', model: 'binom (upsell on)', plugin: createBinomPlugin(), settings: { ...BUILTIN_FIXTURES.binom?.settings, upsell: 'on' } },
  { label: 'scaleo (transactionParam adv_order_id)', model: 'scaleo', plugin: createScaleoPlugin(), settings: { ...BUILTIN_FIXTURES.scaleo?.settings, transactionParam: 'adv_order_id' } },
  { label: 'affise (approved commissions)', model: 'affise', plugin: createAffisePlugin(), settings: { ...BUILTIN_FIXTURES.affise?.settings, commissionStatus: '1' } },
];

describe('tracker books (property-based): model books + drift difference = truth', () => {
  for (const { label, model: modelName, plugin, settings: raw } of CASES) {
    const settings = plugin.parseSettings(raw);
    const books = booksOf(plugin, settings);
    for (const mode of books.adjustmentModes) {
      it(`${label}, adjustments by ${mode}`, () => {
        const model = TRACKER_MODELS[modelName];
        if (!model) throw new Error(`no tracker model for ${modelName}`);
        fc.assert(
          fc.property(clickSteps, (steps) => {
            const { facts, lost, truth } = clickScenario('click-X', steps);
            const tracker = model();
            const deliveries = facts.map((fact, index): DriftDelivery => {
              const result = formatDelivery(plugin, fact, settings, mode);
              let status: DeliveryStatus = 'skipped';
              if (!isSkip(result)) {
                tracker.receive(result);
                // The answer is lost after the tracker recorded it: an ambiguous failure. The relay sends it again
                // unless the tracker dedupes by nothing, where it waits for an operator instead.
                const held = lost[index] === true && holdForConfirmation(books.dedupe, 'ambiguous');
                if (lost[index] === true && !held) tracker.receive(result);
                status = held ? 'unconfirmed' : 'delivered';
              }
              return driftDelivery(String(index), fact, status);
            });
            const drift = clickDrift('click-X', books, mode, deliveries, truth);
            expect(drift.truth).to.equal(truth);
            expect(addDecimal(tracker.revenue(), drift.difference)).to.equal(truth);
          }),
          { numRuns: 150 },
        );
      });
    }
  }
});

describe('tracker books: what the properties rest on', () => {
  it('binom (upsell on): a postback sent twice is counted twice, which is why a lost answer is held', () => {
    const plugin = createBinomPlugin();
    const settings = plugin.parseSettings({ ...BUILTIN_FIXTURES.binom?.settings, upsell: 'on' });
    const tracker = TRACKER_MODELS['binom (upsell on)']!();
    const [, commission] = eventScenario('click-1', [{ earn: '10' }]).map((fact) => formatDelivery(plugin, fact, settings));
    if (!commission || isSkip(commission)) throw new Error('the commission was not sent');
    tracker.receive(commission);
    tracker.receive(commission);
    expect(tracker.revenue()).to.equal('20');
    expect(booksOf(plugin, settings).dedupe).to.equal('none');
    expect(holdForConfirmation('none', 'ambiguous')).to.equal(true);
    expect(holdForConfirmation('txid', 'ambiguous') || holdForConfirmation('click', 'ambiguous') || holdForConfirmation('none', 'unreached') || holdForConfirmation('none', 'rejected')).to.equal(false);
  });

  it('prosper202: two leads on one click past its DECIMAL(11,5) limit are skipped, never sent to be clamped', () => {
    const plugin = builtinPlugins().find((candidate) => candidate.name === 'prosper202') as FormatterPlugin;
    const settings = plugin.parseSettings(BUILTIN_FIXTURES.prosper202?.settings ?? {});
    const { facts } = clickScenario('7', [
      { step: { earn: '600000', on: 0 }, lost: false },
      { step: { lead: true }, lost: false },
      { step: { earn: '500000', on: 1 }, lost: false },
      { step: { adjust: 1, to: '399999.99999' }, lost: false },
    ]);
    const results = facts.map((fact) => formatDelivery(plugin, fact, settings));
    expect(results.map((result) => (isSkip(result) ? 'skip' : new URL(result.url).searchParams.get('amount')))).to.deep.equal(['0', '600000', '600000', 'skip', '999999.99999']);
    expect((results[3] as { skip: string }).skip).to.match(/1100000 is past the largest amount .*999999\.99999/);
  });
});

function driftDelivery(id: string, fact: ReturnType<typeof clickScenario>['facts'][number], status: DeliveryStatus): DriftDelivery {
  const { adjustment, commission } = fact;
  return {
    id,
    event: fact.event,
    status,
    lastError: null,
    commissionId: commission?.id ?? null,
    adjustmentId: adjustment?.id ?? null,
    amount: adjustment?.amountAfter ?? commission?.amount ?? '0',
    delta: adjustment?.delta ?? commission?.amount ?? '0',
    clickNetPayout: fact.clickNetPayout,
  };
}
