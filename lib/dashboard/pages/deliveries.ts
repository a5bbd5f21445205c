// The delivery log pages: search (click ID, lead, affiliate, endpoint, status, time) and one delivery with every attempt.

import { DELIVERY_STATUSES } from '../../deliveries/types.js';
import type { Delivery, DeliveryStatus } from '../../deliveries/types.js';
import type { Endpoint } from '../../endpoints/types.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { badge, csrfField, page, table, utc } from '../layout.js';
import type { PageContext } from '../layout.js';
import type { FormError } from './endpoints.js';
import { unconfirmedActions } from './tracker-books.js';

/** The search form's fields as typed (times as `datetime-local` values, read as UTC). */
export interface DeliverySearch {
  clickId: string;
  leadId: string;
  affiliateId: string;
  endpointId: string;
  status: string;
  since: string;
  until: string;
}

export const SEARCH_FIELDS: ReadonlyArray<keyof DeliverySearch> = ['clickId', 'leadId', 'affiliateId', 'endpointId', 'status', 'since', 'until'];
const STATUSES: readonly DeliveryStatus[] = DELIVERY_STATUSES;
const LABELS: Readonly<Record<keyof DeliverySearch, string>> = {
  clickId: 'Click ID', leadId: 'Lead ID', affiliateId: 'Affiliate', endpointId: 'Endpoint ID', status: 'Status', since: 'From (UTC)', until: 'Until (UTC)',
};

export interface DeliveryLogData {
  search: DeliverySearch;
  error: FormError | undefined;
  /** Newest first. */
  deliveries: readonly Delivery[];
  /** True when more matched than are shown. */
  truncated: boolean;
  notice: string | undefined;
}

export function deliveryLogPage(ctx: PageContext, data: DeliveryLogData): SafeHtml {
  const { search, error } = data;
  const field = (name: keyof DeliverySearch) => {
    const invalid = error?.field === name;
    const attrs = html` id="q-${name}" name="${name}"${invalid ? html` aria-invalid="true" aria-describedby="q-${name}-error"` : ''}`;
    const control =
      name === 'status'
        ? html`<select${attrs}><option value="">any</option>${STATUSES.map((status) => html`<option value="${status}"${search.status === status ? html` selected` : ''}>${status}</option>`)}</select>`
        : html`<input type="${name === 'since' || name === 'until' ? 'datetime-local' : 'search'}"${attrs} value="${search[name]}"${name === 'since' || name === 'until' ? html` step="1"` : ''}>`;
    return html`<div class="field"><label for="q-${name}">${LABELS[name]}</label>${control}${invalid ? html`<p class="error" id="q-${name}-error" role="alert">${error.message}</p>` : ''}</div>`;
  };
  const endpointId = /^\d+$/.test(search.endpointId) ? search.endpointId : undefined;
  return page(ctx, 'deliveries', 'Delivery log', html`
${data.notice ? html`<p class="notice" role="status">${data.notice}</p>` : ''}
<form method="get" action="${ctx.base}/deliveries" role="search" aria-label="Search deliveries">
<div class="filters">${SEARCH_FIELDS.map(field)}<div><button type="submit">Search</button></div></div>
</form>
${endpointId ? html`<form method="post" action="${ctx.base}/endpoints/${endpointId}/replay-failed">${csrfField(ctx)}<p><button type="submit" class="secondary">Replay all failed deliveries of endpoint #${endpointId}</button></p></form>` : ''}
<h2>${search.clickId ? html`Deliveries for click ID <code>${search.clickId}</code>` : 'Deliveries'}</h2>
${data.truncated ? html`<p class="hint">Showing the first ${data.deliveries.length} matches; narrow the search (e.g. by time) to see others.</p>` : ''}
${table('Deliveries, newest first', ['Delivery', 'Queued', 'Event', 'Lead', 'Endpoint', 'Status', 'Attempts', 'Last answer'], data.deliveries.map((delivery) => html`<tr>
<td><a href="${ctx.base}/deliveries/${delivery.id}">#${delivery.id}</a></td><td>${utc(delivery.createdAt)}</td><td>${delivery.event}</td>
<td>${delivery.leadId}</td><td><a href="${ctx.base}/endpoints/${delivery.endpointId}">#${delivery.endpointId}</a></td><td>${badge(delivery.status)}</td>
<td>${delivery.attemptCount}</td><td>${delivery.lastStatusCode ?? (delivery.lastError ? 'no answer' : '—')}</td></tr>`), 'No deliveries match.')}`);
}

export function deliveryPage(ctx: PageContext, delivery: Delivery, endpoint: Endpoint | undefined, notice: string | undefined): SafeHtml {
  return page(ctx, 'deliveries', `Delivery #${delivery.id}`, html`
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<section aria-labelledby="facts-h"><h2 id="facts-h">${delivery.event} ${badge(delivery.status)}</h2>
<div class="scroll"><table><tbody>
<tr><th scope="row">Lead</th><td><a href="${ctx.base}/deliveries?leadId=${encodeURIComponent(delivery.leadId)}">${delivery.leadId}</a></td></tr>
${delivery.commissionId ? html`<tr><th scope="row">Commission</th><td>${delivery.commissionId}</td></tr>` : ''}
${delivery.adjustmentId ? html`<tr><th scope="row">Adjustment</th><td>${delivery.adjustmentId}</td></tr>` : ''}
<tr><th scope="row">Endpoint</th><td><a href="${ctx.base}/endpoints/${delivery.endpointId}">${endpoint ? `${endpoint.name ?? `#${endpoint.id}`} (${endpoint.plugin}, affiliate ${endpoint.affiliateId})` : `#${delivery.endpointId}`}</a></td></tr>
<tr><th scope="row">Queued</th><td>${utc(delivery.createdAt)}</td></tr>
<tr><th scope="row">Delivered</th><td>${utc(delivery.deliveredAt)}</td></tr>
${delivery.status === 'pending' ? html`<tr><th scope="row">Next attempt</th><td>${utc(delivery.nextAttemptAt)}</td></tr>` : ''}
</tbody></table></div>
${unconfirmedActions(ctx, delivery)}
<form method="post" action="${ctx.base}/deliveries/${delivery.id}/replay">${csrfField(ctx)}<p><button type="submit">Replay this delivery</button></p></form>
</section>
<section aria-labelledby="attempts-h"><h2 id="attempts-h">Attempts (${delivery.attempts.length})</h2>
${table('Attempts, oldest first', ['Time', 'Request', 'HTTP status', 'Latency', 'Failure', 'Error', 'Response'], delivery.attempts.map((attempt) => html`<tr>
<td>${utc(attempt.attemptedAt)}</td><td class="mono">${attempt.method} ${attempt.url}</td><td>${attempt.statusCode ?? 'no answer'}</td>
<td>${attempt.latencyMs} ms</td><td>${attempt.failureKind ?? '—'}</td><td>${attempt.error ?? '—'}</td><td><pre class="mono">${attempt.responseExcerpt ?? '—'}</pre></td></tr>`), 'No attempt yet.')}
</section>`);
}
