// V8's own answer to "do these objects share a hidden class?", which needs `--allow-natives-syntax`: so asked in a
// child process that runs `script` (an ES module, TypeScript imports allowed through tsx) and prints its answer.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The absolute path of a repository file, for `script` to import. */
export function repoModule(path: string): string {
  return fileURLToPath(new URL(`../../${path}`, import.meta.url));
}

/** What `script` wrote to stdout; throws with its stderr when it wrote any. */
export function runWithNatives(script: string): string {
  const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: REPO });
  if (child.stderr !== '' || child.status !== 0) throw new Error(`the natives-syntax child failed (${String(child.status)}): ${child.stderr}`);
  return child.stdout;
}
