// Reads samples out of Prometheus text exposition, for asserting on /metrics.

/** The value of one series, e.g. `metric{a="b"}`; undefined when absent. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
