// docs/plugins.md stays true: every built-in plugin has a row, and the guide's example is the fixture loaded in tests.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { booksOf } from '../../lib/plugins/capabilities.js';
import { builtinPlugins } from '../../plugins/builtin.js';
import { BUILTIN_FIXTURES } from './builtin-fixtures.js';

const root = resolve(import.meta.dirname, '../..');
const docs = await readFile(resolve(root, 'docs/plugins.md'), 'utf8');

describe('docs/plugins.md', () => {
  it('has a table row for every built-in plugin, with its adjustment family', () => {
    for (const plugin of builtinPlugins()) {
      const row = docs.split('\n').find((line) => line.includes(`| \`${plugin.name}\` |`));
      expect(row, plugin.name).to.be.a('string');
      expect(row).to.include(`\`${plugin.adjustments}\``);
    }
  });

  it('lists the adjustment modes each plugin supports with its test settings, default first', () => {
    for (const plugin of builtinPlugins()) {
      const row = docs.split('\n').find((line) => line.includes(`| \`${plugin.name}\` |`)) ?? '';
      const modes = booksOf(plugin, plugin.parseSettings(BUILTIN_FIXTURES[plugin.name]?.settings ?? {})).adjustmentModes;
      expect(row, plugin.name).to.include(modes.map((mode) => `\`${mode}\``).join(', '));
    }
  });

  it('lists every setting of a plugin with its default, required ones as such, and guessed defaults marked', () => {
    for (const plugin of builtinPlugins()) {
      const row = docs.split('\n').find((line) => line.includes(`| \`${plugin.name}\` |`)) ?? '';
      for (const [key, spec] of Object.entries(plugin.settingsSchema ?? {})) {
        const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        if (spec.default === undefined) {
          if (key !== 'baseUrl') expect(row, `${plugin.name}.${key}`).to.include(`\`${key}\` (required)`);
        } else if (spec.default !== '') {
          expect(row, `${plugin.name}.${key}`).to.include(`\`${key}\`=${spec.default}`);
        } else {
          expect(row, `${plugin.name}.${key}`).to.match(new RegExp(`\`${escaped}\`=\\(`));
        }
        if (spec.guessed) expect(row, `${plugin.name}.${key} is guessed`).to.match(new RegExp(`\`${escaped}\`=[^,|]*\\*guessed\\*`));
      }
    }
  });

  it('shows the example plugin exactly as the fixture the tests load by name', async () => {
    const fixture = await readFile(resolve(root, 'test/fixtures/example-plugin/index.ts'), 'utf8');
    const asPublished = fixture
      .split('\n')
      .filter((line) => !line.startsWith('//'))
      .join('\n')
      .replace("'../../../lib/index.js'", "'postback-relay'")
      .trim();
    expect(docs).to.include(asPublished);
  });
});
