// The browser plugin: an affiliate's own image or iframe pixel, fired by the landing page's script after a form fill, never sent server to server.

import { PluginSettingsError } from '../../lib/errors.js';
import { MACRO_NAMES, macroValues } from '../../lib/plugins/macros.js';
import type { MacroName } from '../../lib/plugins/macros.js';
import { parseUrlTemplate, renderTemplate } from '../../lib/plugins/template.js';
import type { Template } from '../../lib/plugins/template.js';
import type { FormatterPlugin } from '../../lib/plugins/types.js';

/** How the script loads an affiliate's browser pixel. */
export type BrowserPixelType = 'image' | 'iframe';

/** The browser plugin's settings once checked. */
export interface BrowserSettings {
  url: Template<MacroName>;
  type: BrowserPixelType;
}

const SETTING_KEYS = ['url', 'type'];

/**
 * Creates the browser pixel plugin. Settings:
 * - `url` (required): e.g. `https://tracker.example/pixel.gif?cid={click_id}&txid={transaction_id}`;
 *   the same macros as the generic plugin, every value URL-encoded; no macros in the scheme, host or port.
 * - `type`: `image` (default, an `<img>`) or `iframe` (a hidden `<iframe>`, for trackers whose pixel runs script).
 *
 * Its `format` renders the URL the browser loads; the dispatcher never sends it, because endpoints of this
 * plugin only fire `lead_created` from the pixel script.
 */
export default function createBrowserPlugin(): FormatterPlugin<BrowserSettings> {
  return {
    name: 'browser',
    apiVersion: 1,
    kind: 'browser',
    description: "An affiliate's own image or iframe pixel, fired in the visitor's browser after a form fill",
    // Only lead_created is ever fired from the browser: there is no adjustment to send.
    adjustments: 'unsupported',
    books: () => ({ family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['skip'] }),
    parseSettings(settings) {
      const unknown = Object.keys(settings).find((key) => !SETTING_KEYS.includes(key));
      if (unknown !== undefined) throw new PluginSettingsError(unknown, `is not a setting of the browser plugin (settings: ${SETTING_KEYS.join(', ')})`);
      const type = settings.type ?? 'image';
      if (type !== 'image' && type !== 'iframe') throw new PluginSettingsError('type', `must be image or iframe, got ${JSON.stringify(type)}`);
      return { url: parseUrlTemplate(settings.url, MACRO_NAMES, 'url'), type };
    },
    format(context, settings) {
      return { method: 'GET', url: renderTemplate(settings.url, macroValues(context), encodeURIComponent) };
    },
  };
}
