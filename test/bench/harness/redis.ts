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

/** The server's version from INFO, over a bare socket; null when nothing answers on 127.0.0.1:6379. */
export function redisVersion(timeoutMs = 2_000): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect(REDIS.port, REDIS.host);
    let reply = '';
    const done = (version: string | null) => {
      socket.destroy();
      resolve(version);
    };
    socket.setTimeout(timeoutMs, () => { done(null); });
    socket.once('error', () => { done(null); });
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      const version = /redis_version:(\S+)/.exec(reply)?.[1];
      if (version) done(version);
    });
  });
}
