// Endpoint management: the schema, then the plugin's own settings check, then the store.

import { NotFoundError, ValidationError } from '../errors.js';
import { EVENT_NAMES } from '../events/types.js';
import { driftReport } from '../drift/report.js';
import type { DriftQuery, DriftReport } from '../drift/report.js';
import type { DriftStore } from '../drift/store.js';
import { booksOf } from '../plugins/capabilities.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { maskSettings, maskerFor } from '../secrets.js';
import type { EndpointsStore, EndpointValues } from '../store/endpoints-store.js';
import { check } from '../validation.js';
import { endpointPatchSchema, endpointSchema } from './schema.js';
import type { Endpoint } from './types.js';
import { endpointWarnings } from './warnings.js';
import type { EndpointWarning } from './warnings.js';

export class EndpointService {
  readonly #store: EndpointsStore;
  readonly #plugins: PluginRegistry;
  readonly #drift: DriftStore;

  constructor(store: EndpointsStore, plugins: PluginRegistry, drift: DriftStore) {
    this.#store = store;
    this.#plugins = plugins;
    this.#drift = drift;
  }

  /** The endpoint's drift report: per click, what its tracker should show beside the platform's truth (docs/drift.md). */
  async drift(id: string, query: DriftQuery = {}): Promise<DriftReport> {
    return driftReport(this.#drift, this.#plugins, await this.get(id), query);
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
      adjustmentMode: valid.adjustmentMode ?? null,
    };
    this.#check(values);
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
      adjustmentMode: 'adjustmentMode' in given ? (valid.adjustmentMode ?? null) : current.adjustmentMode,
    };
    this.#check(values);
    await this.#store.update(id, values, new Date());
    return this.get(id);
  }

  /** What the operator should know about how this endpoint's tracker keeps its books (shown when it is saved). */
  warnings(endpoint: Endpoint): EndpointWarning[] {
    const plugin = this.#plugins.get(endpoint.plugin);
    return endpointWarnings(plugin.name, booksOf(plugin, plugin.parseSettings(endpoint.settings)), endpoint.adjustmentMode);
  }

  // The plugin checks its settings; the adjustment mode must be one the plugin supports with those settings.
  #check(values: EndpointValues): void {
    const plugin = this.#plugins.get(values.plugin);
    const books = booksOf(plugin, plugin.parseSettings(values.settings));
    if (values.adjustmentMode !== null && !books.adjustmentModes.includes(values.adjustmentMode)) {
      throw new ValidationError('adjustmentMode', `must be one of ${books.adjustmentModes.join(', ')} for plugin "${plugin.name}" with these settings, got "${values.adjustmentMode}"`);
    }
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
