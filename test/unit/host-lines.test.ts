// Per-host lines as long as about a second of their host's pace, and the hosts a claim should leave out.

import { expect } from 'chai';
import { HostGuard } from '../../lib/dispatch/host-guard.js';
import { HostLines } from '../../lib/dispatch/host-lines.js';
import { sampleDelivery } from '../../lib/dispatch/send-test.js';
import type { Endpoint } from '../../lib/endpoints/types.js';

const now = new Date('2026-12-01T10:00:00Z');
const endpoint: Endpoint = {
  id: '7', affiliateId: 'aff-1', offerId: null, name: null, plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb' },
  events: ['lead_created'], enabled: true, adjustmentMode: null, createdAt: now, updatedAt: now,
};
const delivery = (pk: string) => ({ ...sampleDelivery(endpoint, 'lead_created', now), pk, leaseToken: 't' });
const second = 1_000_000 * 1000;

describe('host lines', () => {
  it('lets a host that has sent nothing yet have the minimum waiting, and a fast one as many as it sent in the last second, up to the maximum', () => {
    const lines = new HostLines({ min: 2, max: 50, maxWaitMs: 60_000 });
    expect(lines.capacity('a:1', second)).to.equal(2);
    for (let i = 0; i < 30; i++) lines.ended('a:1', second + i);
    // Its first second: 30 in the 0.7 s since its first answer, 43 a second at that rate.
    expect(lines.capacity('a:1', second + 700)).to.equal(43);
    expect(lines.capacity('a:1', second + 999)).to.equal(31);
    // The next second still counts the last one's pace; a second after that with nothing ended, back to the minimum.
    expect(lines.capacity('a:1', second + 1_500)).to.equal(30);
    expect(lines.capacity('a:1', second + 2_500)).to.equal(2);
    for (let i = 0; i < 80; i++) lines.ended('b:1', second + i);
    expect(lines.capacity('b:1', second + 10)).to.equal(50);
  });

  it("judges a host's first second by its first answers: its line grows with them, not a second later", () => {
    const lines = new HostLines({ min: 2, max: 500, maxWaitMs: 60_000 });
    for (let i = 0; i < 20; i++) lines.ended('fast:1', second + i);
    // 20 answers in 20 ms, taken over no less than 100 ms: 200 a second.
    expect(lines.capacity('fast:1', second + 20)).to.equal(200);
    expect(lines.capacity('fast:1', second + 400)).to.equal(50);
    // A host that has answered nothing (new, or hanging) has the minimum, however long its requests have been out.
    expect(lines.capacity('hanging:1', second + 400)).to.equal(2);
  });

  it('takes a postback into a line only while it has room, and says when it is full', () => {
    const lines = new HostLines({ min: 2, max: 50, maxWaitMs: 60_000 });
    expect(lines.wait('a:1', delivery('1'), second)).to.equal(true);
    expect(lines.full('a:1', second)).to.equal(false);
    expect(lines.wait('a:1', delivery('2'), second)).to.equal(true);
    expect(lines.full('a:1', second)).to.equal(true);
    expect(lines.wait('a:1', delivery('3'), second)).to.equal(false);
    expect(lines.next('a:1')?.pk).to.equal('1');
    expect(lines.full('a:1', second)).to.equal(false);
  });

  it('gives back the tail of a line its host no longer earns: a host that was fast and stopped answering', () => {
    const lines = new HostLines({ min: 2, max: 50, maxWaitMs: 60_000 });
    for (let i = 0; i < 10; i++) lines.ended('a:1', second + i);
    for (let i = 0; i < 10; i++) expect(lines.wait('a:1', delivery(String(i)), second + 100)).to.equal(true);
    expect(lines.trim(second + 200).size).to.equal(0);
    const trimmed = lines.trim(second + 2_100);
    expect(trimmed.get('a:1')?.map((d) => d.pk)).to.deep.equal(['2', '3', '4', '5', '6', '7', '8', '9']);
    expect([lines.next('a:1')?.pk, lines.next('a:1')?.pk, lines.next('a:1')]).to.deep.equal(['0', '1', undefined]);
  });

  it('gives back what has waited longer than its bound, first in line first, however short the line: a slot promised that never came', () => {
    const lines = new HostLines({ min: 4, max: 50, maxWaitMs: 1_000 });
    expect(lines.wait('a:1', delivery('1'), second)).to.equal(true);
    expect(lines.wait('a:1', delivery('2'), second + 500)).to.equal(true);
    expect(lines.trim(second + 1_000).size).to.equal(0);
    expect(lines.trim(second + 1_001).get('a:1')?.map((d) => d.pk)).to.deep.equal(['1']);
    expect(lines.trim(second + 1_501).get('a:1')?.map((d) => d.pk)).to.deep.equal(['2']);
    expect(lines.next('a:1')).to.equal(undefined);
  });
});

describe('host guard: hosts that cannot take a request', () => {
  const settings = { maxPerHost: 2, breakerThreshold: 2, breakerCooldownMs: 1_000, busyDelayMs: 100 };
  // A guard whose every take of slots is granted in full at once, as the keeper would over a free table.
  const grantingGuard = () => {
    const guard: HostGuard = new HostGuard(settings, {
      requestTimeoutMs: 10,
      fleetSize: () => 1,
      onChores: () => {
        for (const { host, count } of guard.chores(0, false).takes) guard.took(host, count, count, 1e9, 0);
      },
      onWake: () => undefined,
    });
    return guard;
  };

  it('names a host at its cap until a slot frees, and a host whose breaker is open until it may probe', () => {
    const guard = grantingGuard();
    expect(guard.enter('a:1', 0), 'no slot held yet: they are taken').to.not.equal(undefined);
    expect(guard.enter('a:1', 0)).to.equal(undefined);
    expect(guard.unavailable(0)).to.deep.equal([]);
    expect(guard.enter('a:1', 0)).to.equal(undefined);
    expect(guard.unavailable(0)).to.deep.equal([{ host: 'a:1', soon: true }]);
    guard.leave('a:1', true, 1);
    expect(guard.unavailable(1)).to.deep.equal([]);
    guard.leave('a:1', true, 1);

    guard.enter('b:1', 0);
    expect(guard.enter('b:1', 0)).to.equal(undefined);
    guard.leave('b:1', false, 10);
    expect(guard.enter('b:1', 10)).to.equal(undefined);
    guard.leave('b:1', false, 20);
    expect(guard.unavailable(500)).to.deep.equal([{ host: 'b:1', soon: false }]);
    // Past the cool-down a probe may be asked for: the host is not left out, until the probe is asked for.
    expect(guard.unavailable(1_100)).to.deep.equal([]);
    expect(guard.enter('b:1', 1_100)).to.deep.include({ open: true });
    expect(guard.unavailable(1_100)).to.deep.equal([{ host: 'b:1', soon: false }]);
  });
});
