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
    ...(config.signing.secrets.length > 0 ? { signing: { secrets: config.signing.secrets, toleranceSeconds: config.signing.toleranceSeconds } } : {}),
    ...(config.secret === '' ? {} : { secret: config.secret }),
    fleet: { ...config.fleet },
    rateLimit: config.rateLimit.enabled ? { max: config.rateLimit.max, windowMs: config.rateLimit.windowMs } : false,
    ...extra,
  };
}
