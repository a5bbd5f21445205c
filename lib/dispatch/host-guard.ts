// Per-destination-host isolation, shared by the fleet: a cap on requests in flight to one host, of which this
// instance uses only the slots it holds, and a circuit breaker every instance follows. Decisions are synchronous
// and in memory; the keeper (host-share.ts) does the database work the guard asks for, off the request path.

/** The resolved isolation settings. */
export interface HostGuardSettings {
  /** Requests in flight to one host (`name:port`) at once, from the whole fleet. */
  maxPerHost: number;
  /** Consecutive unanswered/5xx attempts to a host that open its breaker. */
  breakerThreshold: number;
  /** How long an open breaker keeps a host's postbacks back before one probe may go. */
  breakerCooldownMs: number;
  /** How long a postback waits when its host is at its cap. */
  busyDelayMs: number;
}

/** Why a request may not start now. */
export interface Busy {
  /** When to try again. */
  until: Date;
  /** The host's breaker holds it back. */
  open: boolean;
  /** A slot of the host comes free on this instance soon (one is in use, or being taken): the postback may wait in memory for it. */
  soon: boolean;
}

/** A host's shared row as the keeper read it. */
export interface SharedHost {
  host: string;
  /** Null when the breaker is closed. */
  openUntil: number | null;
  /** This instance holds the probe of the half-open breaker. */
  probeMine: boolean;
  /** Another instance waits for a slot of the host. */
  wanted: boolean;
}

/** What the keeper is to write, taken from the guard in one go. */
export interface HostChores {
  /** Breaker changes for the fleet: open until then, or close (null). */
  breakers: Array<{ host: string; openUntil: number | null }>;
  /** Half-open hosts whose probe this instance asks for. */
  probes: string[];
  /** Slots to give back. */
  gives: Array<{ host: string; count: number }>;
  /** Slots to take. */
  takes: Array<{ host: string; count: number }>;
}

type Probe = 'none' | 'wanted' | 'asking' | 'mine' | 'sending';

interface HostState {
  inFlight: number;
  /** Slots held (and not being given back), and the earliest end of their leases. */
  slots: number;
  slotsUntil: number;
  /** Slots no longer used, still to be given back. */
  giving: number;
  take: 'none' | 'wanted' | 'taking';
  /** No take before then: the last one came back short. */
  takeAfter: number;
  /** The most requests in flight since the last tick, and when one was last refused for want of a slot. */
  peak: number;
  refusedAt: number;
  failures: number;
  breaker: { until: number; probe: Probe; askAfter: number } | undefined;
  /** A breaker change not yet written for the fleet: open until then, or close (null). */
  publish: number | null | undefined;
  /** Another instance waits for this host's slots: keep to the fair share. */
  contended: boolean;
  /** Callers waiting for the take under way. */
  waiters: Array<() => void>;
}

/** What the guard needs beside its settings. */
export interface HostGuardDeps {
  /** A request starts only on slots whose lease outlasts this, so none is taken over while the request runs. */
  requestTimeoutMs: number;
  /** Instances sending now (the fleet share of a contended host is the cap divided among them). */
  fleetSize: () => number;
  /** The guard has chores for the keeper. */
  onChores: () => void;
  /** A slot of `host` came to this instance, or the host can no longer promise one: wake a postback waiting for it. */
  onWake: (host: string) => void;
}

export class HostGuard {
  readonly #settings: HostGuardSettings;
  readonly #deps: HostGuardDeps;
  readonly #hosts = new Map<string, HostState>();

  constructor(settings: HostGuardSettings, deps: HostGuardDeps) {
    this.#settings = settings;
    this.#deps = deps;
  }

