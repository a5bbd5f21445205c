// The `drift` command's text: an endpoint's totals, then each click whose tracker books differ from the truth, and why.

import type { DriftReport } from '../drift/report.js';

/** The report as lines for a terminal. */
export function describeDrift(report: DriftReport): string {
  const { totals } = report;
  const head = [
    `endpoint ${report.endpointId}  ${report.plugin}  ${report.books.family}, dedupe ${report.books.dedupe}, adjustments by ${report.adjustmentMode}`,
    `clicks ${totals.clicks}  differing ${totals.clicksDiffering}  truth ${totals.truth}  tracker should show ${totals.expected}  difference ${totals.difference}`,
  ];
  const clicks = report.differing.flatMap((click) => [
    `  click ${click.clickId}  truth ${click.truth}  expected ${click.expected}  difference ${click.difference}`,
    ...click.reasons.map((reason) => `    - ${reason}`),
  ]);
  return [...head, ...clicks, ...(report.next === null ? [] : [`more: --after ${report.next}`])].join('\n');
}
