// The fleet page: every instance on this database, whether it is alive, what it holds, and leases left behind by dead ones.

import type { FleetView } from '../../fleet/instances-store.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { badge, page, table, utc } from '../layout.js';
import type { PageContext } from '../layout.js';

export function fleetPage(ctx: PageContext, view: FleetView): SafeHtml {
  const alive = view.instances.filter((instance) => instance.alive).length;
  const rows = view.instances.map(
    (instance) => html`<tr>
<td><code>${instance.id}</code></td>
<td>${badge(instance.alive ? 'alive' : 'dead')}</td>
<td>${instance.host} (pid ${instance.pid})</td>
<td>${instance.version}</td>
<td>${instance.dispatching ? 'sends' : 'ingest only'}</td>
<td>${instance.held}</td>
<td>${instance.leased}</td>
<td>${utc(instance.startedAt)}</td>
<td>${utc(instance.lastSeenAt)}</td>
</tr>`,
  );
  return page(
    ctx,
    'fleet',
    'Fleet',
    html`<p>${alive} of ${view.instances.length} listed instance(s) alive as of ${utc(view.now)}.
${view.leasedByDead > 0
    ? html`<strong>${view.leasedByDead} deliveries are leased to instances no longer alive</strong>: they are sent again by a live instance once those leases run out.`
    : 'No deliveries are leased to instances no longer alive.'}</p>
${table('Instances', ['Instance', 'State', 'Host', 'Version', 'Role', 'Held at last heartbeat', 'Live leases', 'Started', 'Last seen'], rows, 'No instance has registered yet.')}`,
  );
}
