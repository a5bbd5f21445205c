// definePlugin: the typed, shape-checked way for an author to declare a formatter plugin.

import { checkPluginShape } from './registry.js';
import type { FormatterPlugin } from './types.js';

/**
 * Returns `plugin` unchanged once its shape is checked, so a mistake fails where the plugin is written, not
 * when a relay starts. Types the settings `format` receives from what `parseSettings` returns.
 * @example
 * export default () => definePlugin({ name: 'mytracker', apiVersion: 1, adjustments: 'unsupported', parseSettings, format });
 */
export function definePlugin<Settings>(plugin: FormatterPlugin<Settings>): FormatterPlugin<Settings> {
  checkPluginShape(plugin, 'definePlugin()');
  return plugin;
}
