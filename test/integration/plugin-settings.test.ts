// Saving an endpoint runs its plugin's settings check: a missing or bad setting is a 400 naming it, and nothing is stored.

import { expect } from 'chai';
import request from 'supertest';
import { describeEachDatabase } from '../helpers/databases.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';

describeEachDatabase('plugin settings on save', (target) => {
  let fx: RelayFixture;

  before(async () => {
    fx = await startRelay(target, { start: false });
  });
  after(async () => {
    await fx.close();
  });

  const save = (plugin: string, settings: Record<string, unknown>) =>
    request(fx.app).post('/postbacks/endpoints').set(auth).send({ affiliateId: 'aff-1', plugin, settings });

  for (const [plugin, settings, field, message] of [
    ['keitaro', { baseUrl: 'https://k.example.com' }, 'settings.postbackKey', /is required: the postback key/],
    ['voluum', {}, 'settings.baseUrl', /is required: the tracker's tracking domain/],
    ['voluum', { baseUrl: 'https://trk.example.com/?x=1' }, 'settings.baseUrl', /no query or fragment/],
    ['binom', { baseUrl: 'https://b.example.com', path: '/other' }, 'settings.path', /must be one of \/click.php, \/click/],
    ['scaleo', { baseUrl: 'https://s.example.com', token: 't', tokn: 'typo' }, 'settings.tokn', /is not a setting of the scaleo plugin/],
  ] as const) {
    it(`${plugin}: refuses ${field}`, async () => {
      const res = await save(plugin, settings);
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      expect(res.body.error).to.include({ code: 'ERR_PB_INVALID_SETTINGS', field });
      expect(res.body.error.message).to.match(message);
    });
  }

  it('stores a valid endpoint with the defaults left to the plugin', async () => {
    const res = await save('peerclick', {});
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.data.plugin).to.equal('peerclick');
  });
});
