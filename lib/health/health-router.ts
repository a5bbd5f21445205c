// Liveness and readiness: /healthz answers while the process runs; /readyz only when it can do its job.

import { Router } from 'express';
import { describeError } from '../log.js';

/** One readiness check: resolves with nothing when fine, throws (or resolves a reason) when not. */
export type ReadinessCheck = () => Promise<string | undefined>;

/** A check that has not answered in this time counts as failed, so an orchestrator's probe never hangs. */
const CHECK_TIMEOUT_MS = 2_000;

/** Facts shown beside the checks, read from memory (never a query per probe); they do not decide readiness. */
export type ReadinessFacts = Readonly<Record<string, () => object>>;

/**
 * Builds the router: `GET /healthz` is 200 `{"status":"ok"}`; `GET /readyz` is 200 when every check
 * passes and 503 otherwise, with `{"status", "checks": {name: "ok" | reason}}` and each of `facts` by its name
 * (the fleet: this instance's id and how many instances are alive). No authentication: probes carry no key,
 * and the answers hold no data.
 */
export function createHealthRouter(checks: Readonly<Record<string, ReadinessCheck>>, facts: ReadinessFacts = {}): Router {
  const router = Router();
  router.get('/healthz', function alive(_req, res) {
    res.set('cache-control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async function ready(_req, res) {
    const results = await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check)] as const));
    const ok = results.every(([, result]) => result === 'ok');
    const shown = Object.fromEntries(Object.entries(facts).map(([name, read]) => [name, read()]));
    res.status(ok ? 200 : 503).set('cache-control', 'no-store').json({ status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results), ...shown });
  });
  return router;
}

async function runCheck(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const reason = await Promise.race([
      check(),
      new Promise<string>((resolve) => (timer = setTimeout(resolve, CHECK_TIMEOUT_MS, `no answer within ${CHECK_TIMEOUT_MS} ms`))),
    ]);
    return reason ?? 'ok';
  } catch (error) {
    return describeError(error);
  } finally {
    clearTimeout(timer);
  }
}
