// stop() with a request on the wire: it waits its time, aborts, records the attempt as ambiguous, and only then lets go.

import { expect } from 'chai';
import { describeEachDatabase } from '../helpers/databases.js';
import type { LogFields, Logger } from '../../lib/log.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';
import { tableNames } from '../../lib/store/tables.js';

describeEachDatabase('stopping the dispatcher', (target) => {
  let fx: RelayFixture | undefined;
  let tracker: TestTracker | undefined;
  afterEach(async () => {
    await fx?.close();
    await tracker?.close();
    fx = undefined;
    tracker = undefined;
  });

  it('aborts a request still on the wire at its timeout, records it ambiguous, gives back the lease of what never started', async () => {
    tracker = await startTestTracker();
    tracker.answerWith(() => 'hang');
    const errors: string[] = [];
    const record = (message: string, _fields?: LogFields) => void errors.push(message);
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: record };
    // One request at a time, and a request timeout far past the stop timeout: the second lead waits in the queue.
    fx = await startRelay(target, { relay: { logger, dispatch: { idlePollMs: 20, concurrency: 1, requestTimeoutMs: 30_000, stopTimeoutMs: 200 } } });
    await fx.relay.endpoints.create({ affiliateId: 'aff-1', plugin: 'generic', settings: { url: `${tracker.origin}/pb?txid={transaction_id}` } });
    await fx.relay.recordLead({ id: 'L-1', clickId: 'c1', affiliateId: 'aff-1' });
    await fx.relay.recordLead({ id: 'L-2', clickId: 'c2', affiliateId: 'aff-1' });
    await tracker.waitFor(1);

    await fx.relay.stop();
    const [onWire] = await fx.relay.deliveries.listForLead('L-1');
    expect(onWire).to.deep.include({ status: 'pending', attemptCount: 1 });
    expect(onWire?.attempts.map((a) => [a.failureKind, a.statusCode])).to.deep.equal([['ambiguous', null]]);
    const [queued] = await fx.relay.deliveries.listForLead('L-2');
    expect(queued).to.deep.include({ status: 'pending', attemptCount: 0 });
    const t = tableNames(fx.prefix);
    // Both leases given back: the aborted one after its attempt was recorded, the queued one never sent.
    expect(await fx.relay.knex(t.deliveries).whereNotNull('locked_until').pluck('pk')).to.deep.equal([]);
    expect(await fx.relay.knex(t.deliveries).whereNotNull('lease_token').pluck('pk')).to.deep.equal([]);
    expect(tracker.received).to.have.length(1);
    expect(errors).to.deep.equal([]);
  });
});
