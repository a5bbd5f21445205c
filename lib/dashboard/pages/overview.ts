// The overview page: outbox signals (unconfirmed deliveries among them), counts by event and outcome over the last hour and day, the per-minute chart, endpoints needing attention first.

import type { Endpoint } from '../../endpoints/types.js';
import { EVENT_NAMES } from '../../events/types.js';
import type { DeliveryCount, EndpointHealth, MinuteActivity } from '../../store/delivery-activity.js';
import type { OutboxStats } from '../../store/outbox-store.js';
import type { DeliveryStatus } from '../../deliveries/types.js';
import { activityChart } from '../chart.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { badge, page, row, table, utc } from '../layout.js';
import type { PageContext } from '../layout.js';

export interface OverviewData {
  now: Date;
  stats: OutboxStats;
  lastHour: readonly DeliveryCount[];
  lastDay: readonly DeliveryCount[];
  /** Attempts per minute since `chartFrom`. */
  minutes: readonly MinuteActivity[];
  chartFrom: Date;
  chartMinutes: number;
  endpoints: readonly Endpoint[];
  health: readonly EndpointHealth[];
}

const STATUSES: readonly DeliveryStatus[] = ['delivered', 'pending', 'failed', 'unconfirmed', 'skipped'];

/** `disabled`, `failing` (a failure window open or dead letters waiting) or `ok`: the order the overview lists endpoints in. */
export function endpointCondition(endpoint: Endpoint, health: EndpointHealth | undefined): 'disabled' | 'failing' | 'ok' {
  if (!endpoint.enabled) return 'disabled';
  return health && (health.failingSince !== null || health.failed > 0) ? 'failing' : 'ok';
}

const RANK = { disabled: 0, failing: 1, ok: 2 } as const;
const ATTENTION_HEAD = ['Endpoint', 'Affiliate', 'Tracker', 'Condition', 'Failing since', 'Pending', 'Failed', 'Log'];

export function overviewPage(ctx: PageContext, data: OverviewData): SafeHtml {
  const age = data.stats.oldestPendingAt === null ? 'none pending' : duration((data.now.getTime() - data.stats.oldestPendingAt.getTime()) / 1000);
  const healthOf = new Map(data.health.map((entry) => [entry.endpointId, entry]));
  const listed = data.endpoints
    .map((endpoint) => ({ endpoint, health: healthOf.get(endpoint.id), condition: endpointCondition(endpoint, healthOf.get(endpoint.id)) }))
    .sort((a, b) => RANK[a.condition] - RANK[b.condition]);
  return page(ctx, 'overview', 'Overview', html`
<div class="cards">
<div class="card">Pending<b>${data.stats.pending}</b></div>
<div class="card">Failed (dead letters)<b>${data.stats.failed}</b></div>
<div class="card" id="unconfirmed-card"><a href="${ctx.base}/deliveries?status=unconfirmed">Unconfirmed (your decision)</a><b>${data.stats.unconfirmed}</b></div>
<div class="card">Delivered<b>${data.stats.delivered}</b></div>
<div class="card">Disabled endpoints<b>${data.stats.disabledEndpoints}</b></div>
<div class="card">Oldest pending<b>${age}</b></div>
</div>
<section aria-labelledby="per-minute"><h2 id="per-minute">Postbacks per minute</h2>${activityChart(data.minutes, data.chartFrom, data.chartMinutes)}</section>
<section aria-labelledby="counts"><h2 id="counts">Deliveries by event and outcome</h2>
<p class="hint">Postbacks queued in the window, by where they stand now.</p>
${countsTable('Last hour', data.lastHour)}
${countsTable('Last 24 hours', data.lastDay)}
</section>
<section aria-labelledby="attention"><h2 id="attention">Endpoints, disabled and failing first</h2>
${table('Endpoints by condition', ATTENTION_HEAD, listed.map(({ endpoint, health, condition }) => row(ATTENTION_HEAD, [
    html`<a href="${ctx.base}/endpoints/${endpoint.id}">${endpoint.name ?? `#${endpoint.id}`}</a>`,
    endpoint.affiliateId,
    endpoint.plugin,
    badge(condition),
    utc(health?.failingSince ?? null),
    health?.pending ?? 0,
    health?.failed ?? 0,
    html`<a href="${ctx.base}/deliveries?endpointId=${endpoint.id}&amp;status=failed">failed deliveries</a>`,
  ])), 'No endpoints yet.')}
</section>`);
}

function countsTable(caption: string, counts: readonly DeliveryCount[]): SafeHtml {
  const count = (event: string, status: string) => counts.find((entry) => entry.event === event && entry.status === status)?.count ?? 0;
  return html`<h3>${caption}</h3>${table(`${caption}: deliveries by event and outcome`, ['Event', ...STATUSES], EVENT_NAMES.map((event) => html`<tr><th scope="row">${event}</th>${STATUSES.map((status) => html`<td data-label="${status}">${count(event, status)}</td>`)}</tr>`), 'None.')}`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}
