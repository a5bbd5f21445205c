// Every built-in formatter plugin, taken from its module through the same contract as a third-party package's.

import { pluginFromModule } from '../lib/plugins/loader.js';
import type { FormatterPlugin } from '../lib/plugins/types.js';
import * as affise from './affise/index.js';
import * as bemob from './bemob/index.js';
import * as binom from './binom/index.js';
import * as browser from './browser/index.js';
import * as cake from './cake/index.js';
import * as clickflare from './clickflare/index.js';
import * as everflow from './everflow/index.js';
import * as funnelflux from './funnelflux/index.js';
import * as generic from './generic/index.js';
import * as keitaro from './keitaro/index.js';
import * as peerclick from './peerclick/index.js';
import * as prosper202 from './prosper202/index.js';
import * as redtrack from './redtrack/index.js';
import * as scaleo from './scaleo/index.js';
import * as trackier from './trackier/index.js';
import * as tune from './tune/index.js';
import * as voluum from './voluum/index.js';

// Module namespaces, as `import()` gives them for a package: the default export is the plugin or its factory.
const MODULES = { generic, browser, voluum, redtrack, binom, keitaro, clickflare, bemob, peerclick, funnelflux, everflow, tune, cake, affise, scaleo, trackier, prosper202 };

/** A fresh instance of every built-in plugin, in one list the relay registers before the host's own. */
export function builtinPlugins(): FormatterPlugin[] {
  return Object.entries(MODULES).map(([folder, module]) => pluginFromModule(module, `built-in plugin module "plugins/${folder}"`));
}
