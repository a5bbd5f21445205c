// Chaos 3: a third-party plugin (loaded by POSTBACK_RELAY_PLUGINS) that throws in each of its hooks in turn.

import { expect } from 'chai';
import { tableNames } from '../../lib/store/tables.js';
import createThrowingPlugin, { HOOKS } from '../fixtures/throwing-plugin/index.js';
import { allAttempts } from '../helpers/attempts.js';
import { isAlive, startCluster, useChaosSuite } from './cluster.js';
import type { Cluster } from './cluster.js';

const PLUGIN = new URL('../fixtures/throwing-plugin/index.ts', import.meta.url).pathname;
const PER_HOOK = 10;

describe('chaos: a plugin that throws', function () {
  this.timeout(120_000);
  const closeAfter = useChaosSuite();

  it('survives a throw in each hook: the process stays up, the attempt is a recorded failure, every postback delivered once replayed', async () => {
    const cluster = closeAfter(await startCluster('plugin throwing in each hook', { concurrency: 4, batchSize: 20, requestTimeoutMs: 1_000 }, {
      relay: { plugins: [createThrowingPlugin()] },
      endpoints: async ({ fx, tracker }) => {
        await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'chaos-throwing', settings: { url: `${tracker.origin}/pb` } });
      },
    }));
    const faults: Record<string, number> = {};
    for (const hook of HOOKS) {
      const server = await cluster.startInstance({ nodeArgs: ['--import', 'tsx'], env: { POSTBACK_RELAY_PLUGINS: PLUGIN, CHAOS_PLUGIN_THROWS: hook } });
      await cluster.recordLeads(hook, PER_HOOK);
      await cluster.ledger.waitDrained(60_000);
      expect(isAlive(server), `${hook}: the process died`).to.equal(true);
      faults[hook] = await visibleFaults(cluster, hook);
      expect(await server.stop(), `${hook}: exit code`).to.equal(0);
    }
    // Each hook really threw in the instance, and the attempts show it, not only in theory.
    for (const hook of HOOKS) expect(faults[hook], hook).to.be.greaterThan(0);
    // A postback whose plugin threw is a dead letter, as a bad formatter's is; once the plugin is fixed (no
    // CHAOS_PLUGIN_THROWS), the operator replays them and they are delivered.
    await cluster.startInstance({ nodeArgs: ['--import', 'tsx'], env: { POSTBACK_RELAY_PLUGINS: PLUGIN } });
    const [endpoint] = await cluster.fx.relay.endpoints.list();
    const replayed = await cluster.fx.relay.deliveries.replayFailed(endpoint?.id ?? '');
    await cluster.ledger.check({ timeoutMs: 60_000, extra: { faults, replayed } });
  });
});

/**
 * Attempts of the hook's phase that show its fault: the plugin's error recorded on the attempt, or, for
 * `secretValues`, a URL withheld from the log because the plugin could not say what to mask.
 */
async function visibleFaults(cluster: Cluster, hook: string): Promise<number> {
  const t = tableNames(cluster.fx.prefix);
  const { knex } = cluster.fx.relay;
  const rows = await knex
    .from(allAttempts(knex, t, 'a'))
    .join(t.deliveries, `${t.deliveries}.pk`, 'a.delivery_pk')
    .join(t.leads, `${t.leads}.pk`, `${t.deliveries}.lead_pk`)
    .where(`${t.leads}.external_id`, 'like', `${hook}-%`)
    .select<Array<{ error: string | null; request_url: string }>>('a.error', 'a.request_url');
  return rows.filter((row) => (row.error ?? '').includes(`chaos: ${hook} threw`) || (hook === 'secretValues' && row.request_url.includes('withheld'))).length;
}
