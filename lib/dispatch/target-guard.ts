// The SSRF guard: classifies IP addresses and refuses postback connections to non-public ones unless allowlisted.

import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { BlockedTargetError, InvalidOptionError } from '../errors.js';

/** Why an address is not public; `public` is the only class a postback may reach without an allowlist entry. */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'reserved'
  | 'ipv4-mapped';

// IANA special-purpose registries (RFC 6890 and successors). Order matters only for the label reported.
const RANGES: ReadonlyArray<readonly [Exclude<AddressClass, 'public'>, string, number, 'ipv4' | 'ipv6']> = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['cgnat', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '192.0.2.0', 24, 'ipv4'],
  ['reserved', '192.88.99.0', 24, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '198.51.100.0', 24, 'ipv4'],
  ['reserved', '203.0.113.0', 24, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  // Mapped, IPv4-compatible, NAT64 and 6to4 addresses embed an IPv4 address that may be private.
  ['ipv4-mapped', '::ffff:0:0', 96, 'ipv6'],
  ['reserved', '::', 96, 'ipv6'],
  ['reserved', '64:ff9b::', 96, 'ipv6'],
  ['reserved', '64:ff9b:1::', 48, 'ipv6'],
  ['reserved', '100::', 64, 'ipv6'],
  ['reserved', '2001::', 23, 'ipv6'],
  ['reserved', '2001:db8::', 32, 'ipv6'],
  ['reserved', '2002::', 16, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['reserved', 'fec0::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];

const CLASSES = RANGES.map(([label, network, prefix, type]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { label, type, list };
});
// Every range of a family in one list: a public address (the usual case) is then one check, not thirty.
const NON_PUBLIC = { ipv4: new BlockList(), ipv6: new BlockList() };
for (const [, network, prefix, type] of RANGES) NON_PUBLIC[type].addSubnet(network, prefix, type);

function family(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** Classifies an IP address (`10.0.0.1`, `::1`, `[::1]`). Throws on something that is not an IP address. */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  const type = family(bare);
  if (type === undefined) throw new TypeError(`not an IP address: ${JSON.stringify(address)}`);
  if (isMapped(bare, type)) return 'ipv4-mapped';
  if (isPublic(bare, type)) return 'public';
  return CLASSES.find((range) => range.type === type && range.list.check(bare, type))?.label ?? 'public';
}

// Checked as given: BlockList would also match a mapped IPv6 address against the IPv4 ranges, hiding its own class.
function isMapped(bare: string, type: 'ipv4' | 'ipv6'): boolean {
  return type === 'ipv6' && /^::ffff:/i.test(bare);
}

// Only ranges of the address's own family: BlockList matches an IPv4 address against IPv6 ranges through its mapped form.
function isPublic(bare: string, type: 'ipv4' | 'ipv6'): boolean {
  return !isMapped(bare, type) && !NON_PUBLIC[type].check(bare, type);
}

/** Which non-public targets postbacks may still reach. */
export interface TargetPolicy {
  /** True when the address may be connected to. */
  allowsAddress(address: string): boolean;
  /** True when the host name is allowlisted as a name, so its addresses are not checked. */
  allowsHost(hostname: string): boolean;
  /** Throws a BlockedTargetError unless `hostname` (a name or an IP literal) may be reached; names are checked at lookup. */
  checkLiteral(hostname: string): void;
  /** A `lookup` for sockets: resolves, then refuses the connection when any address is not allowed. */
  readonly lookup: LookupFunction;
}

/**
 * Builds the policy from allowlist entries: host names (`tracker.internal`, matched exactly, any case),
 * IP addresses (`127.0.0.1`) or CIDR ranges (`10.20.0.0/16`, `fd00::/8`). `option` names the option in errors.
 */
export function createTargetPolicy(allowlist: readonly string[], option: string): TargetPolicy {
  const hosts = new Set<string>();
  // One list per family, for the same reason as in classifyAddress: an allowlisted 127.0.0.1 must not admit ::ffff:127.0.0.1.
  const ranges = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const [index, entry] of allowlist.entries()) {
    if (typeof entry !== 'string' || entry.trim() === '') throw new InvalidOptionError(`${option}[${index}]`, 'must be a host name, an IP address or a CIDR range');
    const [network = '', prefix, extra] = entry.trim().replace(/^\[(.*)\]$/, '$1').split('/');
    const type = family(network);
    if (type !== undefined && extra === undefined) {
      const bits = prefix === undefined ? (type === 'ipv4' ? 32 : 128) : Number(prefix);
      if (!/^\d+$/.test(prefix ?? '0') || bits > (type === 'ipv4' ? 32 : 128)) {
        throw new InvalidOptionError(`${option}[${index}]`, `has a bad prefix length in ${JSON.stringify(entry)}`);
      }
      ranges[type].addSubnet(network, bits, type);
    } else if (prefix === undefined && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(network)) {
      hosts.add(network.toLowerCase());
    } else {
      throw new InvalidOptionError(`${option}[${index}]`, `must be a host name, an IP address or a CIDR range, got ${JSON.stringify(entry)}`);
    }
  }

  function allowsAddress(address: string): boolean {
    const type = family(address);
    if (type === undefined) return false;
    return isPublic(address, type) || ranges[type].check(address, type);
  }
  function allowsHost(hostname: string): boolean {
    return hosts.has(hostname.toLowerCase().replace(/\.$/, ''));
  }
  function refusal(hostname: string, address: string): BlockedTargetError {
    return new BlockedTargetError(
      `postback target ${hostname} is ${address} (${classifyAddress(address)}); allowlist the host or range (targetAllowlist) if it is a tracker on your network`,
    );
  }

  const literals = new Map<string, boolean>();
  const lookup: LookupFunction = function guardedLookup(hostname, options, callback) {
    // Every address is checked, not just the first: with Happy Eyeballs the socket may try any of them.
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const refused = allowsHost(hostname) ? undefined : addresses.find(({ address }) => !allowsAddress(address));
      if (refused) {
        callback(refusal(hostname, refused.address), '', 0);
      } else if (options.all) {
        (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      } else {
        const [first] = addresses;
        callback(null, first?.address ?? '', first?.family ?? 4);
      }
    });
  };

  return {
    allowsAddress,
    allowsHost,
    checkLiteral(hostname) {
      // Sockets skip `lookup` for IP literals, so those are checked here (once per literal: the policy never
      // changes, and every postback to a tracker by IP asks again); names are checked when resolved.
      const bare = hostname.replace(/^\[(.*)\]$/, '$1');
      let allowed = literals.get(bare);
      if (allowed === undefined) {
        allowed = family(bare) === undefined || allowsAddress(bare) || allowsHost(bare);
        if (literals.size >= 10_000) literals.clear();
        literals.set(bare, allowed);
      }
      if (!allowed) throw refusal(hostname, bare);
    },
    lookup,
  };
}
