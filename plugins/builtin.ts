// Every built-in formatter plugin, in one list the relay registers before the host's own.

import type { FormatterPlugin } from '../lib/plugins/types.js';
import createAffisePlugin from './affise/index.js';
import createBeMobPlugin from './bemob/index.js';
import createBinomPlugin from './binom/index.js';
import createBrowserPlugin from './browser/index.js';
import createCakePlugin from './cake/index.js';
import createClickFlarePlugin from './clickflare/index.js';
import createEverflowPlugin from './everflow/index.js';
import createFunnelFluxPlugin from './funnelflux/index.js';
import createGenericPlugin from './generic/index.js';
import createKeitaroPlugin from './keitaro/index.js';
import createPeerClickPlugin from './peerclick/index.js';
import createProsper202Plugin from './prosper202/index.js';
import createRedTrackPlugin from './redtrack/index.js';
import createScaleoPlugin from './scaleo/index.js';
import createTrackierPlugin from './trackier/index.js';
import createTunePlugin from './tune/index.js';
import createVoluumPlugin from './voluum/index.js';

/** A fresh instance of every built-in plugin. */
export function builtinPlugins(): FormatterPlugin[] {
  return [
    createGenericPlugin(),
    createBrowserPlugin(),
    createVoluumPlugin(),
    createRedTrackPlugin(),
    createBinomPlugin(),
    createKeitaroPlugin(),
    createClickFlarePlugin(),
    createBeMobPlugin(),
    createPeerClickPlugin(),
    createFunnelFluxPlugin(),
    createEverflowPlugin(),
    createTunePlugin(),
    createCakePlugin(),
    createAffisePlugin(),
    createScaleoPlugin(),
    createTrackierPlugin(),
    createProsper202Plugin(),
  ];
}
