// A log search over some endpoints (an affiliate's, in the dashboard and the portal): the newest matches across them,
// however many older ones each endpoint has.

import { expect } from 'chai';
import { DeliveryService } from '../../lib/deliveries/service.js';
import { OutboxStore } from '../../lib/store/outbox-store.js';
import { tableNames } from '../../lib/store/tables.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';

describeEachDatabase('delivery log search across endpoints', (target) => {
  let fx: RelayFixture;
  let service: DeliveryService;
  let first: string;
  let second: string;
  const ids: Record<string, string> = {};

  before(async () => {
    // Not started: the deliveries stay pending, nothing is sent.
    fx = await startRelay(target, { start: false });
    service = new DeliveryService(new OutboxStore(fx.relay.knex, tableNames(fx.prefix)), () => undefined, () => Promise.reject(new Error('no test sends here')));
    first = (await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/one?cid={click_id}' } })).id;
    second = (await fx.relay.endpoints.create({ affiliateId: 'aff-2', plugin: 'generic', settings: { url: 'http://127.0.0.1:9/two?cid={click_id}' } })).id;
    // Queued in this order: three on the first endpoint, one on the second, then the first's newest.
    for (const [lead, affiliateId] of [['L-a', 'aff-1'], ['L-b', 'aff-1'], ['L-c', 'aff-1'], ['L-d', 'aff-2'], ['L-e', 'aff-1']] as const) {
      await fx.relay.recordLead({ id: lead, clickId: `click-${lead}`, affiliateId });
      const [delivery] = await fx.relay.deliveries.listForLead(lead);
      ids[lead] = delivery!.id;
    }
  });
  after(async () => {
    await fx.close();
  });

  it('answers the newest across the endpoints, not the oldest of each', async () => {
    const newest = await service.newestOf([first, second], {}, 3);
    expect(newest.map((delivery) => delivery.id)).to.deep.equal([ids['L-e'], ids['L-d'], ids['L-c']]);
    expect((await service.newestOf([second, first], {}, 2)).map((delivery) => delivery.id)).to.deep.equal([ids['L-e'], ids['L-d']]);
  });

  it("keeps the filter and looks only in the endpoints named", async () => {
    expect((await service.newestOf([first], { clickId: 'click-L-b' }, 5)).map((delivery) => delivery.id)).to.deep.equal([ids['L-b']]);
    expect(await service.newestOf([second], { clickId: 'click-L-b' }, 5)).to.deep.equal([]);
    expect(await service.newestOf([], {}, 5)).to.deep.equal([]);
  });
});
