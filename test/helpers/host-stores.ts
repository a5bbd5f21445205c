// In-memory stand-ins for the fleet's host slot and breaker tables, with the same rules, for dispatcher unit tests.

import type { DispatcherHostSharing } from '../../lib/dispatch/dispatcher.js';
import type { HostSlotsStore } from '../../lib/store/host-slots-store.js';
import type { TrackerHost, TrackerHostsStore } from '../../lib/store/tracker-hosts-store.js';

interface Slot {
  owner: string | null;
  until: number;
}

export class FakeHostSlotsStore implements HostSlotsStore {
  readonly slots = new Map<string, Slot[]>();
  /** Statements run, by method. */
  readonly calls: string[] = [];

  take(host: string, cap: number, owner: string, count: number, until: Date, now: Date): Promise<number> {
    this.calls.push('take');
    const slots = this.slots.get(host) ?? [];
    while (slots.length < cap) slots.push({ owner: null, until: 0 });
    this.slots.set(host, slots);
    let taken = 0;
    for (const slot of slots.slice(0, cap)) {
      if (taken === count) break;
      if (slot.owner !== null && slot.until > now.getTime()) continue;
      Object.assign(slot, { owner, until: until.getTime() });
      taken += 1;
    }
    return Promise.resolve(taken);
  }

  renew(owner: string, hosts: readonly string[], until: Date): Promise<number> {
    this.calls.push('renew');
    const mine = hosts.flatMap((host) => this.slots.get(host) ?? []).filter((slot) => slot.owner === owner);
    for (const slot of mine) slot.until = until.getTime();
    return Promise.resolve(mine.length);
  }

  held(owner: string, now: Date): Promise<Map<string, number>> {
    this.calls.push('held');
    const held = new Map<string, number>();
    for (const [host, slots] of this.slots) {
      const n = slots.filter((slot) => slot.owner === owner && slot.until > now.getTime()).length;
      if (n > 0) held.set(host, n);
    }
    return Promise.resolve(held);
  }

  give(owner: string, host: string, count: number): Promise<number> {
    this.calls.push('give');
    const mine = (this.slots.get(host) ?? []).filter((slot) => slot.owner === owner).slice(0, count);
    for (const slot of mine) Object.assign(slot, { owner: null, until: 0 });
    return Promise.resolve(mine.length);
  }

  giveAll(owner: string): Promise<number> {
    this.calls.push('giveAll');
    let given = 0;
    for (const host of this.slots.keys()) given += (this.slots.get(host) ?? []).filter((slot) => slot.owner === owner).length;
    for (const slots of this.slots.values()) for (const slot of slots) if (slot.owner === owner) Object.assign(slot, { owner: null, until: 0 });
    return Promise.resolve(given);
  }

  /** Slots of `host` held under a lease at `now`. */
  inUse(host: string, now = Date.now()): number {
    return (this.slots.get(host) ?? []).filter((slot) => slot.owner !== null && slot.until > now).length;
  }
}

export class FakeTrackerHostsStore implements TrackerHostsStore {
  readonly rows = new Map<string, { openUntil: number | null; probeOwner: string | null; probeUntil: number; wantedUntil: number }>();
  readonly calls: string[] = [];

  open(host: string, until: Date): Promise<void> {
    this.calls.push('open');
    this.rows.set(host, { ...this.#row(host), openUntil: until.getTime(), probeOwner: null, probeUntil: 0 });
    return Promise.resolve();
  }

  close(host: string): Promise<void> {
    this.calls.push('close');
    const row = this.rows.get(host);
    if (row) Object.assign(row, { openUntil: null, probeOwner: null, probeUntil: 0 });
    return Promise.resolve();
  }

  takeProbe(host: string, owner: string, now: Date, until: Date): Promise<boolean> {
    this.calls.push('takeProbe');
    const row = this.rows.get(host);
    if (!row || row.openUntil === null || row.openUntil > now.getTime() || row.probeUntil > now.getTime()) return Promise.resolve(false);
    Object.assign(row, { probeOwner: owner, probeUntil: until.getTime() });
    return Promise.resolve(true);
  }

  want(host: string, until: Date): Promise<void> {
    this.calls.push('want');
    this.rows.set(host, { ...this.#row(host), wantedUntil: until.getTime() });
    return Promise.resolve();
  }

  read(now: Date): Promise<TrackerHost[]> {
    this.calls.push('read');
    const at = now.getTime();
    return Promise.resolve(
      [...this.rows]
        .filter(([, row]) => row.openUntil !== null || row.wantedUntil > at)
        .map(([host, row]) => ({
          host,
          openUntil: row.openUntil === null ? null : new Date(row.openUntil),
          probeOwner: row.probeUntil > at ? row.probeOwner : null,
          wantedUntil: row.wantedUntil === 0 ? null : new Date(row.wantedUntil),
        })),
    );
  }

  #row(host: string) {
    return this.rows.get(host) ?? { openUntil: null, probeOwner: null, probeUntil: 0, wantedUntil: 0 };
  }
}

/** Host sharing for a dispatcher alone (a fleet of one), or for several sharing `stores`. */
export function fakeHostSharing(stores = { slots: new FakeHostSlotsStore(), hosts: new FakeTrackerHostsStore() }, fleetSize = 1): DispatcherHostSharing & { stores: { slots: FakeHostSlotsStore; hosts: FakeTrackerHostsStore } } {
  return { stores, fleetSize: () => fleetSize };
}
