// The one door from the portal to the store: every read and change is narrowed to one affiliate's own endpoints and deliveries.

import type { DeliveryService } from '../deliveries/service.js';
import type { Delivery } from '../deliveries/types.js';
import { previewPostbacks } from '../dashboard/preview.js';
import type { PostbackPreview } from '../dashboard/preview.js';
import { restoreMasked } from '../dashboard/endpoint-form.js';
import type { TargetPolicy } from '../dispatch/target-guard.js';
import type { TestPostbackResult } from '../dispatch/send-test.js';
import type { DriftQuery, DriftReport } from '../drift/report.js';
import type { EndpointService } from '../endpoints/service.js';
import type { Endpoint, EndpointInput } from '../endpoints/types.js';
import { EndpointLimitError, NotFoundError, PortalActionDisabledError, ValidationError } from '../errors.js';
import type { EventName } from '../events/types.js';
import type { FormatterPlugin } from '../plugins/types.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { recognizePostbackUrl } from '../plugins/recognize.js';
import type { Recognition } from '../plugins/recognize.js';
import { maskerFor } from '../secrets.js';
import type { DeliveryFilter } from '../store/outbox-store.js';
import { check, plainObject } from '../validation.js';
import type { ResolvedPortalOptions } from './options.js';
import { checkPreviewTargets } from './target-check.js';
import type { TestSendLimiter } from './test-limiter.js';

/** What an affiliate may set on its own endpoint: never its affiliate. */
export type AffiliateEndpointDraft = Omit<EndpointInput, 'affiliateId'>;

/** The services the scope narrows, shared by every affiliate. */
export interface PortalServices {
  endpoints: EndpointService;
  deliveries: DeliveryService;
  plugins: PluginRegistry;
  sendTest(endpointId: string, event: EventName): Promise<TestPostbackResult>;
  policy: TargetPolicy;
  limiter: TestSendLimiter;
  options: ResolvedPortalOptions;
  /** The plugins affiliates may choose, in the host's order. */
  offered: readonly FormatterPlugin[];
}

/** Deliveries shown per search. */
export const PORTAL_LOG_LIMIT = 200;

/** What an affiliate searches its log by: only its own endpoints are ever searched, so not by affiliate. */
export const PORTAL_SEARCH_FIELDS = ['clickId', 'endpointId', 'status', 'since', 'until'] as const;
export type PortalSearchField = (typeof PORTAL_SEARCH_FIELDS)[number];

/**
 * One affiliate's view. Another affiliate's endpoint or delivery is answered exactly like one that does not
 * exist (NotFoundError, 404), so ids cannot be probed.
 */
export class AffiliateScope {
  readonly affiliateId: string;
  readonly #s: PortalServices;

  constructor(affiliateId: string, services: PortalServices) {
    this.affiliateId = affiliateId;
    this.#s = services;
  }

  listEndpoints(): Promise<Endpoint[]> {
    return this.#s.endpoints.list({ affiliateId: this.affiliateId });
  }

