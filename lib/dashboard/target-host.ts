// The host a postback goes to, for the endpoints list and the delivery log.

import type { Endpoint } from '../endpoints/types.js';
import { RelayError } from '../errors.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { previewPostbacks } from './preview.js';

/** A URL's host (with its port); undefined for text that is no URL (a skipped delivery's attempt records none). */
export function hostOf(url: string): string | undefined {
  return URL.canParse(url) ? new URL(url).host : undefined;
}

/**
 * Where the endpoint's postbacks go now. Plugins build their URLs in their own ways (a template, a base URL, an
 * account domain), so it is read from what the plugin formats for the sample events; undefined when its stored
 * settings are refused.
 */
export function endpointHost(plugins: PluginRegistry, endpoint: Endpoint, now: Date): string | undefined {
  try {
    const sent = previewPostbacks(plugins, endpoint, now).find((line) => 'url' in line);
    return sent === undefined || !('url' in sent) ? undefined : hostOf(sent.url);
  } catch (error) {
    if (error instanceof RelayError) return undefined;
    throw error;
  }
}
