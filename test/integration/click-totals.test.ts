// clickNetPayout from the store: per endpoint and click ID (across leads), in queue order, the same on a retry.

import { expect } from 'chai';
import { describeEachDatabase } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { OutboxStore } from '../../lib/store/outbox-store.js';
import { tableNames } from '../../lib/store/tables.js';

describeEachDatabase('click net payout', (target) => {
  let fx: RelayFixture;

  beforeEach(async () => {
    fx = await startRelay(target, { start: false });
  });
  afterEach(async () => {
    await fx.close();
  });

  it('sums commissions and adjustment deltas per endpoint and lead, in queue order, counting only what that endpoint was sent', async () => {
    const { relay } = fx;
    const settings = { url: 'http://127.0.0.1:9/pb?cid={click_id}' };
    await relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings });
    await relay.recordLead({ id: 'L1', clickId: 'c1', affiliateId: 'aff-1' });
    await relay.recordLead({ id: 'L2', clickId: 'c2', affiliateId: 'aff-1' });
    await relay.recordCommission({ id: 'C1', leadId: 'L1', amount: '0.1' });
    await relay.recordCommission({ id: 'C2', leadId: 'L2', amount: '100' });
    await relay.recordCommission({ id: 'C3', leadId: 'L1', amount: '0.2' });
    // An endpoint created now is sent only what follows: its total starts from here.
    await relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings });
    await relay.adjustCommission({ id: 'A1', commissionId: 'C1', amount: '0.05' });

    const t = tableNames(fx.prefix);
    const outbox = new OutboxStore(relay.knex, t);
    // Claims at a time past every lease; ordering lets only the head of each (lead, endpoint) line through.
    const claim = async (at: number) => (await outbox.claim(100, { until: new Date(at + 1), token: 'totals' }, new Date(at))).map((d) => ({ pk: d.pk, label: `${d.endpoint.id}:${d.adjustment?.id ?? d.commission?.id ?? d.lead.id}=${d.clickNetPayout}` }));
    const seen: string[] = [];
    for (let round = 0; round < 10; round += 1) {
      const at = Date.now() + 60_000;
      const batch = await claim(at);
      if (batch.length === 0) break;
      // Claimed again once that lease has run out (as on a retry): the same totals.
      expect(await claim(at + 2)).to.deep.equal(batch);
      seen.push(...batch.map((d) => d.label));
      await relay.knex(t.deliveries).whereIn('pk', batch.map((d) => d.pk)).update({ status: 'delivered' });
    }
    const [e1, e2] = (await relay.endpoints.list()).map((e) => e.id);
    expect(seen.sort()).to.deep.equal([`${e1}:L1=0`, `${e1}:L2=0`, `${e1}:C1=0.1`, `${e1}:C2=100`, `${e1}:C3=0.3`, `${e1}:A1=0.25`, `${e2}:A1=-0.05`].sort());
  });

  it('totals a click across its leads, and lets a later lead of the click go only once the earlier ones are done', async () => {
    const { relay } = fx;
    await relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/pb?cid={click_id}' } });
    await relay.recordLead({ id: 'LA', clickId: 'X', affiliateId: 'aff-1' });
    await relay.recordCommission({ id: 'CA', leadId: 'LA', amount: '10.00' });
    await relay.recordLead({ id: 'LB', clickId: 'X', affiliateId: 'aff-1' });
    await relay.recordCommission({ id: 'CB', leadId: 'LB', amount: '5.00' });
    await relay.adjustCommission({ id: 'AA', commissionId: 'CA', amount: '0' });

    const t = tableNames(fx.prefix);
    const outbox = new OutboxStore(relay.knex, t);
    const rounds: string[][] = [];
    for (let round = 0; round < 10; round += 1) {
      const batch = await outbox.claim(100, { until: new Date(Date.now() + 60_001), token: 'click' }, new Date(Date.now() + 60_000));
      if (batch.length === 0) break;
      rounds.push(batch.map((d) => `${d.adjustment?.id ?? d.commission?.id ?? d.lead.id}=${d.clickNetPayout}`));
      await relay.knex(t.deliveries).whereIn('pk', batch.map((d) => d.pk)).update({ status: 'delivered' });
    }
    // One at a time, in the order recorded: lead B's postbacks wait behind lead A's, as they share click X.
    expect(rounds).to.deep.equal([['LA=0'], ['CA=10'], ['LB=10'], ['CB=15'], ['AA=5']]);
  });
});
