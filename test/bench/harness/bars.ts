// The bars of issue 19, as ratios to what runs beside the relay in the same run (so they hold on a noisy machine),
// and how a figure is judged against them.

export const BARS = {
  // Ingest only: over the naive one-transaction handler and the no-op Express ceiling; sending meanwhile: over naive.
  ingest: { minTimesNaive: 3, minOfCeiling: 0.75, maxP99Ms: 50, minSendingTimesNaive: 1.5 },
  dispatch: { minTimesBullmq: 1.2, minOfCeiling: 0.35 },
  // At the end-to-end scenario's default rate (1,000 events/s).
  e2e: { maxP99Ms: 50 },
  // The healthy hosts' rate beside a hanging and a failing host, over the same run without them.
  isolation: { minHealthyRatio: 0.9 },
  memory: { maxPeakRssBytes: 120e6 },
  // In counts from MariaDB's own status: these hold from machine to machine.
  work: { maxStatementsPerPostback: 0.05, maxRowsPerPostback: 2 },
} as const;

export type Verdict = 'met' | 'missed' | 'not judged (smoke)' | 'not measured';

/**
 * Met when every condition holds, missed when one fails; a condition that could not be measured (null)
 * leaves the bar unjudged unless another already failed. A smoke run's figures are never judged.
 */
export function judge(conditions: ReadonlyArray<boolean | null>, smoke: boolean): Verdict {
  if (smoke) return 'not judged (smoke)';
  if (conditions.includes(false)) return 'missed';
  if (conditions.includes(null)) return 'not measured';
  return 'met';
}

/** `value >= min`, null when not measured. */
export function atLeast(value: number | null, min: number): boolean | null {
  return value === null || Number.isNaN(value) ? null : value >= min;
}

/** `value < max`, null when not measured. */
export function below(value: number | null, max: number): boolean | null {
  return value === null || Number.isNaN(value) ? null : value < max;
}

/** `value <= max`, null when not measured. */
export function atMost(value: number | null, max: number): boolean | null {
  return value === null || Number.isNaN(value) ? null : value <= max;
}
