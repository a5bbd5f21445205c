// Per-destination-host isolation: a cap on requests in flight to one host, and a circuit breaker for a host that keeps failing.

/** The resolved isolation settings. */
export interface HostGuardSettings {
  /** Requests in flight to one host (`name:port`) at once. */
  maxPerHost: number;
  /** Consecutive unanswered/5xx attempts to a host that open its breaker. */
  breakerThreshold: number;
  /** How long an open breaker keeps a host's postbacks back before one probe may go. */
  breakerCooldownMs: number;
  /** How long a postback waits when its host is at its cap. */
  busyDelayMs: number;
}

interface HostState {
  inFlight: number;
  failures: number;
  openUntil: number;
  probing: boolean;
}

export class HostGuard {
  readonly #settings: HostGuardSettings;
  readonly #hosts = new Map<string, HostState>();

  constructor(settings: HostGuardSettings) {
    this.#settings = settings;
  }

  /**
   * Takes a slot for a request to `host`, or says until when to put the postback off (the host is at its
   * cap, or its breaker is open). A half-open breaker lets a single probe through.
   */
  enter(host: string, now: number): { until: Date; open: boolean } | undefined {
    const state = this.#hosts.get(host) ?? { inFlight: 0, failures: 0, openUntil: 0, probing: false };
    const { maxPerHost, busyDelayMs, breakerThreshold } = this.#settings;
    if (state.failures >= breakerThreshold) {
      if (now < state.openUntil) return { until: new Date(state.openUntil), open: true };
      if (state.probing) return { until: new Date(now + busyDelayMs), open: true };
      state.probing = true;
    } else if (state.inFlight >= maxPerHost) {
      return { until: new Date(now + busyDelayMs), open: false };
    }
    state.inFlight += 1;
    this.#hosts.set(host, state);
    return undefined;
  }

  /**
   * The hosts that cannot take a request at `now`: at their cap, or with an open breaker (`open`) that lets no
   * probe through yet. Reads only; a claim leaves their postbacks in the outbox.
   */
  unavailable(now: number): Array<{ host: string; open: boolean }> {
    const { maxPerHost, breakerThreshold } = this.#settings;
    const hosts: Array<{ host: string; open: boolean }> = [];
    for (const [host, state] of this.#hosts) {
      if (state.failures >= breakerThreshold) {
        if (now < state.openUntil || state.probing) hosts.push({ host, open: true });
      } else if (state.inFlight >= maxPerHost) {
        hosts.push({ host, open: false });
      }
    }
    return hosts;
  }

  /** Gives the slot back. `healthy` is false for no answer or a 5xx: those count towards the breaker. */
  leave(host: string, healthy: boolean, now: number): void {
    const state = this.#hosts.get(host);
    if (!state) return;
    state.inFlight -= 1;
    state.probing = false;
    if (healthy) state.failures = 0;
    else if (++state.failures >= this.#settings.breakerThreshold) state.openUntil = now + this.#settings.breakerCooldownMs;
    // Forget quiet, healthy hosts, so the map stays as small as the set of troubled or busy ones.
    if (state.inFlight === 0 && state.failures === 0) this.#hosts.delete(host);
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
