// Prints the top self-time functions of CPU profiles, e.g. the relay's under ingest (npm run bench -- --only ingest --cpu-prof DIR).
// Run: npx tsx test/bench/cpu-profile-top.ts DIR/*.cpuprofile [--top 25]

import { readFileSync } from 'node:fs';
import { topSelfTime } from './harness/cpu-profile.js';
import type { CpuProfile } from './harness/cpu-profile.js';
import { REPO_ROOT } from './harness/processes.js';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt === -1 ? 25 : Number(args[topAt + 1]);
const files = topAt === -1 ? args : args.filter((_, i) => i !== topAt && i !== topAt + 1);
if (files.length === 0 || !Number.isInteger(top)) {
  process.stderr.write('usage: npx tsx test/bench/cpu-profile-top.ts FILE.cpuprofile... [--top N]\n');
  process.exit(2);
}
for (const file of files) {
  process.stdout.write(`${file}\n`);
  for (const { frame, ms, share } of topSelfTime(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top, REPO_ROOT)) {
    process.stdout.write(`${(share * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${frame}\n`);
  }
}
