// `npm run bench`: six scenarios (issue 19's bars) against the built relay on MariaDB, each beside its comparison in the
// same run. Prints a table, writes bench-results.json. Exits non-zero only on a harness error or a correctness failure
// (a duplicate or a lost postback); a missed bar is reported, not failed.

import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ScenarioContext, ScenarioResult, Scenario } from './harness/context.js';
import { databaseVersion, dropPrefixedTables, runPrefix } from './harness/database.js';
import { machineInfo } from './harness/machine.js';
import type { ScenarioName } from './harness/options.js';
import { BenchOptionError, parseBenchOptions, USAGE } from './harness/options.js';
import { REPO_ROOT } from './harness/processes.js';
import { BENCH_DATABASE_URL } from './harness/relay-process.js';
import { startSink } from './harness/sink-client.js';
import { formatMarkdownTable, formatTable } from './harness/table.js';
import { dispatchScenario } from './scenarios/dispatch.js';
import { endToEndScenario } from './scenarios/end-to-end.js';
import { ingestScenario } from './scenarios/ingest.js';
import { isolationScenario } from './scenarios/isolation.js';
import { memoryScenario } from './scenarios/memory.js';
import { scaleOutScenario } from './scenarios/scale-out.js';

const SCENARIO_RUNNERS: Readonly<Record<ScenarioName, Scenario>> = {
  ingest: ingestScenario,
  dispatch: dispatchScenario,
  isolation: isolationScenario,
  e2e: endToEndScenario,
  memory: memoryScenario,
  scaleout: scaleOutScenario,
};

async function main(): Promise<number> {
  let options;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchOptionError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const progress = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  const mariadb = await databaseVersion(BENCH_DATABASE_URL);
  const machine = await machineInfo(mariadb, REPO_ROOT);
  progress(`${machine.cpuCount} x ${machine.cpuModel}, node ${machine.node}, MariaDB ${mariadb}, Redis ${machine.redis ?? 'not answering'}${options.smoke ? ' (smoke run)' : ''}`);
  if (options.cpuProfDir !== undefined) mkdirSync(options.cpuProfDir, { recursive: true });

  const prefixes: string[] = [];
  const results = new Map<ScenarioName, ScenarioResult>();
  const startedAt = Date.now();
  const sink = await startSink();
  const tag = `b${Date.now().toString(36)}`;
  try {
    for (const name of options.only) {
      const context: ScenarioContext = {
        options,
        sink,
        tag: `${tag}${name.slice(0, 2)}`,
        usePrefix(scenario) {
          const prefix = runPrefix(scenario);
          prefixes.push(prefix);
          return prefix;
        },
        progress,
        earlier: results,
      };
      const scenarioStarted = Date.now();
      await sink.reset();
      const result = await SCENARIO_RUNNERS[name](context);
      result.figures.scenarioSeconds = (Date.now() - scenarioStarted) / 1000;
      results.set(name, result);
      progress(`${name}: done in ${Math.round((Date.now() - scenarioStarted) / 1000)} s`);
    }
  } finally {
    await sink.child.stop();
    for (const prefix of prefixes) await dropPrefixedTables(BENCH_DATABASE_URL, prefix);
  }

  const rows = [...results.values()].flatMap((result) => result.rows);
  const failures = [...results.values()].flatMap((result) => result.failures);
  const notes = [...results.values()].flatMap((result) => result.notes);
  const output = isAbsolute(options.out) ? options.out : join(REPO_ROOT, options.out);
  writeFileSync(
    output,
    `${JSON.stringify({ machine, options, totalSeconds: (Date.now() - startedAt) / 1000, scenarios: Object.fromEntries([...results].map(([name, result]) => [name, result.figures])), table: formatMarkdownTable(rows), notes, failures }, null, 2)}\n`,
  );
  process.stdout.write(`\n${formatTable(rows)}\n\n`);
  for (const note of notes) process.stdout.write(`note: ${note}\n`);
  for (const failure of failures) process.stdout.write(`CORRECTNESS FAILURE: ${failure}\n`);
  process.stdout.write(`${options.smoke ? 'smoke run: figures not judged. ' : ''}${Math.round((Date.now() - startedAt) / 1000)} s in all; results in ${output}\n`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
