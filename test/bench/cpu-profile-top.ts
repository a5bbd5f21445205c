// Prints the top self-time functions of CPU profiles, e.g. the relay's under ingest (npm run bench -- --only ingest --cpu-prof DIR).
// Run: npx tsx test/bench/cpu-profile-top.ts DIR/*.cpuprofile [--top 25] [--by package]

import { readFileSync } from 'node:fs';
import { topSelfTime } from './harness/cpu-profile.js';
import type { CpuProfile } from './harness/cpu-profile.js';
import { REPO_ROOT } from './harness/processes.js';

const args = process.argv.slice(2);
const valueOf = (flag: string) => {
  const at = args.indexOf(flag);
  return at === -1 ? undefined : args[at + 1];
};
const top = Number(valueOf('--top') ?? 25);
const by = valueOf('--by') ?? 'function';
const flagged = new Set(['--top', '--by'].flatMap((flag) => (args.includes(flag) ? [args.indexOf(flag), args.indexOf(flag) + 1] : [])));
const files = args.filter((_, i) => !flagged.has(i));
if (files.length === 0 || !Number.isInteger(top) || (by !== 'function' && by !== 'package')) {
  process.stderr.write('usage: npx tsx test/bench/cpu-profile-top.ts FILE.cpuprofile... [--top N] [--by function|package]\n');
  process.exit(2);
}
for (const file of files) {
  process.stdout.write(`${file}\n`);
  for (const { frame, ms, share } of topSelfTime(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top, REPO_ROOT, by)) {
    process.stdout.write(`${(share * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${frame}\n`);
  }
}
