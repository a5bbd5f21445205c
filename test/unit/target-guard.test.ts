// The SSRF guard's address classifier and allowlist parsing, tested on addresses alone: no connection is opened.

import { expect } from 'chai';
import { classifyAddress, createTargetPolicy } from '../../lib/dispatch/target-guard.js';
import { BlockedTargetError, InvalidOptionError } from '../../lib/errors.js';

describe('SSRF address classifier', () => {
  const refused: Array<[string, string]> = [
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['[::1]', 'loopback'],
    ['::1', 'loopback'],
    ['[::ffff:127.0.0.1]', 'ipv4-mapped'],
    ['::ffff:7f00:1', 'ipv4-mapped'],
    ['::ffff:10.0.0.1', 'ipv4-mapped'],
    ['::ffff:8.8.8.8', 'ipv4-mapped'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['64:ff9b::a00:1', 'reserved'],
    ['2002:a00:1::', 'reserved'],
    ['fd00::1', 'private'],
    ['fc00::1', 'private'],
  ];
  for (const [address, kind] of refused) {
    it(`classifies ${address} as ${kind}`, () => {
      expect(classifyAddress(address)).to.equal(kind);
    });
  }

  it('classifies public addresses as public, including the edges of private ranges', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0', '169.253.0.1', '2606:4700::1111', '11.0.0.1']) {
      expect(classifyAddress(address), address).to.equal('public');
    }
  });

  it('throws on something that is not an IP address', () => {
    expect(() => classifyAddress('example.com')).to.throw(TypeError);
  });
});

describe('SSRF target policy', () => {
  it('refuses non-public literals unless allowlisted by address or range, and names the class', () => {
    const policy = createTargetPolicy(['127.0.0.1', '10.20.0.0/16', 'fd00::/8', 'tracker.internal'], 'targetAllowlist');
    expect(policy.allowsAddress('127.0.0.1')).to.equal(true);
    expect(policy.allowsAddress('127.0.0.2')).to.equal(false);
    expect(policy.allowsAddress('10.20.3.4')).to.equal(true);
    expect(policy.allowsAddress('10.21.0.1')).to.equal(false);
    expect(policy.allowsAddress('fd00::5')).to.equal(true);
    expect(policy.allowsAddress('8.8.8.8')).to.equal(true);
    expect(policy.allowsHost('Tracker.Internal')).to.equal(true);
    expect(policy.allowsHost('other.internal')).to.equal(false);
    expect(() => { policy.checkLiteral('169.254.169.254'); }).to.throw(BlockedTargetError, /169\.254\.169\.254 \(link-local\)/);
    expect(() => { policy.checkLiteral('[::ffff:127.0.0.1]'); }).to.throw(BlockedTargetError, /ipv4-mapped/);
    expect(() => { policy.checkLiteral('127.0.0.1'); }).not.to.throw();
    // Names are checked on their resolved addresses, at connection time, not here.
    expect(() => { policy.checkLiteral('localhost'); }).not.to.throw();
  });

  it('refuses every non-public address with an empty allowlist', () => {
    const policy = createTargetPolicy([], 'targetAllowlist');
    for (const address of ['127.0.0.1', '::1', '10.0.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::ffff:127.0.0.1']) {
      expect(policy.allowsAddress(address), address).to.equal(false);
    }
  });

  it('names a bad allowlist entry', () => {
    for (const entry of ['10.0.0.0/33', 'not a host', '::1/129', '10.0.0.0/8/1', '', 'http://x']) {
      expect(() => createTargetPolicy(['127.0.0.1', entry], 'targetAllowlist'), entry).to.throw(InvalidOptionError, /targetAllowlist\[1\]/);
    }
  });
});
