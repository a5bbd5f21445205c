// The bars of issue 7 (on the project's 2-core machine) and how a figure is judged against them.

export const BARS = {
  ingest: { minEventsPerS: 8_000, minTimesNaive: 3, maxP99Ms: 50 },
  dispatch: { minPostbacksPerS: 4_000, minTimesBullmq: 1 },
  e2e: { maxP50Ms: 15, maxP99Ms: 100 },
  // Issue 19: the healthy hosts' rate beside a hanging and a failing host, over the same run without them.
  isolation: { minHealthyRatio: 0.9 },
  memory: { maxPeakRssBytes: 200e6 },
  // Issue 19's aim, in counts from MariaDB's own status: these hold from machine to machine.
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