  /** The affiliate's own endpoint, or a NotFoundError. */
  async endpoint(id: string): Promise<Endpoint> {
    const found = /^\d{1,19}$/.test(id) ? await unlessNotFound(this.#s.endpoints.get(id)) : undefined;
    if (found?.affiliateId !== this.affiliateId) throw new NotFoundError('endpoint', id);
    return found;
  }

  /** An endpoint as the affiliate sees it: its secrets masked. */
  masked(endpoint: Endpoint): Endpoint {
    return this.#s.endpoints.masked(endpoint);
  }

  async createEndpoint(draft: AffiliateEndpointDraft): Promise<Endpoint> {
    const plugin = this.#offered(draft.plugin);
    check(plainObject, draft.settings, 'settings');
    if ((await this.listEndpoints()).length >= this.#s.options.maxEndpoints) throw new EndpointLimitError(this.#s.options.maxEndpoints);
    await this.#checkTargets(plugin, draft.settings, draft.offerId ?? null);
    return this.#s.endpoints.create({ ...draft, affiliateId: this.affiliateId });
  }

  /** Changes the affiliate's own endpoint; a setting sent back exactly as it was shown masked keeps its saved secret. */
  async updateEndpoint(id: string, patch: Partial<AffiliateEndpointDraft>): Promise<Endpoint> {
    const saved = await this.endpoint(id);
    const plugin = this.#offered(patch.plugin ?? saved.plugin);
    const settings = patch.settings === undefined ? saved.settings : plugin === saved.plugin ? (restoreMasked(patch.settings, saved.settings, maskerFor(this.#s.plugins, saved)) as Record<string, unknown>) : patch.settings;
    await this.#checkTargets(plugin, settings, patch.offerId === undefined ? saved.offerId : patch.offerId);
    return this.#s.endpoints.update(saved.id, { ...patch, plugin, settings });
  }

  /** What a draft would send for the sample events, secrets masked; throws the plugin's error for bad settings. */
  preview(plugin: string, settings: Record<string, unknown>, offerId: string | null = null): PostbackPreview[] {
    return previewPostbacks(this.#s.plugins, { affiliateId: this.affiliateId, offerId, plugin: this.#offered(plugin), settings }, new Date());
  }

  /** The offered plugin a pasted postback URL belongs to, with its settings; null when none recognises it. */
  recognize(url: unknown): Recognition | null {
    return recognizePostbackUrl(this.#s.offered, url);
  }

  /** The drift report of the affiliate's own endpoint (docs/drift.md), or a NotFoundError. */
  async drift(id: string, query: DriftQuery): Promise<DriftReport> {
    const saved = await this.endpoint(id);
    return this.#s.endpoints.drift(saved.id, query);
  }

  /** A test postback to the affiliate's own endpoint, counted against its per-minute limit. */
  async sendTest(id: string, event: EventName): Promise<TestPostbackResult> {
    const saved = await this.endpoint(id);
    this.#s.limiter.take(this.affiliateId);
    await this.#checkTargets(saved.plugin, saved.settings, saved.offerId);
    return this.#s.sendTest(saved.id, event);
  }

  /** The affiliate's deliveries matching `filter`, newest first, at most {@link PORTAL_LOG_LIMIT} (+1 to tell there are more). */
  async deliveries(filter: Pick<DeliveryFilter, PortalSearchField>): Promise<Delivery[]> {
    const { endpointId, ...rest } = filter;
    const own = endpointId === undefined ? await this.listEndpoints() : [await this.endpoint(endpointId)];
    return this.#s.deliveries.newestOf(own.map((endpoint) => endpoint.id), rest, PORTAL_LOG_LIMIT + 1);
  }

  /** The affiliate's own delivery with its attempts (URLs were stored with secrets masked), or a NotFoundError. */
  async delivery(id: string): Promise<Delivery> {
    const found = /^\d{1,19}$/.test(id) ? await unlessNotFound(this.#s.deliveries.get(id)) : undefined;
    if (found === undefined || (await unlessNotFound(this.endpoint(found.endpointId))) === undefined) throw new NotFoundError('delivery', id);
    return found;
  }

  /** Sends the affiliate's own failed delivery again, when the host allows affiliates to replay. */
  async replay(id: string): Promise<Delivery> {
    const delivery = await this.delivery(id);
    if (!this.#s.options.allowReplay) throw new PortalActionDisabledError('replay');
    // A delivered postback sent again could count twice at a tracker that does not deduplicate.
    if (delivery.status !== 'failed') throw new ValidationError('status', `only a failed delivery can be replayed; this one is ${delivery.status}`);
    return this.#s.deliveries.replay(delivery.id);
  }

  /** Sends every failed delivery of the affiliate's own endpoint again; returns how many. */
  async replayFailed(endpointId: string): Promise<number> {
    const saved = await this.endpoint(endpointId);
    if (!this.#s.options.allowReplay) throw new PortalActionDisabledError('replay');
    return this.#s.deliveries.replayFailed(saved.id);
  }


  #offered(name: unknown): string {
    const plugin = this.#s.offered.find((candidate) => candidate.name === name);
    if (!plugin) throw new ValidationError('plugin', `must be one of the trackers offered here: ${this.#s.offered.map((candidate) => candidate.name).join(', ')}`);
    return plugin.name;
  }

  async #checkTargets(plugin: string, settings: Record<string, unknown>, offerId: string | null): Promise<void> {
    await checkPreviewTargets(this.#s.policy, this.preview(plugin, settings, offerId));
  }
}

async function unlessNotFound<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
