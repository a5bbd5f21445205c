// The SSRF guard applied when an affiliate saves or tests: the host of every postback the endpoint would send.

import { lookup } from 'node:dns/promises';
import { BlockedTargetError } from '../errors.js';
import type { TargetPolicy } from '../dispatch/target-guard.js';
import type { PostbackPreview } from '../dashboard/preview.js';

/**
 * Refuses (BlockedTargetError) when any previewed postback goes to a non-public address that is not allowlisted:
 * an IP literal at once, a name by what it resolves to now. A name that does not resolve yet is let through:
 * the same guard runs again on every connection the dispatcher makes.
 */
export async function checkPreviewTargets(policy: TargetPolicy, previews: readonly PostbackPreview[]): Promise<void> {
  const hosts = new Set(previews.flatMap((preview) => ('url' in preview ? [new URL(preview.url).hostname] : [])));
  for (const host of hosts) {
    policy.checkLiteral(host);
    if (/^[\d.]+$|^\[/.test(host) || policy.allowsHost(host)) continue;
    let addresses: Array<{ address: string }>;
    try {
      addresses = await lookup(host, { all: true });
    } catch {
      continue;
    }
    const refused = addresses.find(({ address }) => !policy.allowsAddress(address));
    if (refused) throw new BlockedTargetError(`the postback URL's host ${host} is ${refused.address}, which is not a public address`);
  }
}
