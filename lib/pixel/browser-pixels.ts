// The affiliate's own browser pixels for a lead: its `browser` endpoints' URLs with the macros filled in.

import type { Knex } from 'knex';
import type { DeliveryFacts } from '../dispatch/context.js';
import { formatDelivery } from '../dispatch/format.js';
import type { Lead } from '../events/types.js';
import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { isSkip } from '../plugins/types.js';
import type { EndpointsStore } from '../store/endpoints-store.js';
import type { BrowserPixelType } from '../../plugins/browser/index.js';

/** One pixel the script loads: an image or a hidden iframe at an absolute URL, every value encoded. */
export interface BrowserPixel {
  type: BrowserPixelType;
  url: string;
}

/** Lists a lead's browser pixels; a broken endpoint is logged and left out, never failing the others. */
export type BrowserPixelLister = (lead: Lead) => Promise<BrowserPixel[]>;

export function createBrowserPixelLister(deps: { knex: Knex; endpoints: EndpointsStore; plugins: PluginRegistry; logger: Logger }): BrowserPixelLister {
  return async function browserPixels(lead) {
    const endpoints = await deps.endpoints.firing(deps.knex, lead, 'lead_created', 'browser');
    const facts: DeliveryFacts = { event: 'lead_created', lead, commission: null, adjustment: null, clickNetPayout: '0' };
    const pixels: BrowserPixel[] = [];
    for (const endpoint of endpoints) {
      try {
        const plugin = deps.plugins.get(endpoint.plugin);
        const settings = plugin.parseSettings(endpoint.settings) as { type: BrowserPixelType };
        const formatted = formatDelivery(plugin, facts, settings);
        if (isSkip(formatted)) throw new Error(`the plugin skipped it: ${formatted.skip}`);
        pixels.push({ type: settings.type, url: formatted.url });
      } catch (error) {
        deps.logger.warn('browser pixel skipped', { endpointId: endpoint.id, error: describeError(error) });
      }
    }
    return pixels;
  };
}
