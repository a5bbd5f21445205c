// The affiliate portal's options: what the host lets affiliates do, checked once when the relay is created.

import type { Request } from 'express';
import { InvalidOptionError } from '../errors.js';

/** What the host decides for the affiliate portal (`portal` in createPostbackRelay's options). */
export interface PortalOptions {
  /**
   * Secrets (32+ characters) that sign portal links and the portal's form tokens; the first signs, every one
   * verifies, so a secret can be rotated. Give every instance the same list. Without it, `relay.portal.link`
   * throws and the portal only serves affiliates the host's own login names (`affiliateOf`).
   */
  linkSecrets?: string[];
  /** The absolute URL where the host mounts the portal, e.g. `https://partners.example.com/postbacks`, for links. */
  publicUrl?: string;
  /** The formatter plugins affiliates may choose (leave out `generic` to refuse free URL templates). @default every registered plugin */
  plugins?: string[];
  /** Endpoints one affiliate may have. @default 10 */
  maxEndpoints?: number;
  /** Whether affiliates may replay their own failed deliveries. @default true */
  allowReplay?: boolean;
  /** Origins that may frame the portal (CSP `frame-ancestors`), e.g. `['https://partners.example.com']`. @default none */
  frameAncestors?: string[];
  /** Test postbacks one affiliate may send per minute. @default 6 */
  testsPerMinute?: number;
}

/** The portal options once checked; `plugins` undefined means every registered plugin. */
export interface ResolvedPortalOptions {
  linkSecrets: readonly string[];
  publicUrl: string | undefined;
  plugins: readonly string[] | undefined;
  maxEndpoints: number;
  allowReplay: boolean;
  frameAncestors: readonly string[];
  testsPerMinute: number;
}

/** Who the affiliate is, as the host's own login says: `relay.portal({ affiliateOf: (req) => req.user.affiliateId })`. */
export type AffiliateOf = (req: Request) => string | undefined | null | Promise<string | undefined | null>;

/** Options of one mounted portal router. */
export interface PortalMountOptions {
  /** The affiliate the host's login (in front of the router) authenticated; without it, only signed links open the portal. */
  affiliateOf?: AffiliateOf;
}

/** The portal's defaults (also the server's, through the settings list). */
export const PORTAL_DEFAULTS = Object.freeze({ maxEndpoints: 10, allowReplay: true, testsPerMinute: 6 });

const KNOWN = ['linkSecrets', 'publicUrl', 'plugins', 'maxEndpoints', 'allowReplay', 'frameAncestors', 'testsPerMinute'];

/** Checks the `portal` option, naming the first bad key, and fills in defaults. */
export function resolvePortalOptions(given: unknown): ResolvedPortalOptions {
  if (given === undefined) given = {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new InvalidOptionError('portal', 'must be an object');
  const options = given as Partial<Record<keyof PortalOptions, unknown>>;
  const unknown = Object.keys(options).find((key) => !KNOWN.includes(key));
  if (unknown !== undefined) throw new InvalidOptionError(`portal.${unknown}`, `is not an option (options: ${KNOWN.join(', ')})`);
  const { linkSecrets = [], publicUrl, plugins, maxEndpoints = PORTAL_DEFAULTS.maxEndpoints, allowReplay = PORTAL_DEFAULTS.allowReplay, frameAncestors = [], testsPerMinute = PORTAL_DEFAULTS.testsPerMinute } = options;
  if (!Array.isArray(linkSecrets) || !linkSecrets.every((secret) => typeof secret === 'string' && secret.length >= 32)) {
    throw new InvalidOptionError('portal.linkSecrets', 'must be an array of secrets, each at least 32 characters');
  }
  if (publicUrl !== undefined && (typeof publicUrl !== 'string' || !/^https?:\/\/[^\s?#]+$/.test(publicUrl))) {
    throw new InvalidOptionError('portal.publicUrl', `must be an absolute http(s) URL without query, got ${JSON.stringify(publicUrl)}`);
  }
  if (plugins !== undefined && (!Array.isArray(plugins) || plugins.length === 0 || !plugins.every((name) => typeof name === 'string' && name !== ''))) {
    throw new InvalidOptionError('portal.plugins', 'must be a non-empty array of plugin names');
  }
  for (const [key, value] of [['maxEndpoints', maxEndpoints], ['testsPerMinute', testsPerMinute]] as const) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 10_000) {
      throw new InvalidOptionError(`portal.${key}`, `must be a whole number from 1 to 10000, got ${JSON.stringify(value)}`);
    }
  }
  if (typeof allowReplay !== 'boolean') throw new InvalidOptionError('portal.allowReplay', `must be true or false, got ${JSON.stringify(allowReplay)}`);
  // Origins only: anything else in the header value could loosen the policy in ways the host did not mean.
  if (!Array.isArray(frameAncestors) || !frameAncestors.every((origin) => typeof origin === 'string' && /^https?:\/\/[a-z0-9*.-]+(:\d{1,5})?$/i.test(origin))) {
    throw new InvalidOptionError('portal.frameAncestors', 'must be an array of origins such as "https://partners.example.com"');
  }
  return Object.freeze({
    linkSecrets: Object.freeze([...(linkSecrets as string[])]),
    publicUrl: publicUrl === undefined ? undefined : (publicUrl).replace(/\/+$/, ''),
    plugins: plugins === undefined ? undefined : Object.freeze([...(plugins as string[])]),
    maxEndpoints: maxEndpoints as number,
    allowReplay,
    frameAncestors: Object.freeze([...(frameAncestors as string[])]),
    testsPerMinute: testsPerMinute as number,
  });
}
