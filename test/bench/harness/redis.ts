// Redis for the BullMQ comparison. BullMQ 6 takes its Redis driver as an optional peer; the bench uses ioredis, the
// driver BullMQ's own docs start from, when it is installed, and says so plainly when it is not.

import { connect } from 'node:net';
import type { ConnectionOptions } from 'bullmq';

export const REDIS = { host: '127.0.0.1', port: 6379 };

type RedisConstructor = new (options: Record<string, unknown>) => { disconnect(): void; on(event: string, listener: () => void): unknown };

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** A BullMQ connection: an ioredis client on 127.0.0.1:6379 (`maxRetriesPerRequest: null`, as BullMQ workers require). */
export async function bullmqConnection(): Promise<{ connection: ConnectionOptions; close(): void }> {
  // ioredis reconnects forever by default: a Redis that is not there would hang the queue instead of failing.
  if ((await redisVersion()) === null) throw new RedisUnavailableError(`Redis does not answer at ${REDIS.host}:${REDIS.port}`);
  // A variable specifier, so that the bench still type-checks and runs (without this comparison) where ioredis is absent.
  const specifier = 'ioredis';
  let Redis: RedisConstructor;
  try {
    const module = (await import(specifier)) as { Redis?: RedisConstructor; default?: RedisConstructor };
    const found = module.Redis ?? module.default;
    if (!found) throw new Error('no Redis export');
    Redis = found;
  } catch {
    throw new RedisUnavailableError("BullMQ 6 needs its optional Redis driver 'ioredis', which is not installed (npm install --save-dev ioredis)");
  }
  const client = new Redis({ ...REDIS, maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  return { connection: client as unknown as ConnectionOptions, close: () => { client.disconnect(); } };
}

/** What the bench reads of a Redis server: its version, and its process ID for metering its CPU time. */
export interface RedisServerInfo {
  version: string;
  processId: number;
}

/** The version and process ID out of an `INFO server` reply; undefined until both lines have arrived whole. */
export function parseRedisInfo(reply: string): RedisServerInfo | undefined {
  const version = /redis_version:(\S+)\r\n/.exec(reply)?.[1];
  const processId = /process_id:(\d+)\r\n/.exec(reply)?.[1];
  return version && processId ? { version, processId: Number(processId) } : undefined;
}

/** INFO server, over a bare socket; null when nothing answers on 127.0.0.1:6379. */
export function redisServerInfo(timeoutMs = 2_000): Promise<RedisServerInfo | null> {
  return new Promise((resolve) => {
    const socket = connect(REDIS.port, REDIS.host);
    let reply = '';
    const done = (info: RedisServerInfo | null) => {
      socket.destroy();
      resolve(info);
    };
    socket.setTimeout(timeoutMs, () => { done(null); });
    socket.once('error', () => { done(null); });
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      const info = parseRedisInfo(reply);
      if (info) done(info);
    });
  });
}

/** The server's version from INFO; null when nothing answers on 127.0.0.1:6379. */
export async function redisVersion(timeoutMs = 2_000): Promise<string | null> {
  return (await redisServerInfo(timeoutMs))?.version ?? null;
}
