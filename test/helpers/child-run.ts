// Runs a command (or the repository's mocha) to its end and captures its exit code and output (stdout and stderr interleaved).

import { spawn } from 'node:child_process';

export interface ChildRun {
  code: number | null;
  output: string;
}

export function runToEnd(command: string, args: readonly string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<ChildRun> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => { resolve({ code, output }); }));
}

/** Runs the repository's mocha with `args` (files, flags), its environment this process's with `env` over it. */
export function runMocha(args: readonly string[], env: Record<string, string> = {}): Promise<ChildRun> {
  return runToEnd(process.execPath, ['node_modules/mocha/bin/mocha.js', ...args], { cwd: new URL('../../', import.meta.url).pathname, env: { ...process.env, ...env } });
}
