// The environment and node flags of `npm start` (package.json's start script): the one place the server's memory
// sizing is written down.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

const SERVER = 'dist/docker/server.js';

function startScript(): { env: Record<string, string>; flags: string[] } {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const match = new RegExp(`^((?:[A-Z_]+=\\S+ )*)exec node((?: --\\S+)*) ${SERVER.replace(/\./g, '\\.')}$`).exec(scripts.start ?? '');
  if (!match) throw new Error(`package.json's start script is not "[VAR=value ...] exec node [flags] ${SERVER}": ${JSON.stringify(scripts.start)}`);
  const words = (text: string | undefined) => (text ?? '').trim().split(' ').filter((word) => word !== '');
  return {
    env: Object.fromEntries(words(match[1]).map((assignment) => [assignment.slice(0, assignment.indexOf('=')), assignment.slice(assignment.indexOf('=') + 1)])),
    flags: words(match[2]),
  };
}

/** The flags between `node` and the server script in `npm start`, e.g. `['--max-semi-space-size=1', ...]`. */
export function startNodeFlags(): string[] {
  return startScript().flags;
}

/** The variables `npm start` sets for the server, e.g. `{ MALLOC_ARENA_MAX: '2' }`. */
export function startEnv(): Record<string, string> {
  return startScript().env;
}

/** The old-space cap `npm start` sets, in MB: the heap limit a server started with its flags reports (plus the young generation). */
export function startOldSpaceMb(): number {
  const flag = startNodeFlags().find((candidate) => candidate.startsWith('--max-old-space-size='));
  if (flag === undefined) throw new Error("npm start sets no --max-old-space-size: the server's heap is not sized (docs/performance.md, \"Memory\")");
  return Number(flag.slice('--max-old-space-size='.length));
}
