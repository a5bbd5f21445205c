// What a scenario gets from the run (options, the sink, table prefixes) and what it hands back (figures, rows, failures).

import type { BenchOptions, ScenarioName } from './options.js';
import type { Sink } from './sink-client.js';
import type { TableRow } from './table.js';

export interface ScenarioContext {
  options: BenchOptions;
  sink: Sink;
  /** Unique per run: lead ids and queue names start with it. */
  tag: string;
  /** A fresh table prefix, dropped when the run ends. */
  usePrefix(scenario: string): string;
  /** A progress line on stderr. */
  progress(message: string): void;
  /** Results of the scenarios that already ran, for cross-scenario ratios. */
  earlier: ReadonlyMap<ScenarioName, ScenarioResult>;
}

export interface ScenarioResult {
  /** Every figure, for bench-results.json. */
  figures: Record<string, unknown>;
  rows: TableRow[];
  /** Correctness failures (a duplicate, a lost postback): they make the run exit non-zero. */
  failures: string[];
  notes: string[];
}

export type Scenario = (context: ScenarioContext) => Promise<ScenarioResult>;
