// The fleet's pieces without a database: the options, the shared form-token secret, and the heartbeat's own timer.

import { expect } from 'chai';
import type { Request, Response } from 'express';
import { loadConfig } from '../../lib/config/load.js';
import { createCsrfGuard } from '../../lib/dashboard/csrf.js';
import { newLeaseToken } from '../../lib/dispatch/leases.js';
import { ConfigError, InvalidOptionError } from '../../lib/errors.js';
import { Heartbeat, newInstanceId } from '../../lib/fleet/heartbeat.js';
import type { InstanceReport, InstancesStore } from '../../lib/fleet/instances-store.js';
import type { Logger } from '../../lib/log.js';
import { createPostbackRelay } from '../../lib/relay.js';
import type { PostbackRelayOptions } from '../../lib/options.js';
import { poll } from '../helpers/poll.js';

const valid: PostbackRelayOptions = { database: ':memory:', apiKeys: ['a-long-enough-key'] };
const SECRET = 'a-fleet-secret-of-at-least-32-characters';

function refusal(options: PostbackRelayOptions): InvalidOptionError {
  try {
    createPostbackRelay(options);
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error('the options were accepted');
}

function accepts(guard: ReturnType<typeof createCsrfGuard>, token: string): boolean {
  let verdict: unknown = 'not called';
  const req = { body: { _csrf: token }, get: () => undefined } as unknown as Request;
  void guard.check(req, undefined as unknown as Response, (error?: unknown) => {
    verdict = error ?? 'ok';
  });
  return verdict === 'ok';
}

/** A store that records beats and can be made to fail. */
class FakeStore {
  beats: InstanceReport[] = [];
  removed: string[] = [];
  failing = false;
  beat(report: InstanceReport): Promise<void> {
    if (this.failing) return Promise.reject(new Error('database gone'));
    this.beats.push(report);
    return Promise.resolve();
  }
  prune(): Promise<number> {
    return Promise.resolve(0);
  }
  countSeenSince(): Promise<{ alive: number; sending: number }> {
    const n = this.beats.length > 0 ? 1 : 0;
    return Promise.resolve({ alive: n, sending: n });
  }
  remove(id: string): Promise<void> {
    if (this.failing) return Promise.reject(new Error('database gone'));
    this.removed.push(id);
    return Promise.resolve();
  }
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const quiet = () => undefined;
  return { warnings, debug: quiet, info: quiet, error: quiet, warn: (message: string) => warnings.push(message) };
}

describe('fleet options', () => {
  it('names a short secret and a bad heartbeat', () => {
    expect(refusal({ ...valid, secret: 'too-short' })).to.include({ field: 'secret' });
    expect(refusal({ ...valid, fleet: { heartbeatMs: 0 } })).to.include({ field: 'fleet.heartbeatMs' });
    expect(refusal({ ...valid, fleet: { heartbeat: 5 } as never })).to.include({ field: 'fleet.heartbeat' });
  });

  it('reads POSTBACK_RELAY_SECRET and POSTBACK_RELAY_HEARTBEAT_MS, refusing a short secret', () => {
    const config = loadConfig({ env: { POSTBACK_RELAY_SECRET: SECRET, POSTBACK_RELAY_HEARTBEAT_MS: '2500' } });
    expect(config.secret).to.equal(SECRET);
    expect(config.fleet.heartbeatMs).to.equal(2500);
    expect(() => loadConfig({ env: { POSTBACK_RELAY_SECRET: 'short' } })).to.throw(ConfigError, /POSTBACK_RELAY_SECRET/);
  });
});

describe('shared form-token secret', () => {
  it('lets a token issued by one instance pass on another with the same secret, and only then', () => {
    const token = createCsrfGuard(SECRET).token();
    expect(accepts(createCsrfGuard(SECRET), token)).to.equal(true);
    expect(accepts(createCsrfGuard(`${SECRET}-other`), token)).to.equal(false);
    expect(accepts(createCsrfGuard(), token)).to.equal(false);
  });
});

describe('lease tokens and instance ids', () => {
  it('start every token of an instance with its id, and still fit the 32-character column', () => {
    const id = newInstanceId();
    expect(id).to.match(/^[0-9a-f]{12}$/);
    const token = newLeaseToken(id);
    expect(token.startsWith(id)).to.equal(true);
    expect(token).to.have.length.within(13, 32);
    expect(newLeaseToken(id)).to.not.equal(token);
    expect(newLeaseToken()).to.match(/^[0-9a-f]{24}$/);
  });
});

describe('heartbeat', () => {
  it('registers at start, beats on its timer with what the instance reports, logs a failed beat and keeps beating', async () => {
    const store = new FakeStore();
    const logger = recordingLogger();
    let held = 0;
    const heartbeat = new Heartbeat({ id: 'abcdef012345', store: store as unknown as InstancesStore, settings: { heartbeatMs: 10 }, logger, version: '9.9.9', report: () => ({ dispatching: true, held }) });
    await heartbeat.start();
    expect(store.beats).to.have.length(1);
    expect(store.beats[0]).to.include({ id: 'abcdef012345', version: '9.9.9', dispatching: true, held: 0, pid: process.pid });
    expect(heartbeat.summary).to.include({ instance: 'abcdef012345', alive: 1, sending: 1 });
    held = 7;
    await poll(() => store.beats.at(-1)?.held, (value) => value === 7, 'a beat reporting 7 held');
    store.failing = true;
    await poll(() => logger.warnings.length, (n) => n > 0, 'a failed beat logged');
    expect(logger.warnings[0]).to.equal('fleet heartbeat failed');
    store.failing = false;
    const before = store.beats.length;
    await poll(() => store.beats.length, (n) => n > before, 'beats resuming after the failure');
    await heartbeat.stop();
    expect(store.removed).to.deep.equal(['abcdef012345']);
    const after = store.beats.length;
    // A positive signal first: a fresh heartbeat's beat lands, so the stopped one has had time to beat had it still run.
    const witness = new FakeStore();
    const other = new Heartbeat({ id: 'ffffff000000', store: witness as unknown as InstancesStore, settings: { heartbeatMs: 10 }, logger, version: '9.9.9', report: () => ({ dispatching: false, held: 0 }) });
    await other.start();
    await poll(() => witness.beats.length, (n) => n >= 3, 'the witness beating on its timer');
    await other.stop();
    expect(store.beats.length, 'no beat after stop()').to.equal(after);
  });

  it('does not fail stop() when deregistering fails; the row then ages out', async () => {
    const store = new FakeStore();
    const logger = recordingLogger();
    const heartbeat = new Heartbeat({ id: 'abcdef012345', store: store as unknown as InstancesStore, settings: { heartbeatMs: 60_000 }, logger, version: '1.0.0', report: () => ({ dispatching: true, held: 0 }) });
    await heartbeat.start();
    store.failing = true;
    await heartbeat.stop();
    expect(logger.warnings).to.deep.equal(['could not deregister this instance from the fleet']);
  });
});
