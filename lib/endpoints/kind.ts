// An endpoint's kind: postbacks sent server to server, or a pixel the visitor's browser loads.

import type { Endpoint } from './types.js';

/** The plugin whose endpoints are of kind `browser`. */
export const BROWSER_PLUGIN = 'browser';

/** `s2s`: the dispatcher sends its postbacks. `browser`: the pixel script loads it after a form fill. */
export type EndpointKind = 's2s' | 'browser';

export function endpointKind(endpoint: Pick<Endpoint, 'plugin'>): EndpointKind {
  return endpoint.plugin === BROWSER_PLUGIN ? 'browser' : 's2s';
}
