// The portal's own pages: the affiliate's endpoints with the paste box, its delivery log, and one delivery.

import type { Delivery } from '../deliveries/types.js';
import type { Endpoint } from '../endpoints/types.js';
import { html } from '../dashboard/html.js';
import type { SafeHtml } from '../dashboard/html.js';
import { badge, csrfField, page, table, utc } from '../dashboard/layout.js';
import type { Nav, PageContext } from '../dashboard/layout.js';
import { logHeading, logSearchForm, STATUS_CHOICES } from '../dashboard/log-search-form.js';
import type { SearchFieldSpec } from '../dashboard/log-search-form.js';
import type { FormError } from '../dashboard/pages/endpoints.js';
import type { LogSearch } from '../deliveries/search.js';
import type { PortalSearchField } from './scope.js';

/** The portal's navigation: an affiliate has no overview of the platform. */
export const PORTAL_NAV: Nav = [
  ['endpoints', '/endpoints', 'My postbacks'],
  ['deliveries', '/deliveries', 'Delivery log'],
];

export interface EndpointListData {
  affiliateId: string;
  endpoints: readonly Endpoint[];
  trackers: ReadonlyArray<{ name: string; trackerName: string }>;
  pasted: string;
  error: FormError | undefined;
  maxEndpoints: number;
}

export function portalEndpointsPage(ctx: PageContext, data: EndpointListData): SafeHtml {
  const full = data.endpoints.length >= data.maxEndpoints;
  return page(ctx, 'endpoints', 'My postbacks', html`
<p>Affiliate <strong>${data.affiliateId}</strong>: ${data.endpoints.length} of ${data.maxEndpoints} postback endpoints.</p>
<section aria-labelledby="paste-h"><h2 id="paste-h">Paste your tracker's postback URL</h2>
<p class="hint" id="paste-hint">Copy the postback URL your tracker shows (for example Voluum's <code>https://your-domain/postback?cid=REPLACE&amp;payout=OPTIONAL&amp;txid=OPTIONAL</code>). The tracker and its settings are filled in for you to check; nothing is saved until you confirm.</p>
${data.error ? html`<p class="error" id="paste-error" role="alert">${data.error.message}</p>` : ''}
<form class="stack" method="post" action="${ctx.base}/recognize">${csrfField(ctx)}
<div class="field"><label for="paste-url">Postback URL</label>
<input type="url" id="paste-url" name="url" value="${data.pasted}" required aria-describedby="paste-hint${data.error ? ' paste-error' : ''}"${data.error ? html` aria-invalid="true"` : ''}></div>
<div><button type="submit"${full ? html` disabled` : ''}>Fill in the form</button></div>
</form>
<p>Or <a href="${ctx.base}/endpoints/new">pick your tracker yourself</a>${full ? ' (you have as many endpoints as allowed: edit or disable one)' : ''}.</p>
</section>
<h2>Your endpoints</h2>
${table('Your endpoints', ['Endpoint', 'Tracker', 'Offer', 'Events', 'State', ''], data.endpoints.map((endpoint) => html`<tr>
<td><a href="${ctx.base}/endpoints/${endpoint.id}">${endpoint.name ?? `#${endpoint.id}`}</a></td><td>${data.trackers.find((tracker) => tracker.name === endpoint.plugin)?.trackerName ?? endpoint.plugin}</td>
<td>${endpoint.offerId ?? 'all offers'}</td><td>${endpoint.events.join(', ')}</td><td>${badge(endpoint.enabled ? 'ok' : 'disabled')}</td>
<td><a href="${ctx.base}/deliveries?endpointId=${endpoint.id}">deliveries</a></td></tr>`), 'No endpoints yet: paste your postback URL above.')}`, PORTAL_NAV);
}

export interface PortalLogData {
  search: LogSearch<PortalSearchField>;
  endpoints: readonly Endpoint[];
  error: FormError | undefined;
  deliveries: readonly Delivery[];
  truncated: boolean;
  notice: string | undefined;
}

