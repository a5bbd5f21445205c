// The server loads its modules with Intl.ListFormat deferring the real formatter to first use (got's dependency builds
// two at import, whose ICU data would stay resident): the formatters word lists as the real ones, and the window closes.

import { expect } from 'chai';
import { withDeferredListFormats } from '../../lib/server/deferred-list-format.js';

const LISTS = [[], ['a'], ['a', 'b'], ['string', 'number', 'bigint']];
const OPTIONS: Intl.ListFormatOptions[] = [{}, { style: 'long', type: 'conjunction' }, { style: 'long', type: 'disjunction' }, { style: 'narrow', type: 'unit' }];

describe('withDeferredListFormats', () => {
  const Original = Intl.ListFormat;
  let built: number;

  // The real constructor, counted: what the deferring one must build only on first use, and once.
  beforeEach(() => {
    built = 0;
    const counted = class extends Original {
      constructor(...args: ConstructorParameters<typeof Intl.ListFormat>) {
        super(...args);
        built += 1;
      }
    };
    Object.defineProperty(Intl, 'ListFormat', { value: counted });
  });
  afterEach(() => {
    Object.defineProperty(Intl, 'ListFormat', { value: Original });
  });

  it('words every list as the real formatter does, for each style and type, in English and German', async () => {
    for (const locale of ['en', 'de']) {
      for (const options of OPTIONS) {
        const deferred = await withDeferredListFormats(() => Promise.resolve(new Intl.ListFormat(locale, options)));
        const real = new Original(locale, options);
        for (const list of LISTS) {
          expect(deferred.format(list), `${locale} ${JSON.stringify(options)} ${list.join()}`).to.equal(real.format(list));
          expect(deferred.formatToParts(list)).to.deep.equal(real.formatToParts(list));
        }
        expect(deferred.resolvedOptions()).to.deep.equal(real.resolvedOptions());
      }
    }
    expect(await withDeferredListFormats(() => Promise.resolve(Intl.ListFormat.supportedLocalesOf(['de', 'xx-Qqqq'])))).to.deep.equal(Original.supportedLocalesOf(['de', 'xx-Qqqq']));
  });

  it('builds no real formatter until one is used, then builds it once', async () => {
    const formatters = await withDeferredListFormats(() =>
      Promise.resolve([new Intl.ListFormat('en', { type: 'conjunction' }), new Intl.ListFormat('en', { type: 'disjunction' })]),
    );
    expect(built).to.equal(0);
    expect(formatters[1]?.format(['a', 'b'])).to.equal('a or b');
    expect(formatters[1]?.format(['a', 'b', 'c'])).to.equal('a, b, or c');
    expect(built).to.equal(1);
  });

  it('puts the real constructor back when the load ends, and when it fails', async () => {
    const counted = Intl.ListFormat;
    let during: typeof Intl.ListFormat | undefined;
    await withDeferredListFormats(() => {
      during = Intl.ListFormat;
      return Promise.resolve();
    });
    expect(during).to.not.equal(counted);
    expect(Intl.ListFormat).to.equal(counted);
    const failure = new Error('an import failed');
    const caught = await withDeferredListFormats(() => Promise.reject(failure)).catch((error: unknown) => error);
    expect(caught).to.equal(failure);
    expect(Intl.ListFormat).to.equal(counted);
    // Made after the window, a formatter is the real one, built at once.
    new Intl.ListFormat('en');
    expect(built).to.equal(1);
  });

  it('on a node without Intl (built without ICU) only runs the load', async () => {
    const intl = Object.getOwnPropertyDescriptor(globalThis, 'Intl');
    Object.defineProperty(globalThis, 'Intl', { value: undefined });
    try {
      expect(await withDeferredListFormats(() => Promise.resolve('loaded'))).to.equal('loaded');
    } finally {
      if (intl) Object.defineProperty(globalThis, 'Intl', intl);
    }
  });

  it('reports a bad locale at first use, as the real one would at construction', async () => {
    expect(() => new Original('not a locale')).to.throw(RangeError);
    const deferred = await withDeferredListFormats(() => Promise.resolve(new Intl.ListFormat('not a locale')));
    expect(() => deferred.format(['a'])).to.throw(RangeError);
  });
});
