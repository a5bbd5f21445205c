// The conformance suite every formatter plugin passes: encoding, determinism, transaction keys, exact amounts, settings.

import assert from 'node:assert/strict';
import { formatDelivery } from '../dispatch/format.js';
import type { DeliveryFacts } from '../dispatch/context.js';
import { PluginSettingsError } from '../errors.js';
import { booksOf } from '../plugins/capabilities.js';
import { isSkip } from '../plugins/types.js';
import type { FormatterPlugin, PostbackRequest } from '../plugins/types.js';
import { eventScenario } from './scenario.js';

/** How to run the suite on one plugin. */
export interface ConformanceFixture {
  /** Settings the plugin accepts. */
  settings: Readonly<Record<string, unknown>>;
  /** Settings that must be refused when left out. */
  required?: readonly string[];
}

/** One named check; `run` throws an `AssertionError` when the plugin fails it. */
export interface ConformanceCheck {
  name: string;
  run(): void;
}

/** Click IDs that break a plugin which does not encode: query and fragment delimiters, spaces, unicode. */
export const HOSTILE_CLICK_IDS = ['a&b=c', 'x#frag', 'two words', 'ünïcødé-点击', '50%+1', 'a/b?c=d'];

const FULL_SCENARIO = [{ earn: '10' }, { earn: '2.5' }, { adjust: 0, to: '12.75' }, { adjust: 0, to: '4' }, { adjust: 1, to: '0' }] as const;

/** The checks for one plugin, framework-free. Every event goes through the core's formatting, as a real delivery does. */
export function conformanceChecks(plugin: FormatterPlugin, fixture: ConformanceFixture): ConformanceCheck[] {
  const settings = () => plugin.parseSettings(fixture.settings);
  const run = (facts: readonly DeliveryFacts[]) => {
    const parsed = settings();
    return facts.map((fact) => formatDelivery(plugin, fact, parsed));
  };
  const sent = (facts: readonly DeliveryFacts[]) => run(facts).filter((result): result is PostbackRequest => !isSkip(result));
  return [
    {
      name: 'formats every event as an absolute http(s) request, or skips it with a reason',
      run() {
        const results = run(eventScenario('abc123', FULL_SCENARIO));
        assert.ok(results.some((result) => !isSkip(result)), 'the plugin sends nothing at all');
        for (const result of results) {
          if (isSkip(result)) assert.ok(typeof result.skip === 'string' && result.skip.trim().length > 0, 'a skip needs a reason');
          else assertRequestShape(result);
        }
      },
    },
    {
      name: 'URL-encodes click IDs with &, #, spaces and unicode, adding no parameter',
      run() {
        const plainRequests = sent(eventScenario('abc123', FULL_SCENARIO));
        const plain = plainRequests.map(paramKeys);
        // A request keyed otherwise (Everflow's reversal by order ID) carries no click ID at all.
        const withClick = plainRequests.map((request) => carries(request, 'abc123'));
        for (const clickId of HOSTILE_CLICK_IDS) {
          const requests = sent(eventScenario(clickId, FULL_SCENARIO));
          requests.forEach((request, index) => {
            const url = new URL(request.url);
            assert.equal(url.hash, '', `click ID ${JSON.stringify(clickId)} made a fragment in ${request.url}`);
            assert.ok(!/\s/.test(request.url), `raw whitespace in ${request.url}`);
            assert.deepEqual(paramKeys(request), plain[index], `click ID ${JSON.stringify(clickId)} changed the parameters of ${request.url}`);
            assert.ok(!withClick[index] || carries(request, clickId), `click ID ${JSON.stringify(clickId)} does not arrive intact in ${request.url}`);
          });
        }
      },
    },
    {
      name: 'formats the same event into the same request every time',
      run() {
        const facts = eventScenario('abc123', FULL_SCENARIO);
        assert.deepEqual(run(facts), run(structuredClone(facts)));
      },
    },
    {
      name: 'keeps a retry identical and tells two commissions of one click apart',
      run() {
        const facts = eventScenario('abc123', [{ earn: '5', id: 'C1' }, { earn: '5', id: 'C2' }]);
        const [, first, second] = run(facts);
        assert.ok(first && second);
        assert.deepEqual(run(facts)[1], first, 'a retry formatted a different request');
        // A tracker declared to dedupe by nothing adds every postback: there is no key to tell them apart by.
        const keyed = booksOf(plugin, settings()).dedupe !== 'none';
        if (keyed && !isSkip(first) && !isSkip(second)) assert.notDeepEqual(first, second, 'two commissions of one click got the same request');
      },
    },
    {
      name: 'prints amounts exactly: no float noise, no exponent',
      run() {
        for (const amount of ['0.3', '0.000001', '1234567890123.456789', '19.99']) {
          const [, commission] = sent(eventScenario('abc123', [{ earn: amount }]));
          if (commission) assert.ok(values(commission).includes(amount), `amount ${amount} not found as such in ${commission.url}`);
        }
        const requests = sent(eventScenario('abc123', [{ earn: '0.1' }, { earn: '0.2' }, { adjust: 0, to: '0.7' }]));
        for (const request of requests) {
          for (const value of values(request)) {
            assert.ok(!/^-?\d+(\.\d+)?e[+-]?\d+$/i.test(value), `exponent in ${value}`);
            assert.ok(!/\d\.\d*0000000000|\d\.\d*9999999999/.test(value), `float noise in ${value}`);
          }
        }
      },
    },
    {
      name: 'never prints undefined, null or NaN',
      run() {
        for (const request of sent(eventScenario('abc123', FULL_SCENARIO))) {
          for (const value of [...values(request), request.url]) {
            assert.ok(!/undefined|\bnull\b|NaN|\[object /.test(value), `"${value}" in ${request.url}`);
          }
        }
      },
    },
    {
      name: 'refuses settings that are missing',
      run() {
        for (const key of fixture.required ?? []) {
          const without = Object.fromEntries(Object.entries(fixture.settings).filter(([name]) => name !== key));
          assert.throws(() => plugin.parseSettings(without), (error: unknown) => error instanceof PluginSettingsError && error.field === `settings.${key}`, `missing ${key} was accepted`);
        }
        settings();
      },
    },
    {
      name: `handles adjustments as declared (${plugin.adjustments})`,
      run() {
        const results = run(eventScenario('abc123', FULL_SCENARIO));
        const adjustments = results.slice(3);
        if (plugin.adjustments === 'unsupported') assert.ok(adjustments.every(isSkip), 'an unsupported adjustment was sent');
        if (plugin.adjustments === 'status') assert.ok(adjustments.slice(0, 2).every(isSkip), 'a partial change was sent by a status-only plugin');
      },
    },
  ];
}

/**
 * The `describe` and `it` of the test runner the checks are declared with: `node:test`'s, or mocha's, jest's
 * and vitest's (which are also globals). Only a name and a synchronous body are passed.
 */
export interface TestRunner {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => void): unknown;
}

