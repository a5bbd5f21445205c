// One send of one delivery: format it with its plugin, take a slot of its host, put it on the wire.

import { describeError } from '../log.js';
import { booksOf } from '../plugins/capabilities.js';
import type { TrackerDedupe } from '../plugins/capabilities.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { isSkip } from '../plugins/types.js';
import type { PostbackRequest, PostbackSkip } from '../plugins/types.js';
import type { ClaimedDelivery } from '../store/outbox-store.js';
import type { EndpointCache } from './endpoint-cache.js';
import { formatDelivery, judgeSend } from './format.js';
import type { Judged } from './format.js';
import { hostOf } from './host-guard.js';
import type { Busy, HostGuard } from './host-guard.js';
import type { PostbackClient, SendResult } from './http-client.js';

/** What one send did: a request made (or one that could not be formatted), a busy host, or a skip. */
export type Sent =
  | { request: PostbackRequest | undefined; result: SendResult; latencyMs: number; judged: Judged; /** How the tracker dedupes, when its plugin says. */ dedupe?: TrackerDedupe }
  | { busy: Busy; host: string }
  | { skip: string };

/** Sends deliveries the same way for real deliveries and test postbacks. */
export class Sender {
  readonly #plugins: PluginRegistry;
  readonly #client: PostbackClient;
  readonly #hosts: HostGuard;
  readonly #cache: EndpointCache;

  constructor(deps: { plugins: PluginRegistry; client: PostbackClient; hosts: HostGuard; cache: EndpointCache }) {
    this.#plugins = deps.plugins;
    this.#client = deps.client;
    this.#hosts = deps.hosts;
    this.#cache = deps.cache;
  }

  /**
   * Formats and sends `delivery`; `onSlot` is called once its host's slot is free again. Never rejects: a plugin
   * hook that throws is a failed attempt that never left (`unreached`), with the error recorded. With
   * `waitForSlot` (a test postback, which has no line to wait in) a slot being taken from the fleet is waited for,
   * up to `waitForSlot` ms.
   */
  async send(delivery: ClaimedDelivery, onSlot: (host: string) => void, signal?: AbortSignal, waitForSlot = 0): Promise<Sent> {
    let formatted: PostbackRequest | PostbackSkip;
    try {
      formatted = this.#format(delivery);
    } catch (error) {
      const message = `could not format the postback: ${describeError(error)}`;
      const result: SendResult = { ok: false, error: message, failureKind: 'unreached', blocked: false, statusCode: null, bodyExcerpt: null };
      return { request: undefined, result, latencyMs: 0, judged: { delivered: false, error: message, failureKind: 'unreached' } };
    }
    if (isSkip(formatted)) return { skip: formatted.skip };
    const request = formatted;
    const host = hostOf(request.url);
    this.#cache.noteHost(delivery.endpoint, host);
    let busy = this.#hosts.enter(host, Date.now());
    if (busy?.soon === true && waitForSlot > 0) {
      await this.#hosts.taken(host, waitForSlot);
      busy = this.#hosts.enter(host, Date.now());
    }
    if (busy) return { busy, host };
    const started = performance.now();
    const result = await this.#client.send(request, signal);
    this.#hosts.leave(host, result.ok && result.statusCode < 500, Date.now());
    onSlot(host);
    const judged = this.#judge(delivery, result);
    return { request, result, latencyMs: Math.round(performance.now() - started), judged, dedupe: this.#dedupe(delivery) };
  }

  #format(delivery: ClaimedDelivery): PostbackRequest | PostbackSkip {
    const plugin = this.#plugins.get(delivery.endpoint.plugin);
    return formatDelivery(plugin, delivery, this.#cache.settings(delivery.endpoint), delivery.endpoint.adjustmentMode);
  }

  // The endpoint formatted a moment ago, so its plugin and settings are known; a declaration that throws says nothing.
  #dedupe(delivery: ClaimedDelivery): TrackerDedupe | undefined {
    try {
      return booksOf(this.#plugins.get(delivery.endpoint.plugin), this.#cache.settings(delivery.endpoint)).dedupe;
    } catch {
      return undefined;
    }
  }

  #judge(delivery: ClaimedDelivery, result: SendResult): Judged {
    try {
      return judgeSend(this.#plugins.get(delivery.endpoint.plugin), result);
    } catch (error) {
      // The plugin was found at format time; one gone since leaves the answer unjudged.
      return { delivered: false, error: describeError(error), failureKind: 'ambiguous' };
    }
  }
}
