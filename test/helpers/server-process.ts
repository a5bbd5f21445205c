// Runs the standalone server as a child process and reads its JSON log lines.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface ServerProcess {
  child: ChildProcess;
  /** The API's URL, from the "listening" log line. */
  url: string;
  /** The generated API key, when the server logged one. */
  apiKey: string | undefined;
  logs: Array<Record<string, unknown>>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function startServerProcess(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ServerProcess> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  // 'close' waits for every process holding the pipes (npm's child too), so the last log lines are in.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => { resolve(code); }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start in time; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    let buffered = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'postback-relay listening') {
          clearTimeout(timer);
          const keyLine = logs.find((log) => typeof log.apiKey === 'string');
          resolve({
            child,
            url: String(entry.url),
            apiKey: keyLine?.apiKey as string | undefined,
            logs,
            stop: () => {
              child.kill('SIGTERM');
              return exited;
            },
          });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${String(code)} before listening; stderr: ${stderr}`));
    });
  });
}
