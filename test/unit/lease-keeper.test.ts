// Which held leases a renewal writes: only those that could stop covering a request before the next renewal.

import { expect } from 'chai';
import { LeaseKeeper } from '../../lib/dispatch/leases.js';
import type { Logger } from '../../lib/log.js';
import type { HeldDelivery, OutboxStore } from '../../lib/store/outbox-store.js';
import { poll } from '../helpers/poll.js';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('LeaseKeeper renewals (fake outbox)', () => {
  it('renews a lease near its end and leaves one that outlasts the next renewal, then renews that one once it comes near', async () => {
    const renewals: HeldDelivery[][] = [];
    const outbox = {
      renew: (held: readonly HeldDelivery[]) => {
        renewals.push([...held]);
        return Promise.resolve(held.map((h) => h.pk));
      },
    };
    // Renewals every 100 ms; a lease must cover 100 ms of request past the next one (and half a period of slack).
    const keeper = new LeaseKeeper({ outbox: outbox as unknown as OutboxStore, settings: { leaseMs: 300, requestTimeoutMs: 100 }, logger, onStale: () => undefined });
    const now = Date.now();
    keeper.hold({ pk: 'near', leaseToken: 't1' }, new Date(now + 200));
    keeper.hold({ pk: 'far', leaseToken: 't2' }, new Date(now + 2_000));
    keeper.start();
    try {
      await poll(() => renewals.length, (n) => n >= 1, 'a first renewal');
      expect(renewals[0]?.map((h) => h.pk)).to.deep.equal(['near']);
      // 'far' comes within reach as time passes, and is renewed then: it never stops being sendable.
      const farRenewal = await poll(() => renewals.findIndex((batch) => batch.some((h) => h.pk === 'far')), (i) => i > 0, "'far' renewed");
      expect(renewals[farRenewal]?.map((h) => h.pk)).to.include('far');
      expect(keeper.mayStart('far', Date.now()), "'far' still covers a request").to.equal(true);
    } finally {
      await keeper.stop();
    }
  });
});
