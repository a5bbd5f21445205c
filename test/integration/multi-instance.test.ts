// Several relay processes on one MariaDB: a crashed one's leases are taken over, and two share a burst without double sends.

import { expect } from 'chai';
import { mysqlTarget, requireMySql } from '../helpers/databases.js';
import { waitForOutbox } from '../helpers/outbox.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startServerProcess } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('several relay processes on one MariaDB', function () {
  this.timeout(180_000);
  let fx: RelayFixture;
  let tracker: TestTracker;
  const servers: ServerProcess[] = [];

  before(requireMySql('several relay processes on one MariaDB'));
  beforeEach(async () => {
    tracker = await startTestTracker();
    // The test records events through its own relay, never started: only the child processes send.
    fx = await startRelay(mysqlTarget, { start: false });
    await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `${tracker.origin}/pb?txid={transaction_id}` } });
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) if (server.child.exitCode === null && server.child.signalCode === null) await server.stop();
    await tracker.close();
    await fx.close();
  });

  async function startInstance(): Promise<ServerProcess> {
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: fx.url,
      POSTBACK_RELAY_TABLE_PREFIX: fx.prefix,
      POSTBACK_RELAY_API_KEYS: 'multi-instance-key-0123',
      POSTBACK_RELAY_TARGET_ALLOWLIST: '127.0.0.1',
      POSTBACK_RELAY_HOST: '127.0.0.1',
      PORT: '0',
      POSTBACK_RELAY_MIGRATE: 'false',
      // Leases last three request timeouts: short, so a crashed instance's work is taken over quickly.
      POSTBACK_RELAY_REQUEST_TIMEOUT_MS: '2000',
      // An instance holds at most 16 in flight plus two claim batches (some sent, their attempts not yet written).
      POSTBACK_RELAY_BATCH_SIZE: '20',
      POSTBACK_RELAY_LOG_LEVEL: 'info',
    };
    const server = await startServerProcess('node', ['dist/docker/server.js'], { cwd: ROOT, env });
    servers.push(server);
    return server;
  }

  async function recordLeads(count: number): Promise<void> {
    for (let start = 0; start < count; start += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, count - start) }, (_, i) => fx.relay.recordLead({ id: `L-${start + i}`, clickId: `c-${start + i}`, affiliateId: 'aff-1' })),
      );
    }
  }

  // What an instance logged last, so a failed stop shows why in the assertion's message.
  const lastLogs = (server: ServerProcess) => server.logs.slice(-16).map((entry) => JSON.stringify(entry)).join('\n');

  const countsByTxid = () => {
    const counts = new Map<string, number>();
    for (const r of tracker.received) counts.set(r.query.txid ?? '', (counts.get(r.query.txid ?? '') ?? 0) + 1);
    return counts;
  };

  it('delivers every postback after an instance is killed with SIGKILL mid-burst and restarted; repeats only for requests in flight', async () => {
    const first = await startInstance();
    const burst = recordLeads(2000);
    await tracker.waitFor(300, 60_000);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('close', resolve));
    const atKill = tracker.received.length;
    await burst;
    await startInstance();
    // Wait on the outbox, not on the tracker: the last postbacks reach the tracker before their attempts are
    // written (in batches), so "every txid seen" held while the outbox still showed some of them pending.
    await waitForOutbox(fx.relay, (stats) => stats.delivered === 2000, 90_000);
    const counts = countsByTxid();
    expect(counts.size).to.equal(2000);
    const repeated = [...counts.values()].filter((n) => n > 1);
    // A repeat is a postback the killed instance held: on the wire, or sent with its attempt not yet written
    // (attempts are recorded in batches). At most 16 + 2 x 20, each sent again with its own transaction ID.
    expect(repeated.every((n) => n === 2)).to.equal(true);
    expect(repeated.length).to.be.at.most(56);
    expect(atKill).to.be.below(2000);
    expect(await fx.relay.deliveries.stats()).to.include({ pending: 0, failed: 0, delivered: 2000 });
  });

  it('shares a burst of 5000 events between two instances, delivering each postback exactly once', async () => {
    const [a, b] = await Promise.all([startInstance(), startInstance()]);
    await recordLeads(5000);
    // Every delivery recorded as delivered: nothing is left that could still go on the wire, so the counts are final.
    await waitForOutbox(fx.relay, (stats) => stats.delivered === 5000, 120_000);
    const counts = countsByTxid();
    expect(counts.size).to.equal(5000);
    expect(tracker.received).to.have.length(5000);
    expect(await fx.relay.deliveries.stats()).to.include({ pending: 0, delivered: 5000 });
    // A graceful stop (SIGTERM) drains and exits cleanly.
    for (const instance of [a, b]) expect(await instance.stop(), lastLogs(instance)).to.equal(0);
  });
});