  /**
   * Takes a slot for a request to `host`, or says why not (the breaker is open, or this instance holds no free
   * slot of the host). A half-open breaker lets through the one probe this instance was granted.
   */
  enter(host: string, now: number): Busy | undefined {
    const state = this.#state(host);
    const { busyDelayMs } = this.#settings;
    const breaker = state.breaker;
    if (breaker) {
      if (now < breaker.until) return { until: new Date(breaker.until), open: true, soon: false };
      if (breaker.probe !== 'mine') {
        if (breaker.probe === 'none' && now >= breaker.askAfter) {
          breaker.probe = 'wanted';
          this.#deps.onChores();
        }
        return { until: new Date(now + busyDelayMs), open: true, soon: false };
      }
    }
    if (state.inFlight >= this.#usable(state, now)) {
      state.refusedAt = now;
      if (this.#mayTake(state, now)) {
        state.take = 'wanted';
        this.#deps.onChores();
      }
      // A probe waiting for a slot still holds the others back.
      return { until: new Date(now + busyDelayMs), open: breaker !== undefined, soon: breaker === undefined && this.#slotSoon(state) };
    }
    if (breaker) breaker.probe = 'sending';
    state.inFlight += 1;
    state.peak = Math.max(state.peak, state.inFlight);
    return undefined;
  }

  /**
   * The hosts that cannot take a request at `now` (reads only; a claim leaves their postbacks in the outbox).
   * `soon` says a slot comes free on this instance soon (one is in use, or being taken); without it nothing
   * will: the breaker holds the host back, or the fleet holds the slots this instance may not take now. A host
   * whose slots this instance could take, or whose half-open breaker it could probe, is never listed: its
   * postbacks must reach `enter()` to ask for them.
   */
  unavailable(now: number): Array<{ host: string; soon: boolean }> {
    const hosts: Array<{ host: string; soon: boolean }> = [];
    for (const [host, state] of this.#hosts) {
      const breaker = state.breaker;
      if (breaker && (now < breaker.until || breaker.probe === 'wanted' || breaker.probe === 'asking' || breaker.probe === 'sending' || (breaker.probe === 'none' && now < breaker.askAfter))) {
        hosts.push({ host, soon: false });
        continue;
      }
      if (state.inFlight < this.#usable(state, now) || this.#mayTake(state, now)) continue;
      hosts.push({ host, soon: this.#slotSoon(state) });
    }
    return hosts;
  }

  /** Gives the slot back. `healthy` is false for no answer or a 5xx: those count towards the breaker. */
  leave(host: string, healthy: boolean, now: number): void {
    const state = this.#hosts.get(host);
    if (!state) return;
    state.inFlight -= 1;
    if (healthy) {
      state.failures = 0;
      if (state.breaker) this.#publish(state, null);
    } else {
      state.failures += 1;
      // A failed probe opens the breaker again, whoever opened it first (it may have been another instance).
      const probeFailed = state.breaker?.probe === 'sending';
      if (probeFailed || (!state.breaker && state.failures >= this.#settings.breakerThreshold)) this.#publish(state, now + this.#settings.breakerCooldownMs);
    }
    // Over its share of a host another instance waits for: the slot just freed goes back to the fleet.
    if (state.slots > this.#share(state)) {
      state.slots -= 1;
      state.giving += 1;
      this.#deps.onChores();
    }
    this.#forgetIfQuiet(host, state);
  }

  /** Resolves once the take under way for `host` is answered (at once when none is), or after `timeoutMs`. */
  taken(host: string, timeoutMs: number): Promise<void> {
    const state = this.#hosts.get(host);
    if (!state || state.take === 'none') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      state.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Hosts whose breaker holds their postbacks back now (cooling down, or half-open waiting for its probe). */
  openHosts(): string[] {
    return [...this.#hosts].filter(([, state]) => state.breaker !== undefined).map(([host]) => host);
  }

  /**
   * The keeper's work, marked as under way. On a `tick`, slots unused since the last one are given back too, unless
   * a postback was refused one lately: a postback put off comes back after `busyDelayMs`, and finds them then.
   */
  chores(now: number, tick: boolean): HostChores {
    const keepMs = 2 * this.#settings.busyDelayMs;
    const chores: HostChores = { breakers: [], probes: [], gives: [], takes: [] };
    for (const [host, state] of this.#hosts) {
      if (state.publish !== undefined) chores.breakers.push({ host, openUntil: state.publish });
      if (state.breaker?.probe === 'wanted') {
        state.breaker.probe = 'asking';
        chores.probes.push(host);
      }
      if (tick && state.take === 'none' && now - state.refusedAt > keepMs && state.peak < state.slots) {
        state.giving += state.slots - state.peak;
        state.slots = state.peak;
        // Nothing holds a slot for a postback that may still wait in memory: pass it on, so none is stranded.
        if (state.slots === 0) this.#deps.onWake(host);
      }
      if (tick) state.peak = state.inFlight;
      if (state.giving > 0) {
        chores.gives.push({ host, count: state.giving });
        state.giving = 0;
      }
      if (state.take === 'wanted') {
        state.take = 'taking';
        chores.takes.push({ host, count: Math.max(1, this.#share(state) - state.slots) });
      }
    }
    return chores;
  }

  /** Every slot is given back and nothing is being taken or asked for (the keeper stopped): none is used any more. */
  released(): void {
    for (const [host, state] of this.#hosts) {
      Object.assign(state, { slots: 0, giving: 0, take: 'none' });
      if (state.breaker && state.breaker.probe !== 'sending') state.breaker.probe = 'none';
      for (const wake of state.waiters.splice(0)) wake();
      this.#forgetIfQuiet(host, state);
    }
  }

  /** The breaker change `openUntil` is written (a newer one made meanwhile stays to be written). */
  published(host: string, openUntil: number | null): void {
    const state = this.#hosts.get(host);
    if (state?.publish === openUntil) state.publish = undefined;
  }

  /** The fleet answered this instance's request for the probe of `host`. */
  probeAnswered(host: string, granted: boolean, now: number): void {
    const breaker = this.#hosts.get(host)?.breaker;
    if (breaker?.probe !== 'asking') return;
    breaker.probe = granted ? 'mine' : 'none';
    // The right lasts a slot lease: a postback must go now, not at the next idle poll (the claim loop left the host
    // out while it asked), or the right could lapse first, every time: a probe asked for, granted and lapsed for ever.
    if (granted) this.#deps.onWake(host);
    // Another instance probes (or the answer failed): ask again a little later, unless its outcome arrives first.
    else breaker.askAfter = now + this.#settings.busyDelayMs;
  }

  /** `count` slots of `host` were taken (of `asked`) under a lease until `until`; wakes a waiting postback per slot. */
  took(host: string, count: number, asked: number, until: number, now: number): void {
    const state = this.#state(host);
    state.take = 'none';
    if (count > 0) {
      state.slotsUntil = state.slots === 0 ? until : Math.min(state.slotsUntil, until);
      state.slots += count;
    }
    if (count < asked) {
      // The host is contended now (this instance waits too), until the next read of the fleet's rows says otherwise.
      state.takeAfter = now + this.#settings.busyDelayMs;
      state.contended = true;
    }
    for (const wake of state.waiters.splice(0)) wake();
    // With no slot gained, a woken postback finds none and passes the wake-up on: nothing stays waiting in memory.
    for (let i = 0; i < Math.max(count, 1); i++) this.#deps.onWake(host);
  }

  /** Hosts with slots held (or still to give back), and how many: what a renewal extends. */
  held(): Map<string, number> {
    const held = new Map<string, number>();
    for (const [host, state] of this.#hosts) if (state.slots + state.giving > 0) held.set(host, state.slots + state.giving);
    return held;
  }

  /** The leases of the slots of `hosts` now last until `until`; `counts`, when given, is what the database says is held. */
  renewed(hosts: Iterable<string>, until: number, counts?: ReadonlyMap<string, number>): void {
    for (const host of hosts) {
      const state = this.#hosts.get(host);
      if (!state) continue;
      state.slotsUntil = until;
      if (!counts) continue;
      // Slots lost to another instance (their lease had run out) are no longer used; slots still to be given back are not counted twice.
      const slots = Math.max(0, (counts.get(host) ?? 0) - state.giving);
      const lost = slots < state.slots;
      state.slots = slots;
      if (lost && slots === 0) this.#deps.onWake(host);
      this.#forgetIfQuiet(host, state);
    }
  }

  /** The fleet's breakers and waits as read: every host not listed is closed and wanted by nobody. */
  shared(rows: readonly SharedHost[]): void {
    const listed = new Map(rows.map((row) => [row.host, row]));
    for (const row of rows) this.#state(row.host);
    for (const [host, state] of this.#hosts) {
      const row = listed.get(host);
      state.contended = row?.wanted ?? false;
      // This instance's own change, not yet written, is newer than what was read.
      if (state.publish !== undefined) continue;
      const openUntil = row?.openUntil ?? null;
      if (openUntil === null) {
        if (state.breaker && state.breaker.probe !== 'sending') {
          state.breaker = undefined;
          state.failures = 0;
        }
      } else if (!state.breaker) {
        state.breaker = { until: openUntil, probe: row?.probeMine === true ? 'mine' : 'none', askAfter: 0 };
      } else {
        const breaker = state.breaker;
        // Opened again elsewhere, or the probe right lapsed: this instance's claim to probe is gone.
        if (breaker.until !== openUntil || (breaker.probe === 'mine' && row?.probeMine !== true)) {
          if (breaker.probe !== 'sending') breaker.probe = 'none';
          breaker.until = openUntil;
        }
      }
      this.#forgetIfQuiet(host, state);
    }
  }

  // Slots held whose lease outlasts a request started now.
  #usable(state: HostState, now: number): number {
    return state.slotsUntil - now > this.#deps.requestTimeoutMs ? state.slots : 0;
  }

  // A slot comes free on this instance soon: one is in use, or a take is under way.
  #slotSoon(state: HostState): boolean {
    return state.inFlight > 0 || state.take !== 'none';
  }

  // Whether a take of more slots may start now: none under way, none lately came back short, and below the share.
  #mayTake(state: HostState, now: number): boolean {
    return state.take === 'none' && now >= state.takeAfter && state.slots < this.#share(state);
  }

  // The share of a host's cap this instance may hold: all of it, or an even share while another instance waits.
  #share(state: HostState): number {
    const { maxPerHost } = this.#settings;
    return state.contended ? Math.ceil(maxPerHost / Math.max(1, this.#deps.fleetSize())) : maxPerHost;
  }

  #publish(state: HostState, openUntil: number | null): void {
    state.breaker = openUntil === null ? undefined : { until: openUntil, probe: 'none', askAfter: 0 };
    state.publish = openUntil;
    this.#deps.onChores();
  }

  #state(host: string): HostState {
    let state = this.#hosts.get(host);
    if (!state) {
      state = {
        inFlight: 0, slots: 0, slotsUntil: 0, giving: 0, take: 'none', takeAfter: 0, peak: 0, refusedAt: 0,
        failures: 0, breaker: undefined, publish: undefined, contended: false, waiters: [],
      };
      this.#hosts.set(host, state);
    }
    return state;
  }

  // Forget quiet hosts (nothing held, in flight, pending or open), so the map stays as small as the busy or troubled ones.
  #forgetIfQuiet(host: string, state: HostState): void {
    const quiet = state.inFlight === 0 && state.slots === 0 && state.giving === 0 && state.take === 'none' && state.failures === 0;
    if (quiet && !state.breaker && state.publish === undefined && !state.contended && state.waiters.length === 0) this.#hosts.delete(host);
  }
}

/** The key hosts are isolated by: host name and port, so two trackers on one machine stay apart. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
