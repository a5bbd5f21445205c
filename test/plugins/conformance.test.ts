// Every built-in plugin passes the conformance suite plugin authors get from postback-relay/testing.

import { expect } from 'chai';
import { describeConformance } from '../../lib/testing/index.js';
import { builtinPlugins } from '../../plugins/builtin.js';
import { BUILTIN_FIXTURES } from './builtin-fixtures.js';

const plugins = builtinPlugins();

describe('built-in plugins', () => {
  it('has a conformance fixture for every built-in plugin', () => {
    expect(plugins.map((plugin) => plugin.name).sort()).to.deep.equal(Object.keys(BUILTIN_FIXTURES).sort());
  });
});

for (const plugin of plugins) {
  const fixture = BUILTIN_FIXTURES[plugin.name];
  if (fixture) describeConformance(plugin, fixture);
}
