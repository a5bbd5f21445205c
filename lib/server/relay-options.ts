// Maps the server's configuration onto createPostbackRelay's options: one mapping for the server and the CLI,
// derived from the settings list (every setting with an `option` is passed on as that option).

import type { RelayConfig } from '../config/load.js';
import { SETTINGS, setValueAt, valueAt } from '../config/settings.js';
import type { PostbackRelayOptions } from '../options.js';
import { loadPlugins } from '../plugins/loader.js';

/** The relay options a configuration means; `extra` supplies what only the caller knows (keys, logger, registry). */
export async function relayOptionsFromConfig(
  config: Readonly<RelayConfig>,
  extra: Pick<PostbackRelayOptions, 'apiKeys'> & Partial<PostbackRelayOptions>,
): Promise<PostbackRelayOptions> {
  const options: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    if (setting.option === undefined) continue;
    const value = valueAt(config, setting.key);
    setValueAt(options, setting.option, Array.isArray(value) ? [...(value as unknown[])] : value);
  }
  // Settings that switch a whole block off, and the plugins, which the config names and the library takes loaded.
  if (config.signing.secrets.length === 0) delete options.signing;
  if (!config.rateLimit.enabled) options.rateLimit = false;
  // Empty means "not given" in a variable; the library takes those two as left out.
  const portal = options.portal as Record<string, unknown>;
  if (config.portal.publicUrl === '') delete portal.publicUrl;
  if (config.portal.plugins.length === 0) delete portal.plugins;
  if (config.secret !== '') options.secret = config.secret;
  return {
    ...(options as Partial<PostbackRelayOptions>),
    database: config.database.url,
    plugins: await loadPlugins(config.plugins, process.cwd()),
    ...extra,
  };
}
