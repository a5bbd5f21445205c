// Maps the server's configuration onto createPostbackRelay's options: one mapping for the server and the CLI.

import type { RelayConfig } from '../config/load.js';
import type { PostbackRelayOptions } from '../options.js';
import { loadPlugins } from '../plugins/loader.js';

/** The relay options a configuration means; `extra` supplies what only the caller knows (keys, logger, registry). */
export async function relayOptionsFromConfig(
  config: Readonly<RelayConfig>,
  extra: Pick<PostbackRelayOptions, 'apiKeys'> & Partial<PostbackRelayOptions>,
): Promise<PostbackRelayOptions> {
  return {
    database: config.database.url,
    plugins: await loadPlugins(config.plugins, process.cwd()),
    tablePrefix: config.database.tablePrefix,
    defaultCurrency: config.defaultCurrency,
    bodyLimit: config.http.bodyLimit,
    dispatch: { ...config.dispatch },
    pixel: { ...config.pixel },
    targetAllowlist: config.targetAllowlist,
    amounts: { ...config.amounts },
    ingest: { ...config.ingest },
    retention: { ...config.retention },
    ...(config.signing.secrets.length > 0 ? { signing: { secrets: config.signing.secrets, toleranceSeconds: config.signing.toleranceSeconds } } : {}),
    portal: {
      ...config.portal,
      publicUrl: config.portal.publicUrl === '' ? undefined : config.portal.publicUrl,
      plugins: config.portal.plugins.length === 0 ? undefined : config.portal.plugins,
    },
    rateLimit: config.rateLimit.enabled ? { max: config.rateLimit.max, windowMs: config.rateLimit.windowMs } : false,
    ...extra,
  };
}
