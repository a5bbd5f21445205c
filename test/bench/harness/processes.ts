// Starts each measured system in its own process, waits until it is ready, and stops it again.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A running child process. */
export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** The fields of its ready line. */
  ready: Record<string, unknown>;
  /** The end of its stderr, for error messages. */
  stderrTail(): string;
  /** How often each JSON log line (`level: msg`) appeared on its stdout after it was ready, e.g. the relay's warnings. */
  logCounts(): Record<string, number>;
  /** The `error` field of the first line of each kind that had one. */
  logErrors(): Record<string, string>;
  /** Resolves with the exit code once it has exited. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

const SYSTEMS_DIR = fileURLToPath(new URL('../systems/', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `node --import tsx test/bench/systems/<script>` with its config. */
export function startSystem(
  name: string,
  script: string,
  config: unknown,
  options: { readyTimeoutMs?: number; nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<Child> {
  return startChild(name, process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', `${SYSTEMS_DIR}${script}`], {
    env: { ...process.env, ...options.env, NODE_ENV: 'production', BENCH_CHILD_CONFIG: JSON.stringify(config) },
    ready: (line) => (line.bench === 'ready' ? line : undefined),
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
  });
}

/**
 * Starts a process and resolves once `ready` accepts one of its stdout JSON lines (or, with `ready` absent, at
 * once). Rejects if it exits or stays silent past the timeout. Output it writes after that is dropped.
 */
export function startChild(
  name: string,
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; ready?: (line: Record<string, unknown>) => Record<string, unknown> | undefined; readyTimeoutMs: number },
): Promise<Child> {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
  const logCounts: Record<string, number> = {};
  const logErrors: Record<string, string> = {};
  const handle = (ready: Record<string, unknown>): Child => ({
    name,
    pid: child.pid ?? -1,
    process: child,
    ready,
    stderrTail: () => stderr,
    logCounts: () => ({ ...logCounts }),
    logErrors: () => ({ ...logErrors }),
    exited,
    async stop(graceMs = 25_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} was not ready within ${options.readyTimeoutMs} ms; stderr: ${stderr}`));
    }, options.readyTimeoutMs);
    const settle = (ready: Record<string, unknown>) => {
      clearTimeout(timer);
      resolve(handle(ready));
    };
    let buffered = '';
    let waiting = options.ready;
    // Read stdout throughout, so a chatty child never blocks on a full pipe; after the ready line only count log lines.
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const entry = parseJsonLine(line);
        const ready = waiting?.(entry);
        if (ready) {
          waiting = undefined;
          settle(ready);
        } else if (typeof entry.level === 'string' && typeof entry.msg === 'string') {
          const key = `${entry.level}: ${entry.msg}`;
          logCounts[key] = (logCounts[key] ?? 0) + 1;
          if (typeof entry.error === 'string') logErrors[key] ??= entry.error.slice(0, 300);
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${String(code)} before it was ready; stderr: ${stderr}`));
    });
    if (!options.ready) settle({});
  });
}

function parseJsonLine(line: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A port nothing listens on right now, for a child that must be told its port up front. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** A note per kind of warning or error a child logged, e.g. `dispatch: relay logged 3 x "warn: postback not delivered"`. */
export function logNotes(label: string, child: Child): string[] {
  return Object.entries(child.logCounts())
    .filter(([key]) => key.startsWith('warn:') || key.startsWith('error:'))
    .map(([key, count]) => {
      const first = child.logErrors()[key];
      return `${label}: ${child.name} logged ${count} x "${key}"${first === undefined ? '' : ` (first: ${first})`}`;
    });
}
