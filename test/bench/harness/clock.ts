// One clock for two processes: wall time with sub-millisecond resolution, and the offset of another process's clock.

/** Wall-clock milliseconds with a fractional part: the process's time origin plus the monotonic clock since. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** One exchange: local time when asked, the remote's answer, local time when answered. */
export interface ClockProbe {
  sentAt: number;
  remoteAt: number;
  receivedAt: number;
}

/**
 * How far the remote clock is ahead of ours (remote - local), NTP-style: from the probe with the
 * shortest round trip, whose answer is pinned closest to the midpoint. Also the uncertainty (half that trip).
 */
export function clockOffset(probes: readonly ClockProbe[]): { offsetMs: number; uncertaintyMs: number } {
  let best: ClockProbe | undefined;
  for (const probe of probes) {
    if (!best || probe.receivedAt - probe.sentAt < best.receivedAt - best.sentAt) best = probe;
  }
  if (!best) throw new Error('no clock probes');
  return { offsetMs: best.remoteAt - (best.sentAt + best.receivedAt) / 2, uncertaintyMs: (best.receivedAt - best.sentAt) / 2 };
}
