// `npm run docs:openapi`: rewrites docs/openapi.json from the routes' contracts (a test fails while it is stale).

import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../lib/http/openapi.js';
import { createPluginRegistry } from '../lib/plugins/registry.js';
import { VERSION } from '../lib/version.js';
import { builtinPlugins } from '../plugins/builtin.js';

const plugins = createPluginRegistry(builtinPlugins());
writeFileSync(new URL('../../docs/openapi.json', import.meta.url), `${JSON.stringify(buildOpenApiDocument(VERSION, { plugins }), null, 2)}\n`);
