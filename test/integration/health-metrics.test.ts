// Health and metrics of a mounted relay, on SQLite and MariaDB: readiness follows the database and dispatcher, counts follow the traffic.

import { expect } from 'chai';
import express from 'express';
import { Registry } from 'prom-client';
import request from 'supertest';
import { createPostbackRelay } from '../../lib/relay.js';
import { InvalidOptionError } from '../../lib/errors.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { poll } from '../helpers/poll.js';
import { sample } from '../helpers/prometheus.js';
import { API_KEY, auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

describeEachDatabase('health and metrics', (target) => {
  let fx: RelayFixture;
  let tracker: TestTracker;
  let registry: Registry;
  let app: express.Express;

  beforeEach(async () => {
    tracker = await startTestTracker();
    registry = new Registry();
    fx = await startRelay(target, { relay: { metrics: { registry } } });
    app = express();
    app.use(fx.relay.health);
    app.use('/postbacks', fx.relay.router);
  });
  afterEach(async () => {
    await fx.close();
    await tracker.close();
  });

  const post = (path: string, body: unknown) => request(app).post(`/postbacks${path}`).set(auth).send(body as object);

  it('answers /healthz, and /readyz with every check ok while the dispatcher runs', async () => {
    expect((await request(app).get('/healthz')).body).to.deep.equal({ status: 'ok' });
    const ready = await request(app).get('/readyz');
    expect(ready.status).to.equal(200);
    const { fleet, ...rest } = ready.body as { fleet: unknown };
    expect(rest).to.deep.equal({ status: 'ok', checks: { database: 'ok', migrations: 'ok', dispatcher: 'ok' } });
    expect(fleet).to.include({ instance: fx.relay.instanceId, alive: 1 });
  });

  it('counts events by type and result, attempts by plugin and outcome, and reads the outbox gauges', async () => {
    const endpoint = await post('/endpoints', { affiliateId: 'aff-m', plugin: 'generic', settings: { url: `${tracker.origin}/pb?cid={click_id}` } });
    expect(endpoint.status).to.equal(201);
    expect((await post('/events/leads', { id: 'M-1', clickId: 'c1', affiliateId: 'aff-m' })).status).to.equal(201);
    expect((await post('/events/leads', { id: 'M-1', clickId: 'c1', affiliateId: 'aff-m' })).status).to.equal(201);
    expect((await post('/events/leads', { id: 'M-2', affiliateId: 'aff-m' })).status).to.equal(400);
    await tracker.waitFor(1);
    await fx.settled();
    tracker.respondWith(500);
    expect((await post('/events/commissions', { id: 'MC-1', leadId: 'M-1', amount: '3.00' })).status).to.equal(201);
    await tracker.waitFor(2);
    await fx.settled();
    // An attempt is counted once its batch is recorded, which ends after the row `settled()` sees is committed.
    const text = await poll(() => registry.metrics(), (t) => sample(t, 'postback_relay_attempt_duration_seconds_count{plugin="generic"}') === 2, 'both attempts counted', 5000);
    expect(sample(text, 'postback_relay_events_received_total{type="lead",result="recorded"}')).to.equal(1);
    expect(sample(text, 'postback_relay_events_received_total{type="lead",result="replayed"}')).to.equal(1);
    expect(sample(text, 'postback_relay_events_received_total{type="lead",result="rejected"}')).to.equal(1);
    expect(sample(text, 'postback_relay_events_received_total{type="commission",result="recorded"}')).to.equal(1);
    expect(sample(text, 'postback_relay_postbacks_sent_total{plugin="generic",outcome="delivered"}')).to.equal(1);
    expect(sample(text, 'postback_relay_postbacks_sent_total{plugin="generic",outcome="http_error"}')).to.equal(1);
    expect(sample(text, 'postback_relay_attempt_duration_seconds_count{plugin="generic"}')).to.equal(2);
    // The failed commission waits for its retry: one pending delivery, queued moments ago.
    expect(sample(text, 'postback_relay_deliveries_pending')).to.equal(1);
    expect(sample(text, 'postback_relay_deliveries_failed')).to.equal(0);
    expect(sample(text, 'postback_relay_oldest_pending_delivery_age_seconds')).to.be.within(0, 60);
  });

  it('reports not ready once the dispatcher has stopped', async () => {
    await fx.relay.stop();
    const ready = await request(app).get('/readyz');
    expect(ready.status).to.equal(503);
    expect(ready.body.checks).to.include({ dispatcher: 'not running' });
  });
});

describe('metrics options', () => {
  it('refuses a second relay with the same prefix in one registry, and a registry that is not one', () => {
    const registry = new Registry();
    const make = (metrics: unknown) => createPostbackRelay({ database: ':memory:', apiKeys: [API_KEY], metrics: metrics as { registry: Registry } });
    void make({ registry }).stop();
    expect(() => make({ registry })).to.throw(InvalidOptionError, /metrics\.prefix.*postback_relay_events_received_total/);
    void make({ registry, prefix: 'second_' }).stop();
    expect(registry.getSingleMetric('second_deliveries_pending')).to.not.equal(undefined);
    expect(() => make({ registry: {} })).to.throw(InvalidOptionError, /metrics\.registry/);
    expect(() => make({ registry, prefix: '9bad' })).to.throw(InvalidOptionError, /metrics\.prefix/);
  });

  it('reports a database that does not answer as not ready', async () => {
    const relay = createPostbackRelay({ database: ':memory:', apiKeys: [API_KEY] });
    await relay.stop();
    const app = express().use(relay.health);
    const ready = await request(app).get('/readyz');
    expect(ready.status).to.equal(503);
    expect(ready.body.status).to.equal('unavailable');
    expect(ready.body.checks.database).to.not.equal('ok');
  });
});
