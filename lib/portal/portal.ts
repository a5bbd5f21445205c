// `relay.portal`: mounts affiliate portal routers and signs links into them, over the relay's own services.

import type { Router } from 'express';
import type { DeliveryService } from '../deliveries/service.js';
import type { TargetPolicy } from '../dispatch/target-guard.js';
import type { TestPostbackResult } from '../dispatch/send-test.js';
import type { EndpointService } from '../endpoints/service.js';
import { InvalidOptionError } from '../errors.js';
import type { EventName } from '../events/types.js';
import type { Logger } from '../log.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { signPortalToken } from './link.js';
import type { PortalMountOptions, ResolvedPortalOptions } from './options.js';
import { createPortalRouter } from './router.js';
import { TestSendLimiter } from './test-limiter.js';

/** How long a portal link opens the portal when no `ttlSeconds` is given. */
export const DEFAULT_LINK_TTL_SECONDS = 3600;

/** What `relay.portal.link` takes. */
export interface PortalLinkOptions {
  /** How long the link (and the session it opens) lasts, up to 30 days. @default 3600 */
  ttlSeconds?: number;
  /** Where the portal is mounted, e.g. `https://partners.example.com/postbacks`. @default the `portal.publicUrl` option */
  baseUrl?: string;
}

/** `relay.portal(...)` builds a router; `relay.portal.link(...)` signs a link into it. */
export interface PortalFactory {
  /**
   * A portal router for affiliates: `app.use('/partners/postbacks', hostAffiliateAuth, relay.portal({ affiliateOf: (req) => req.user.affiliateId }))`.
   * Without `affiliateOf`, only a signed link (see `link`) opens it.
   */
  (mount?: PortalMountOptions): Router;
  /** A signed, expiring URL that opens the portal as `affiliateId`, for the host to show in its own affiliate panel. */
  link(affiliateId: string, options?: PortalLinkOptions): string;
}

/** The relay's services the portal narrows to one affiliate. */
export interface PortalDeps {
  endpoints: EndpointService;
  deliveries: DeliveryService;
  plugins: PluginRegistry;
  sendTest(endpointId: string, event: EventName): Promise<TestPostbackResult>;
  policy: TargetPolicy;
  options: ResolvedPortalOptions;
  bodyLimit: string;
  logger: Logger;
}

/** Checks the offered plugins against the registry (at relay creation) and returns `relay.portal`. */
export function createPortal(deps: PortalDeps): PortalFactory {
  const { options } = deps;
  const names = options.plugins ?? deps.plugins.names();
  names.forEach((name, index) => {
    if (!deps.plugins.names().includes(name)) throw new InvalidOptionError(`portal.plugins[${index}]`, `"${name}" is not a registered plugin (registered: ${deps.plugins.names().join(', ')})`);
  });
  const offered = names.map((name) => deps.plugins.get(name));
  // One limiter for every router of this relay: mounting the portal twice must not double an affiliate's allowance.
  const limiter = new TestSendLimiter(options.testsPerMinute);
  const services = { ...deps, offered, limiter };
  const factory = (mount: PortalMountOptions = {}) => {
    if (typeof mount !== 'object' || (mount.affiliateOf !== undefined && typeof mount.affiliateOf !== 'function')) {
      throw new InvalidOptionError('affiliateOf', 'must be a function from the request to the affiliate id');
    }
    return createPortalRouter(services, mount, { bodyLimit: deps.bodyLimit, logger: deps.logger });
  };
  return Object.assign(factory, {
    link(affiliateId: string, linkOptions: PortalLinkOptions = {}) {
      const base = linkOptions.baseUrl ?? options.publicUrl;
      if (base === undefined || !/^https?:\/\/[^\s?#]+$/.test(base)) {
        throw new InvalidOptionError('baseUrl', 'must be the absolute URL where the portal is mounted (or set portal.publicUrl)');
      }
      const { token } = signPortalToken(options.linkSecrets, affiliateId, linkOptions.ttlSeconds ?? DEFAULT_LINK_TTL_SECONDS, new Date());
      return `${base.replace(/\/+$/, '')}/link/${token}`;
    },
  });
}
