// Percentiles, rates and ratios of measured samples: the arithmetic behind every figure the bench prints.

/** A latency distribution in milliseconds. */
export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * The nearest-rank percentile (the smallest sample with at least `q` of the samples at or below it) of
 * samples sorted ascending; NaN for no samples. Nearest-rank never invents a value between two samples.
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`a percentile is between 0 and 1, got ${q}`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

/** p50, p99 and max of unsorted samples. */
export function distribution(samples: readonly number[]): Distribution {
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  return { count: values.length, p50: percentile(values, 0.5), p99: percentile(values, 0.99), max: values.length === 0 ? Number.NaN : (values.at(-1) as number) };
}

/** Events per second; null when nothing was timed. */
export function perSecond(count: number, ms: number): number | null {
  return ms > 0 && count > 0 ? (count * 1000) / ms : null;
}

/** `value / baseline`, or null when either is missing (a comparison that did not run is not a ratio of 0). */
export function ratio(value: number | null, baseline: number | null): number | null {
  return value === null || baseline === null || baseline === 0 ? null : value / baseline;
}
