// `npm run docs:config`: rewrites the settings table in docs/configuration.md from the config schema.

import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigTable } from '../lib/config/docs.js';

const path = new URL('../../docs/configuration.md', import.meta.url);
writeFileSync(path, withConfigTable(readFileSync(path, 'utf8')));
