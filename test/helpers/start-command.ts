// The node flags of `npm start` (package.json's start script): the one place the server's heap sizing is written down.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

const SERVER = 'dist/docker/server.js';

/** The flags between `node` and the server script in `npm start`, e.g. `['--max-semi-space-size=1', ...]`. */
export function startNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const match = new RegExp(`^exec node((?: --\\S+)*) ${SERVER.replace(/\./g, '\\.')}$`).exec(scripts.start ?? '');
  if (!match) throw new Error(`package.json's start script is not "exec node [flags] ${SERVER}": ${JSON.stringify(scripts.start)}`);
  return match[1]!.trim().split(' ').filter((flag) => flag !== '');
}

/** The old-space cap `npm start` sets, in MB: the heap limit a server started with its flags reports (plus the young generation). */
export function startOldSpaceMb(): number {
  const flag = startNodeFlags().find((candidate) => candidate.startsWith('--max-old-space-size='));
  if (flag === undefined) throw new Error("npm start sets no --max-old-space-size: the server's heap is not sized (docs/performance.md, \"Memory\")");
  return Number(flag.slice('--max-old-space-size='.length));
}