export function portalLogPage(ctx: PageContext, data: PortalLogData): SafeHtml {
  const { search, error } = data;
  const fields: ReadonlyArray<SearchFieldSpec<PortalSearchField>> = [
    { name: 'clickId', label: 'Click ID' },
    { name: 'endpointId', label: 'Endpoint', choices: [['', 'all'], ...data.endpoints.map((endpoint) => [endpoint.id, endpoint.name ?? `#${endpoint.id}`] as const)] },
    { name: 'status', label: 'Status', choices: STATUS_CHOICES },
    { name: 'since', label: 'From (UTC)' },
    { name: 'until', label: 'Until (UTC)' },
  ];
  return page(ctx, 'deliveries', 'Delivery log', html`
${data.notice ? html`<p class="notice" role="status">${data.notice}</p>` : ''}
${logSearchForm(ctx, fields, search, error)}
${logHeading(search.clickId)}
${data.truncated ? html`<p class="hint">Showing the newest ${data.deliveries.length} matches; narrow the search (e.g. by time) to see others.</p>` : ''}
${table('Deliveries, newest first', ['Delivery', 'Queued', 'Event', 'Lead', 'Endpoint', 'Status', 'Attempts', 'Last answer'], data.deliveries.map((delivery) => html`<tr>
<td><a href="${ctx.base}/deliveries/${delivery.id}">#${delivery.id}</a></td><td>${utc(delivery.createdAt)}</td><td>${delivery.event}</td>
<td>${delivery.leadId}</td><td><a href="${ctx.base}/endpoints/${delivery.endpointId}">#${delivery.endpointId}</a></td><td>${badge(delivery.status)}</td>
<td>${delivery.attemptCount}</td><td>${delivery.lastStatusCode ?? (delivery.lastError ? 'no answer' : '—')}</td></tr>`), 'No deliveries match.')}`, PORTAL_NAV);
}

export function portalDeliveryPage(ctx: PageContext, delivery: Delivery, endpoint: Endpoint, options: { allowReplay: boolean; notice: string | undefined }): SafeHtml {
  return page(ctx, 'deliveries', `Delivery #${delivery.id}`, html`
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
<section aria-labelledby="facts-h"><h2 id="facts-h">${delivery.event} ${badge(delivery.status)}</h2>
<div class="scroll"><table><tbody>
<tr><th scope="row">Lead</th><td>${delivery.leadId}</td></tr>
${delivery.commissionId ? html`<tr><th scope="row">Commission</th><td>${delivery.commissionId}</td></tr>` : ''}
<tr><th scope="row">Endpoint</th><td><a href="${ctx.base}/endpoints/${endpoint.id}">${endpoint.name ?? `#${endpoint.id}`} (${endpoint.plugin})</a></td></tr>
<tr><th scope="row">Queued</th><td>${utc(delivery.createdAt)}</td></tr>
<tr><th scope="row">Delivered</th><td>${utc(delivery.deliveredAt)}</td></tr>
${delivery.status === 'pending' ? html`<tr><th scope="row">Next attempt</th><td>${utc(delivery.nextAttemptAt)}</td></tr>` : ''}
</tbody></table></div>
${options.allowReplay && delivery.status === 'failed' ? html`<form method="post" action="${ctx.base}/deliveries/${delivery.id}/replay">${csrfField(ctx)}<p><button type="submit">Replay this delivery</button></p></form>` : ''}
</section>
<section aria-labelledby="attempts-h"><h2 id="attempts-h">Attempts (${delivery.attempts.length})</h2>
<p class="hint">Secrets in the URL are masked.</p>
${table('Attempts, oldest first', ['Time', 'Request', 'HTTP status', 'Latency', 'Error', 'Response'], delivery.attempts.map((attempt) => html`<tr>
<td>${utc(attempt.attemptedAt)}</td><td class="mono">${attempt.method} ${attempt.url}</td><td>${attempt.statusCode ?? 'no answer'}</td>
<td>${attempt.latencyMs} ms</td><td>${attempt.error ?? '—'}</td><td><pre class="mono">${attempt.responseExcerpt ?? '—'}</pre></td></tr>`), 'No attempt yet.')}
</section>`, PORTAL_NAV);
}
