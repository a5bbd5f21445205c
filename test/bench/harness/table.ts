// The printed results: one aligned text table, and the number formats its cells use.

/** One printed line: a figure, what it is compared with, the ratio, the bar and whether it was met. */
export interface TableRow {
  scenario: string;
  figure: string;
  comparison: string;
  ratio: string;
  bar: string;
  result: string;
}

const COLUMNS: ReadonlyArray<[keyof TableRow, string]> = [
  ['scenario', 'scenario'],
  ['figure', 'figure'],
  ['comparison', 'comparison'],
  ['ratio', 'ratio'],
  ['bar', 'bar'],
  ['result', 'result'],
];

/** A header, a rule and one line per row, every column padded to its widest cell. */
export function formatTable(rows: readonly TableRow[]): string {
  const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((row) => row[key].length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ').trimEnd();
  return [line(COLUMNS.map(([, title]) => title)), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.map((row) => line(COLUMNS.map(([key]) => row[key])))].join('\n');
}

/** The same rows as a Markdown table, for pasting into the README. */
export function formatMarkdownTable(rows: readonly TableRow[]): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(escape).join(' | ')} |`;
  return [line(COLUMNS.map(([, title]) => title)), `|${COLUMNS.map(() => '---').join('|')}|`, ...rows.map((row) => line(COLUMNS.map(([key]) => row[key])))].join('\n');
}

const NOT_MEASURED = '-';

/** `12,345`: a whole count with thousands separators. */
export function formatCount(value: number | null): string {
  return value === null || !Number.isFinite(value) ? NOT_MEASURED : Math.round(value).toLocaleString('en-US');
}

/** `12.3 ms` (two decimals below 10 ms, none from 100 ms); `never` for a latency of something that did not arrive. */
export function formatMs(value: number | null): string {
  if (value === Number.POSITIVE_INFINITY) return 'never';
  if (value === null || !Number.isFinite(value)) return NOT_MEASURED;
  const digits = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ms`;
}

/** `2.45x`. */
export function formatRatio(value: number | null): string {
  return value === null || !Number.isFinite(value) ? NOT_MEASURED : `${value.toFixed(2)}x`;
}

/** `123.4 MB` (10^6 bytes, as the bar is stated). */
export function formatMegabytes(bytes: number | null): string {
  return bytes === null || !Number.isFinite(bytes) ? NOT_MEASURED : `${(bytes / 1e6).toFixed(1)} MB`;
}
