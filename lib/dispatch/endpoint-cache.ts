// What is derived from an endpoint once per version (its parsed settings, its secrets' masker), kept until it changes.

import type { Endpoint } from '../endpoints/types.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { maskerFor } from '../secrets.js';
import type { Masker } from '../secrets.js';

const MAX_ENDPOINTS = 10_000;

// Shown instead of any text when the plugin cannot say what its secrets are: nothing unmasked may reach the log.
const WITHHELD = '[withheld: the plugin could not list its secret values]';

/** Per endpoint version, not per postback: settings parsed once, the masker built once; emptied past 10,000 endpoints. */
export class EndpointCache {
  readonly #plugins: PluginRegistry;
  readonly #settings = new Map<string, Versioned<unknown>>();
  readonly #maskers = new Map<string, Versioned<Masker>>();
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
    if (this.#hostOf.size >= MAX_ENDPOINTS) {
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

interface Versioned<V> {
  version: number;
  value: V;
}

// By endpoint id, holding the version it was derived from: a lookup builds no key, and a new version replaces the old.
function perVersion<V>(cache: Map<string, Versioned<V>>, endpoint: Endpoint, make: () => V): V {
  const version = endpoint.updatedAt.getTime();
  const held = cache.get(endpoint.id);
  if (held?.version === version) return held.value;
  if (held === undefined && cache.size >= MAX_ENDPOINTS) cache.clear();
  const value = make();
  cache.set(endpoint.id, { version, value });
  return value;
}
