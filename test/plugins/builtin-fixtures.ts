// Settings for every built-in plugin in the plugin tests: a valid set, and the settings that are required.

import type { ConformanceFixture } from '../../lib/testing/conformance.js';

export const BUILTIN_FIXTURES: Readonly<Record<string, ConformanceFixture>> = {
  generic: { settings: { url: 'https://t.example/pb?cid={click_id}&payout={payout}&txid={transaction_id}' }, required: ['url'] },
  browser: { settings: { url: 'https://t.example/px.gif?cid={click_id}&payout={payout}&txid={transaction_id}' }, required: ['url'] },
  voluum: { settings: { baseUrl: 'https://trk.example.com' }, required: ['baseUrl'] },
  redtrack: { settings: { baseUrl: 'https://trk.example.com' }, required: ['baseUrl'] },
  binom: { settings: { baseUrl: 'https://binom.example.com' }, required: ['baseUrl'] },
  keitaro: { settings: { baseUrl: 'https://keitaro.example.com', postbackKey: 'k3y' }, required: ['baseUrl', 'postbackKey'] },
  clickflare: { settings: { baseUrl: 'https://trk.example.com' }, required: ['baseUrl'] },
  bemob: { settings: { baseUrl: 'https://abc.bemobtrcks.com' }, required: ['baseUrl'] },
  peerclick: { settings: {} },
  funnelflux: { settings: { baseUrl: 'https://ff.example.com', leads: 'send' }, required: ['baseUrl'] },
  everflow: { settings: { baseUrl: 'https://www.ef.example.com', networkId: '5', leadEventId: '7' }, required: ['baseUrl', 'networkId'] },
  tune: { settings: { baseUrl: 'https://net.go2cloud.org', offerId: '12', leadGoalId: '3' }, required: ['baseUrl'] },
  cake: { settings: { baseUrl: 'https://trk.cake.example.com', offerId: '1001', leadEventId: '2' }, required: ['baseUrl', 'offerId'] },
  affise: { settings: { baseUrl: 'https://offers-net.affise.com', commissionStatus: '2' }, required: ['baseUrl'] },
  scaleo: { settings: { baseUrl: 'https://ws.scaletrk.com', token: 't0k' }, required: ['baseUrl', 'token'] },
  trackier: { settings: { baseUrl: 'https://net.vnative.co' }, required: ['baseUrl'] },
  prosper202: { settings: { baseUrl: 'https://p202.example.com' }, required: ['baseUrl'] },
};
