// The postback client as the raw-socket tests use it: allowed to reach 127.0.0.1 only, new for each test, closed after.

import { createPostbackClient } from '../../lib/dispatch/http-client.js';
import type { PostbackClient } from '../../lib/dispatch/http-client.js';
import { createTargetPolicy } from '../../lib/dispatch/target-guard.js';

/** Registers a `beforeEach` that makes the client and an `afterEach` that closes it; returns the current test's client. */
export function useLoopbackClient(options: { timeoutMs: number; maxSockets: number }): () => PostbackClient {
  let client: PostbackClient | undefined;
  beforeEach(() => {
    client = createPostbackClient({ ...options, userAgent: 'test', policy: createTargetPolicy(['127.0.0.1'], 'targetAllowlist') });
  });
  afterEach(() => {
    client?.close();
  });
  return () => {
    if (!client) throw new Error('useLoopbackClient: the client exists only inside a test');
    return client;
  };
}
