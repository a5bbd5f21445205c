// What the figures were measured on: CPU, memory, Node, MariaDB, Redis, the relay's commit, and when.

import { execFileSync } from 'node:child_process';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { redisVersion } from './redis.js';

export interface MachineInfo {
  os: string;
  cpuModel: string;
  cpuCount: number;
  totalMemoryBytes: number;
  node: string;
  mariadb: string;
  redis: string | null;
  commit: string | null;
  date: string;
}

export async function machineInfo(mariadb: string, repoRoot: string): Promise<MachineInfo> {
  const cpuList = cpus();
  return {
    os: `${osType()} ${release()}`,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cpuCount: cpuList.length,
    totalMemoryBytes: totalmem(),
    node: process.version,
    mariadb,
    redis: await redisVersion(),
    commit: gitCommit(repoRoot),
    date: new Date().toISOString(),
  };
}

function gitCommit(repoRoot: string): string | null {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}+changes` : commit;
  } catch {
    return null;
  }
}
