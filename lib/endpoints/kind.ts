// An endpoint's kind: postbacks sent server to server, or a pixel the visitor's browser loads. Its plugin declares which.

import type { PluginRegistry } from '../plugins/registry.js';
import type { Endpoint } from './types.js';

/** `s2s`: the dispatcher sends its postbacks. `browser`: the pixel script loads it after a form fill. */
export type EndpointKind = 's2s' | 'browser';

/**
 * The kind its plugin declares (`kind: 'browser'`, else `s2s`). An endpoint whose plugin is not loaded counts
 * as `s2s`, so its deliveries are planned and fail as an unknown plugin's do, instead of vanishing.
 */
export function endpointKind(endpoint: Pick<Endpoint, 'plugin'>, plugins: PluginRegistry): EndpointKind {
  return plugins.find(endpoint.plugin)?.kind === 'browser' ? 'browser' : 's2s';
}
