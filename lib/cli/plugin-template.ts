// The files `postback-relay plugin init` writes: a plugin package that builds, tests and publishes as it stands.

/** What the generated package is named after. */
export interface PluginTemplateValues {
  /** The plugin's registry name, e.g. `acme`. */
  name: string;
  /** The npm package name, e.g. `postback-relay-plugin-acme`. */
  packageName: string;
  /** The relay version the package is written against, for its peer dependency. */
  relayVersion: string;
}

/** The package's files, by path inside its folder. */
export function pluginPackageFiles(values: PluginTemplateValues): Record<string, string> {
  return {
    'package.json': packageJson(values),
    'tsconfig.json': TSCONFIG,
    'index.ts': indexTs(values),
    'test/plugin.test.ts': testTs(values),
    'README.md': readme(values),
    '.gitignore': 'node_modules/\ndist/\n*.tgz\n',
  };
}

function title(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

// A TypeScript identifier part from a plugin name: \`my-tracker\` -> \`MyTracker\`, \`2track\` -> \`T2track\`.
function pascal(name: string): string {
  const joined = name.split(/[-_]/).map(title).join('');
  return /^\d/.test(joined) ? `T${joined}` : joined;
}

function packageJson({ name, packageName, relayVersion }: PluginTemplateValues): string {
  const relay = `^${relayVersion}`;
  const pkg = {
    name: packageName,
    version: '0.1.0',
    description: `${title(name)} tracker postbacks for postback-relay`,
    type: 'module',
    license: 'MIT',
    keywords: ['postback-relay', 'postback-relay-plugin', 'postback', name],
    // ESM only, like postback-relay itself: the relay loads plugins with `import`.
    exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
    files: ['dist/index.js', 'dist/index.d.ts'],
    engines: { node: '>=20' },
    scripts: {
      build: 'tsc',
      test: 'tsc && node --test dist/test/plugin.test.js',
      prepack: 'tsc',
    },
    peerDependencies: { 'postback-relay': relay },
    devDependencies: { '@types/node': '^20.19.0', 'postback-relay': relay, typescript: '^5.9.3' },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      declaration: true,
      outDir: 'dist',
      rootDir: '.',
      skipLibCheck: true,
      types: ['node'],
    },
    include: ['index.ts', 'test'],
  },
  null,
  2,
)}\n`;

function indexTs({ name }: PluginTemplateValues): string {
  const tracker = title(name);
  const id = pascal(name);
  return `// ${tracker} postbacks for postback-relay: GET <baseUrl>/postback?cid=&payout=&txid=&event=&currency=&token=.
// Replace the path and parameter names with what ${tracker}'s postback documentation says.

import { definePlugin, defineQueryPlugin, optional } from 'postback-relay';
import type { FormatterPlugin, QuerySettings } from 'postback-relay';

/** The settings of a ${tracker} endpoint besides \`baseUrl\` (the affiliate's tracking domain, which every query plugin has). */
export type ${id}Setting = 'leadEvent' | 'saleEvent' | 'token';

/** Creates the plugin. The relay calls this default export once at start-up. */
export default function create${id}Plugin(): FormatterPlugin<QuerySettings<${id}Setting>> {
  const plugin = defineQueryPlugin<${id}Setting>({
    name: '${name}',
    description: '${tracker}: GET <baseUrl>/postback?cid=&payout=&txid=&event=',
    // How ${tracker} takes a changed commission. 'replace': the same txid sent again with the new payout
    // updates the conversion. Others: 'delta' (a conversion of its own for the difference), 'status' (only a
    // full clawback, as a rejection), 'unsupported' (adjustments are recorded as skipped).
    adjustments: 'replace',
    // Each setting's doc is the help text the relay shows when it is missing or wrong. Without a default it is required.
    settings: {
      leadEvent: { doc: 'the event name ${tracker} counts a lead under', default: 'lead' },
      saleEvent: { doc: 'the event name ${tracker} counts a sale under', default: 'sale' },
      token: { doc: "the postback token from ${tracker}'s settings, if it asks for one (a secret: masked in the API, the delivery log and logs)", default: '' },
    },
    build(context, settings) {
      return {
        path: '/postback',
        params: [
          ['cid', context.lead.clickId],
          // An exact decimal string: printed as it is, never through a float.
          ['payout', context.payout],
          // Stable per conversion: a retry is counted once, two commissions count twice.
          ['txid', context.transactionId],
          ['event', context.event === 'lead_created' ? settings.leadEvent : settings.saleEvent],
          // null leaves a parameter out: a lead has no currency, an empty token is not sent.
          ['currency', context.currency],
          ['token', optional(settings.token)],
        ],
      };
    },
  });
  return definePlugin({
    ...plugin,
    secretValues: (settings) => (typeof settings.token === 'string' && settings.token !== '' ? [settings.token] : []),
  });
}
`;
}

function testTs({ name }: PluginTemplateValues): string {
  const tracker = title(name);
  const id = pascal(name);
  return `// The plugin's own tests: the conformance suite every postback-relay plugin passes, and golden requests.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConformance, eventScenario, formatDelivery } from 'postback-relay/testing';