/**
 * Declares the suite as one `describe` block of checks. Pass the runner's functions, e.g.
 * `import { describe, it } from 'node:test'; describeConformance(plugin, fixture, { describe, it })`;
 * without them the global `describe` and `it` are used (mocha, jest, vitest with globals).
 */
export function describeConformance(plugin: FormatterPlugin, fixture: ConformanceFixture, runner: TestRunner = globalRunner()): void {
  void runner.describe(`conformance: plugin "${plugin.name}"`, () => {
    for (const check of conformanceChecks(plugin, fixture)) {
      void runner.it(check.name, () => {
        check.run();
      });
    }
  });
}

function globalRunner(): TestRunner {
  const globals = globalThis as { describe?: unknown; it?: unknown };
  if (typeof globals.describe !== 'function' || typeof globals.it !== 'function') {
    throw new TypeError("describeConformance: no global describe/it here; pass your runner's, e.g. { describe, it } from 'node:test'");
  }
  return { describe: globals.describe as TestRunner['describe'], it: globals.it as TestRunner['it'] };
}

function assertRequestShape(request: PostbackRequest): void {
  assert.ok(['GET', 'POST'].includes(request.method), `method ${request.method}`);
  const url = new URL(request.url);
  assert.ok(url.protocol === 'http:' || url.protocol === 'https:', `not http(s): ${request.url}`);
}

function paramKeys(request: PostbackRequest): string[] {
  return [...new URL(request.url).searchParams.keys()];
}

// Decoded query values, plus the body's form or JSON values.
function values(request: PostbackRequest): string[] {
  const out = [...new URL(request.url).searchParams.values()];
  if (request.body) {
    try {
      out.push(...Object.values(JSON.parse(request.body) as Record<string, unknown>).map(String));
    } catch {
      out.push(...new URLSearchParams(request.body).values());
    }
  }
  return out;
}

function carries(request: PostbackRequest, clickId: string): boolean {
  return values(request).includes(clickId) || new URL(request.url).pathname.split('/').map(decodeURIComponent).includes(clickId);
}
