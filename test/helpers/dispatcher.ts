// Dispatcher settings for unit tests with a fake outbox: generous leases and timeouts, no retries, unless overridden.
// Requests never become overdue here: fake clients hold requests open as long as a test needs one at a time.

import type { DispatcherSettings } from '../../lib/dispatch/dispatcher.js';

export function dispatcherSettings(overrides: Partial<DispatcherSettings> = {}): DispatcherSettings {
  return {
    concurrency: 4, batchSize: 10, leaseMs: 60_000, requestTimeoutMs: 1_000, overdueAfterMs: 600_000, idlePollMs: 60_000, stopTimeoutMs: 60_000,
    retry: { schedule: [], jitter: 0, retryAfterMaxMs: 0 },
    hosts: { maxPerHost: 4, breakerThreshold: 5, breakerCooldownMs: 60_000, busyDelayMs: 1_000 },
    disableAfterMs: 60_000,
    ...overrides,
  };
}