import create${id}Plugin from '../index.js';

const plugin = create${id}Plugin();
const settings = { baseUrl: 'https://trk.${name}.example', token: 's3cret' };

// Encoding, determinism, one key per conversion, exact amounts, required settings, the adjustment family.
describeConformance(plugin, { settings, required: ['baseUrl'] }, { describe, it });

describe('${name} requests', () => {
  it('formats a lead, a commission and its adjustment exactly as ${tracker} expects', () => {
    const parsed = plugin.parseSettings(settings);
    // Each event goes through the relay's own formatting step, which shapes adjustments by the declared family.
    const requests = eventScenario('click 1', [{ earn: '12.5' }, { adjust: 0, to: '10' }]).map((facts) => formatDelivery(plugin, facts, parsed));
    assert.deepEqual(requests, [
      { method: 'GET', url: 'https://trk.${name}.example/postback?cid=click%201&payout=0&txid=lead-L1&event=lead&token=s3cret' },
      { method: 'GET', url: 'https://trk.${name}.example/postback?cid=click%201&payout=12.5&txid=com-C1&event=sale&currency=EUR&token=s3cret' },
      { method: 'GET', url: 'https://trk.${name}.example/postback?cid=click%201&payout=10&txid=com-C1&event=sale&currency=EUR&token=s3cret' },
    ]);
  });

  it('refuses a base URL with a query, naming the setting', () => {
    assert.throws(() => plugin.parseSettings({ baseUrl: 'https://trk.${name}.example/?a=1' }), /baseUrl/);
  });

  it('declares the token a secret, so the relay masks it', () => {
    assert.deepEqual(plugin.secretValues?.(settings), ['s3cret']);
  });
});
`;
}

function readme({ name, packageName }: PluginTemplateValues): string {
  const tracker = title(name);
  return `# ${packageName}

${tracker} tracker postbacks for [postback-relay](https://www.npmjs.com/package/postback-relay): a formatter
plugin named \`${name}\`.

## Use it

\`\`\`sh
npm install ${packageName}
POSTBACK_RELAY_PLUGINS=${packageName} postback-relay serve
\`\`\`

or in-process: \`createPostbackRelay({ ..., plugins: [create${pascal(name)}Plugin()] })\`. Then create an endpoint with
\`"plugin": "${name}"\`:

| Setting | Default | What it is |
|---|---|---|
| \`baseUrl\` | (required) | the affiliate's ${tracker} tracking domain, e.g. \`https://trk.${name}.example\` |
| \`leadEvent\` | \`lead\` | the event name ${tracker} counts a lead under |
| \`saleEvent\` | \`sale\` | the event name ${tracker} counts a sale under |
| \`token\` | (none) | the postback token, if ${tracker} asks for one (masked in the API and logs) |

Adjustments: \`replace\` (the commission's \`txid\` sent again with the new payout).

## Develop

\`\`\`sh
npm install
npm test        # builds, then runs the conformance suite and the golden requests with node:test
npm publish     # builds first (prepack)
\`\`\`
`;
}
