// The servers beside the measured systems, when they run on this machine: a postback costs the relay's CPU and
// MariaDB's, as a BullMQ job costs its worker's and Redis's, so the bench meters both sides of each.

import { readFileSync } from 'node:fs';
import knexFactory from 'knex';
import { knexConfigForUrl } from '../../../lib/store/database.js';
import { redisServerInfo } from './redis.js';

/** The process ID of the MySQL server at `url` when it runs here and its pid file can be read; else undefined. */
export async function databaseServerPid(url: string): Promise<number | undefined> {
  const config = knexConfigForUrl(url);
  const knex = knexFactory({ ...config, pool: { ...config.pool, min: 1, max: 1 } });
  try {
    const [[row]] = (await knex.raw('select @@pid_file as pidFile')) as [[{ pidFile: string }]];
    return localProcess(Number(readFileSync(row.pidFile, 'utf8').trim()), /^(mariadbd|mysqld)$/);
  } catch {
    return undefined;
  } finally {
    await knex.destroy();
  }
}

/** The process ID of the Redis server on 127.0.0.1:6379 when it runs here; else undefined. */
export async function redisServerPid(): Promise<number | undefined> {
  const info = await redisServerInfo();
  return info ? localProcess(info.processId, /^redis-server/) : undefined;
}

// A server in a container or on another machine reports a pid that means nothing here: only a process of its name counts.
function localProcess(pid: number, name: RegExp): number | undefined {
  try {
    return name.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()) ? pid : undefined;
  } catch {
    return undefined;
  }
}
