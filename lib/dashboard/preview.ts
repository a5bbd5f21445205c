// What an endpoint's settings would send for a sample lead, commission and adjustment: the plugin's own formatting, secrets masked.

import { sampleDelivery } from '../dispatch/send-test.js';
import { formatDelivery } from '../dispatch/format.js';
import type { Endpoint } from '../endpoints/types.js';
import { EVENT_NAMES } from '../events/types.js';
import type { EventName } from '../events/types.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { isSkip } from '../plugins/types.js';
import { maskerFor } from '../secrets.js';

/** One sample event's postback, or why none would be sent. */
export type PostbackPreview =
  | { event: EventName; method: string; url: string; body: string | null }
  | { event: EventName; skip: string };

/** The endpoint fields a preview depends on. */
export type PreviewDraft = Pick<Endpoint, 'affiliateId' | 'offerId' | 'plugin' | 'settings'> & Partial<Pick<Endpoint, 'adjustmentMode'>>;

/**
 * Formats the sample events of a test postback (a lead, a 12.5 commission, a change to 10) with `draft`'s
 * plugin and settings. Throws the plugin's `PluginSettingsError` (or `UnknownPluginError`) for bad settings.
 */
export function previewPostbacks(plugins: PluginRegistry, draft: PreviewDraft, now: Date): PostbackPreview[] {
  const plugin = plugins.get(draft.plugin);
  const settings = plugin.parseSettings(draft.settings);
  const endpoint: Endpoint = { ...draft, adjustmentMode: draft.adjustmentMode ?? null, id: 'preview', name: null, events: [...EVENT_NAMES], enabled: true, createdAt: now, updatedAt: now };
  const mask = maskerFor(plugins, endpoint);
  return EVENT_NAMES.map((event) => {
    const formatted = formatDelivery(plugin, sampleDelivery(endpoint, event, now), settings, endpoint.adjustmentMode);
    if (isSkip(formatted)) return { event, skip: formatted.skip };
    return { event, method: formatted.method, url: mask(formatted.url), body: formatted.body === undefined ? null : mask(formatted.body) };
  });
}
