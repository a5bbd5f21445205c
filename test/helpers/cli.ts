// Runs the built `postback-relay` binary (dist/docker/cli.js) and captures its exit code and output.

import { spawn } from 'node:child_process';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const CLI = 'dist/docker/cli.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for `--json`). */
  json(): unknown;
}

/** The environment less anything that would configure the relay, plus `extra`. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(POSTBACK_RELAY_|DATABASE_URL$|PORT$|NODE_ENV$)/.test(key)));
  return { ...env, ...extra };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const child = spawn('node', [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    child.once('close', (code) => {
      resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) as unknown });
    });
  });
}
