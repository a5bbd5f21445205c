// The options got hands to node:http for one request, built so that every request's object has the same shape.
//
// got 14 builds them in one object literal that spreads two objects before some thirty named properties. V8 before
// 12 (Node 20) gives such a literal a hidden class of its own each time it runs: about 22 KB of maps and descriptor
// arrays per request, allocated in the old space, which under the relay's capped heap made most of its full
// collections (docs/performance.md, "got's request options"). V8 12 (Node 22) does not. This builds the same object,
// same keys in the same order, from got's public getters as one literal without a spread, and hands node only the
// keys that have a value: node copies the object twice more, key by key into dictionaries (onto the URL's own options,
// then the agent's copy), and of some forty keys most are TLS settings left undefined. Node reads an undefined option
// as an absent one (its defaults apply; `rejectUnauthorized` left undefined is checked as "not false", so
// certificates are still verified).

import { checkServerIdentity } from 'node:tls';
import type { HandlerFunction, Options } from 'got';

type NativeRequestOptions = ReturnType<Options['createNativeRequestOptions']>;

/**
 * What `options.createNativeRequestOptions()` returns, for a request without a cache, HTTP/2 or a Unix socket (the
 * relay's client uses none of them; any such request gets got's own). `test/unit/native-options.test.ts` holds the
 * two equal, key for key, so a got upgrade that adds a field fails there.
 */
export function nativeRequestOptions(options: Options): NativeRequestOptions {
  const { https, cacheOptions, url } = options;
  const agents = options.agent;
  return {
    shared: cacheOptions.shared,
    cacheHeuristic: cacheOptions.cacheHeuristic,
    immutableMinTimeToLive: cacheOptions.immutableMinTimeToLive,
    ignoreCargoCult: cacheOptions.ignoreCargoCult,
    ALPNProtocols: https.alpnProtocols,
    ca: https.certificateAuthority,
    cert: https.certificate,
    key: https.key,
    passphrase: https.passphrase,
    pfx: https.pfx,
    rejectUnauthorized: https.rejectUnauthorized,
    checkServerIdentity: https.checkServerIdentity ?? checkServerIdentity,
    servername: https.serverName,
    ciphers: https.ciphers,
    honorCipherOrder: https.honorCipherOrder,
    minVersion: https.minVersion,
    maxVersion: https.maxVersion,
    sigalgs: https.signatureAlgorithms,
    sessionTimeout: https.tlsSessionLifetime,
    dhparam: https.dhparam,
    ecdhCurve: https.ecdhCurve,
    crl: https.certificateRevocationLists,
    secureOptions: https.secureOptions,
    lookup: options.dnsLookup ?? dnsCacheLookup(options),
    family: options.dnsLookupIpVersion,
    agent: url instanceof URL && url.protocol === 'https:' ? agents.https : agents.http,
    setHost: options.setHost,
    method: options.method,
    maxHeaderSize: options.maxHeaderSize,
    localAddress: options.localAddress,
    headers: options.headers,
    createConnection: options.createConnection,
    timeout: undefined,
    h2session: options.h2session,
  };
}

function dnsCacheLookup(options: Options): NativeRequestOptions['lookup'] {
  const cache = options.dnsCache;
  // CacheableLookup binds `lookup` in its constructor; got hands it over unbound the same way.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  return typeof cache === 'object' ? cache.lookup : undefined;
}

/** Whether got would add anything {@link nativeRequestOptions} leaves out. */
function needsGotsOwn(options: Options): boolean {
  const { url } = options;
  return options.http2 || Boolean(options.cache) || !(url instanceof URL) || url.hostname === 'unix';
}

/** The keys of `options` whose value is not `undefined`, in their order. */
export function definedOnly<T extends object>(options: T): T {
  const defined: Partial<T> = {};
  for (const key in options) if (options[key] !== undefined) defined[key] = options[key];
  return defined as T;
}

/** A got handler (`got.extend({ handlers: [stableNativeOptions] })`) that makes each request build its options this way. */
export const stableNativeOptions: HandlerFunction = (options, next) => {
  if (!needsGotsOwn(options)) options.createNativeRequestOptions = () => definedOnly(nativeRequestOptions(options));
  return next(options);
};
