// What is derived from an endpoint once per version (its parsed settings, its secrets' masker), kept until it changes.

import type { Endpoint } from '../endpoints/types.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { maskerFor } from '../secrets.js';
import type { Masker } from '../secrets.js';

const MAX_VERSIONS = 10_000;

// Shown instead of any text when the plugin cannot say what its secrets are: nothing unmasked may reach the log.
const WITHHELD = '[withheld: the plugin could not list its secret values]';

/** Per endpoint version, not per postback: settings parsed once, the masker built once; emptied past 10,000 versions. */
export class EndpointCache {
  readonly #plugins: PluginRegistry;
  readonly #settings = new Map<string, unknown>();
  readonly #maskers = new Map<string, Masker>();

  constructor(plugins: PluginRegistry) {
    this.#plugins = plugins;
  }

  /** The endpoint's settings as its plugin parses them; throws what the plugin throws (the caller records it). */
  settings(endpoint: Endpoint): unknown {
    return perVersion(this.#settings, endpoint, () => this.#plugins.get(endpoint.plugin).parseSettings(endpoint.settings));
  }

  /** The masker for the endpoint's secrets; one that withholds everything when the plugin's `secretValues` throws. */
  masker(endpoint: Endpoint): Masker {
    return perVersion(this.#maskers, endpoint, () => {
      try {
        return maskerFor(this.#plugins, endpoint);
      } catch {
        return () => WITHHELD;
      }
    });
  }
}

function perVersion<V>(cache: Map<string, V>, endpoint: Endpoint, make: () => V): V {
  const key = `${endpoint.id}@${endpoint.updatedAt.getTime()}`;
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= MAX_VERSIONS) cache.clear();
    value = make();
    cache.set(key, value);
  }
  return value;
}
