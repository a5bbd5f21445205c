// Endpoint management: the schema, then the plugin's own settings check, then the store.

import { NotFoundError } from '../errors.js';
import { EVENT_NAMES } from '../events/types.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { maskSettings, maskerFor } from '../secrets.js';
import type { EndpointsStore, EndpointValues } from '../store/endpoints-store.js';
import { check } from '../validation.js';
import { endpointPatchSchema, endpointSchema } from './schema.js';
import type { Endpoint } from './types.js';

export class EndpointService {
  readonly #store: EndpointsStore;
  readonly #plugins: PluginRegistry;

  constructor(store: EndpointsStore, plugins: PluginRegistry) {
    this.#store = store;
    this.#plugins = plugins;
  }

  /** Creates an endpoint; its settings are checked by its plugin, so a bad one is refused now, not at send time. */
  async create(input: unknown): Promise<Endpoint> {
    const valid = check(endpointSchema, input);
    const values: EndpointValues = {
      affiliateId: valid.affiliateId,
      offerId: valid.offerId ?? null,
      name: valid.name ?? null,
      plugin: valid.plugin,
      settings: valid.settings,
      events: valid.events ?? [...EVENT_NAMES],
      enabled: valid.enabled ?? true,
    };
    this.#plugins.get(values.plugin).parseSettings(values.settings);
    return this.#store.create(values, new Date());
  }

  /** Changes the given fields; `offerId: null` and `name: null` clear them. */
  async update(id: string, patch: unknown): Promise<Endpoint> {
    const current = await this.get(id);
    const valid = check(endpointPatchSchema, patch);
    const given = patch as Record<string, unknown>;
    const values: EndpointValues = {
      affiliateId: valid.affiliateId ?? current.affiliateId,
      offerId: 'offerId' in given ? (valid.offerId ?? null) : current.offerId,
      name: 'name' in given ? (valid.name ?? null) : current.name,
      plugin: valid.plugin ?? current.plugin,
      settings: valid.settings ?? current.settings,
      events: valid.events ?? current.events,
      enabled: valid.enabled ?? current.enabled,
    };
    this.#plugins.get(values.plugin).parseSettings(values.settings);
    await this.#store.update(id, values, new Date());
    return this.get(id);
  }

  async get(id: string): Promise<Endpoint> {
    const endpoint = await this.#store.get(id);
    if (!endpoint) throw new NotFoundError('endpoint', id);
    return endpoint;
  }

  list(filter: { affiliateId?: string | undefined } = {}): Promise<Endpoint[]> {
    return this.#store.list(filter);
  }

  /** The endpoint as the API shows it: secrets in its settings (as its plugin declares them) masked. */
  masked(endpoint: Endpoint): Endpoint {
    return { ...endpoint, settings: maskSettings(endpoint.settings, maskerFor(this.#plugins, endpoint)) };
  }
}
