// Reads a stopped relay's outbox counts through the relay's own library (never started, so it sends nothing).

import { createPostbackRelay } from '../../../lib/index.js';
import type { OutboxCounts } from './correctness.js';
import { BENCH_API_KEY, BENCH_DATABASE_URL } from './relay-process.js';

export async function outboxCounts(tablePrefix: string): Promise<OutboxCounts> {
  const relay = createPostbackRelay({ database: BENCH_DATABASE_URL, tablePrefix, apiKeys: [BENCH_API_KEY] });
  try {
    const { pending, failed, delivered } = await relay.deliveries.stats();
    return { pending, failed, delivered };
  } finally {
    await relay.stop();
  }
}
