// One end-to-end run per adjustment family, over real HTTP to a test tracker: replace, delta, status, unsupported.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { describeEachDatabase } from '../helpers/databases.js';
import { useRelayAndTracker } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import type { ReceivedPostback, TestTracker } from '../helpers/tracker.js';

describeEachDatabase('adjustment families end to end', (target) => {
  let fx: RelayFixture;
  let tracker: TestTracker;
  useRelayAndTracker(target, {}, (started) => ({ fx, tracker } = started));

  // Lead, C1 = 10, C2 = 2.5, C1 → 12.75, C1 → 4, C2 → 0; each event waits until its postbacks are settled, as events
  // spread over days would, so the order the tracker sees is the order of the events.
  async function run(plugin: string, settings: Record<string, unknown>): Promise<ReceivedPostback[]> {
    await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin, settings: { baseUrl: tracker.origin, ...settings } });
    const steps = [
      () => fx.relay.recordLead({ id: 'L1', clickId: 'click 1&x', affiliateId: 'aff-1' }),
      () => fx.relay.recordCommission({ id: 'C1', leadId: 'L1', amount: '10', currency: 'EUR' }),
      () => fx.relay.recordCommission({ id: 'C2', leadId: 'L1', amount: '2.5', currency: 'EUR' }),
      () => fx.relay.adjustCommission({ id: 'A1', commissionId: 'C1', amount: '12.75' }),
      () => fx.relay.adjustCommission({ id: 'A2', commissionId: 'C1', amount: '4' }),
      () => fx.relay.adjustCommission({ id: 'A3', commissionId: 'C2', amount: '0' }),
    ];
    for (const step of steps) {
      await step();
      await fx.settled();
    }
    return tracker.received;
  }

  const statuses = async () => (await fx.relay.deliveries.listForLead('L1')).map((d) => d.status);

  it('replace (Binom): every postback carries the click\'s running net total from the stored commissions', async () => {
    const received = await run('binom', {});
    expect(received.map((r) => [r.path, r.query.cnv_id, r.query.payout, r.query.cnv_status])).to.deep.equal([
      ['/click.php', 'click 1&x', '0', 'lead'],
      ['/click.php', 'click 1&x', '10', 'sale'],
      ['/click.php', 'click 1&x', '12.5', 'sale'],
      ['/click.php', 'click 1&x', '15.25', 'sale'],
      ['/click.php', 'click 1&x', '6.5', 'sale'],
      ['/click.php', 'click 1&x', '4', 'sale'],
    ]);
    expect(await statuses()).to.deep.equal(Array(6).fill('delivered'));
  });

  it('delta (RedTrack): each adjustment is its own conversion of the difference', async () => {
    const received = await run('redtrack', {});
    expect(received.map((r) => [r.query.type, r.query.sum, r.query.rdtk_event_id])).to.deep.equal([
      ['Lead', '0', 'lead-L1'],
      ['Purchase', '10', 'com-C1'],
      ['Purchase', '2.5', 'com-C2'],
      ['Adjustment', '2.75', 'adj-A1'],
      ['Adjustment', '-8.75', 'adj-A2'],
      ['Adjustment', '-2.5', 'adj-A3'],
    ]);
  });

  it('status (Keitaro): the full clawback rejects the commission\'s conversion; partial changes are skipped with a reason', async () => {
    const received = await run('keitaro', { postbackKey: 'k/1' });
    expect(received.map((r) => [r.path, r.query.status, r.query.payout, r.query.tid])).to.deep.equal([
      ['/k%2F1/postback', 'lead', '0', 'lead-L1'],
      ['/k%2F1/postback', 'sale', '10', 'com-C1'],
      ['/k%2F1/postback', 'sale', '2.5', 'com-C2'],
      ['/k%2F1/postback', 'rejected', '0', 'com-C2'],
    ]);
    const deliveries = await fx.relay.deliveries.listForLead('L1');
    expect(deliveries.map((d) => d.status)).to.deep.equal(['delivered', 'delivered', 'delivered', 'skipped', 'skipped', 'delivered']);
    expect(deliveries[3]?.lastError).to.equal('skipped: plugin "keitaro" can only reject a conversion; a change to 12.75 is not sent');
  });

  it('unsupported (Voluum): adjustments are never sent, and the delivery log shows them skipped with the reason', async () => {
    const received = await run('voluum', {});
    expect(received.map((r) => [r.query.txid, r.query.payout, r.query.et])).to.deep.equal([
      ['lead-L1', '0', 'lead'],
      ['com-C1', '10', undefined],
      ['com-C2', '2.5', undefined],
    ]);
    const deliveries = await fx.relay.deliveries.listForLead('L1');
    expect(deliveries.map((d) => d.status)).to.deep.equal(['delivered', 'delivered', 'delivered', 'skipped', 'skipped', 'skipped']);
    const skipped = deliveries[5];
    expect(skipped?.attempts).to.have.length(1);
    expect(skipped?.attempts[0]).to.include({ method: '-', url: '-', statusCode: null });
    // Voluum's default adjustment mode is skip; correction is opt-in (docs/plugins.md), and the reason says so.
    expect(skipped?.lastError).to.equal('skipped: the endpoint\'s adjustment mode is skip (plugin "voluum" also supports correction)');
  });

  it('a 200 that TUNE\'s body calls a refusal (success=false) is not counted as delivered', async () => {
    const tune = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('success=false; err_msg=Invalid Trans. ID #12;'));
    await new Promise<void>((resolve) => tune.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = tune.address() as AddressInfo;
      await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'tune', settings: { baseUrl: `http://127.0.0.1:${port}` } });
      await fx.relay.recordLead({ id: 'L1', clickId: 'click-1', affiliateId: 'aff-1' });
      await fx.relay.recordCommission({ id: 'C1', leadId: 'L1', amount: '10' });
      await fx.settled();
      const [lead, commission] = await fx.relay.deliveries.listForLead('L1');
      expect(lead?.status).to.equal('skipped');
      // The same request would be refused again: a dead letter at once, visible and replayable.
      expect(commission?.status).to.equal('failed');
      expect(commission?.attempts[0]).to.include({ statusCode: 200, error: 'TUNE refused the postback: Invalid Trans. ID #12' });
    } finally {
      await new Promise((resolve) => tune.close(resolve));
    }
  });
});
