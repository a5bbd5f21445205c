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
  // The host each endpoint's last postback went to, and the other way round: a claim leaves out busy hosts' endpoints.
  readonly #hostOf = new Map<string, string>();
  readonly #endpointsOf = new Map<string, Set<string>>();

  constructor(plugins: PluginRegistry) {
    this.#plugins = plugins;
  }

  /** The endpoint's settings as its plugin parses them; throws what the plugin throws (the caller records it). */
  settings(endpoint: Endpoint): unknown {
    return perVersion(this.#settings, endpoint, () => this.#plugins.get(endpoint.plugin).parseSettings(endpoint.settings));
  }

  /** Notes that a postback of `endpoint` goes to `host`. */
  noteHost(endpoint: Endpoint, host: string): void {
    const before = this.#hostOf.get(endpoint.id);
    if (before === host) return;
    if (before !== undefined) this.#endpointsOf.get(before)?.delete(endpoint.id);
    if (this.#hostOf.size >= MAX_VERSIONS) {
      this.#hostOf.clear();
      this.#endpointsOf.clear();
    }
    this.#hostOf.set(endpoint.id, host);
    const endpoints = this.#endpointsOf.get(host) ?? new Set<string>();
    endpoints.add(endpoint.id);
    this.#endpointsOf.set(host, endpoints);
  }

  /** The endpoints whose postbacks were last seen going to one of `hosts`. */
  endpointsOf(hosts: Iterable<string>): Set<string> {
    const endpoints = new Set<string>();
    for (const host of hosts) for (const endpoint of this.#endpointsOf.get(host) ?? []) endpoints.add(endpoint);
    return endpoints;
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
