// Open-loop pacing: how many events should have been sent by now at a steady rate, whatever the server's answers.

/** Events due `elapsedMs` into a run at `ratePerS`, the first one at 0, never more than `total`. */
export function eventsDue(elapsedMs: number, ratePerS: number, total: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * ratePerS) / 1000) + 1);
}

/** When event `index` is due, in ms from the start. */
export function dueAt(index: number, ratePerS: number): number {
  return (index * 1000) / ratePerS;
}
