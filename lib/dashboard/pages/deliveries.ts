// The delivery log pages: search (click ID, lead, affiliate, endpoint, status, time) and one delivery with every attempt.

import type { LogSearch } from '../../deliveries/search.js';
import type { Delivery } from '../../deliveries/types.js';
import type { Endpoint } from '../../endpoints/types.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { badge, csrfField, hostCell, page, row, table, utc } from '../layout.js';
import type { PageContext } from '../layout.js';
import { logHeading, logSearchForm, STATUS_CHOICES } from '../log-search-form.js';
import type { SearchFieldSpec } from '../log-search-form.js';
import type { FormError } from './endpoints.js';
import { unconfirmedActions } from './tracker-books.js';

/** The dashboard's search fields, in the form's order. */
export const SEARCH_FIELDS = ['clickId', 'leadId', 'affiliateId', 'endpointId', 'status', 'since', 'until'] as const;
export type DeliverySearch = LogSearch<(typeof SEARCH_FIELDS)[number]>;
const FORM_FIELDS: ReadonlyArray<SearchFieldSpec<(typeof SEARCH_FIELDS)[number]>> = [
  { name: 'clickId', label: 'Click ID' },
  { name: 'leadId', label: 'Lead ID' },
  { name: 'affiliateId', label: 'Affiliate' },
  { name: 'endpointId', label: 'Endpoint ID' },
  { name: 'status', label: 'Status', choices: STATUS_CHOICES },
  { name: 'since', label: 'From (UTC)' },
  { name: 'until', label: 'Until (UTC)' },
];

/** One line of the log: the delivery, and what support searches by and asks about that it does not carry. */
export interface LogEntry {
  delivery: Delivery;
  clickId: string | undefined;
  /** Undefined when the endpoint is gone. */
  endpoint: Endpoint | undefined;
  /** Where it was sent (its last attempt), or where its endpoint sends now. */
  targetHost: string | undefined;
}

export interface DeliveryLogData {
  search: DeliverySearch;
  error: FormError | undefined;
  /** Newest first. */
  entries: readonly LogEntry[];
  /** The cursor of the next (older) page: the id of this page's last delivery; undefined on the last page. */
  olderThan: string | undefined;
  /** True on a page after the first (there are newer deliveries). */
  paged: boolean;
  notice: string | undefined;
}

const ATTEMPT_HEAD = ['Time', 'Request', 'HTTP status', 'Latency', 'Failure', 'Error', 'Response'];
const LOG_HEAD = ['Delivery', 'Queued', 'Event', 'Click ID', 'Lead', 'Affiliate', 'Endpoint', 'Target host', 'Status', 'Attempts', 'Last answer'];

export function deliveryLogPage(ctx: PageContext, data: DeliveryLogData): SafeHtml {
  const { search, error } = data;
  const endpointId = /^\d+$/.test(search.endpointId) ? search.endpointId : undefined;
  const pageLink = (before: string | undefined) => {
    const params = new URLSearchParams(SEARCH_FIELDS.flatMap((name): Array<[string, string]> => (search[name] === '' ? [] : [[name, search[name]]])));
    if (before !== undefined) params.set('before', before);
    return `${ctx.base}/deliveries${params.size > 0 ? `?${params.toString()}` : ''}`;
  };
  const paging =
    data.paged || data.olderThan !== undefined
      ? html`<nav class="pages" aria-label="Pages of the log">${data.paged ? html`<a href="${pageLink(undefined)}">Newest deliveries</a>` : ''}${data.olderThan === undefined ? '' : html`<a href="${pageLink(data.olderThan)}" rel="next">Older deliveries</a>`}</nav>`
      : '';
  return page(ctx, 'deliveries', 'Delivery log', html`
${data.notice ? html`<p class="notice" role="status">${data.notice}</p>` : ''}
${logSearchForm(ctx, FORM_FIELDS, search, error)}
${endpointId ? html`<form method="post" action="${ctx.base}/endpoints/${endpointId}/replay-failed">${csrfField(ctx)}<p><button type="submit" class="secondary">Replay all failed deliveries of endpoint #${endpointId}</button></p></form>` : ''}
${logHeading(search.clickId)}
${table('Deliveries, newest first', LOG_HEAD, data.entries.map(({ delivery, clickId, endpoint, targetHost }) => row(LOG_HEAD, [
    html`<a href="${ctx.base}/deliveries/${delivery.id}">#${delivery.id}</a>`,
    utc(delivery.createdAt),
    delivery.event,
    clickId === undefined ? '—' : html`<a class="mono" href="${ctx.base}/deliveries?clickId=${encodeURIComponent(clickId)}">${clickId}</a>`,
    html`<span class="mono">${delivery.leadId}</span>`,
    endpoint ? html`<a href="${ctx.base}/deliveries?affiliateId=${encodeURIComponent(endpoint.affiliateId)}">${endpoint.affiliateId}</a>` : '—',
    html`<a href="${ctx.base}/endpoints/${delivery.endpointId}">${endpoint?.name ?? `#${delivery.endpointId}`}</a>`,
    hostCell(targetHost),
    badge(delivery.status),
    delivery.attemptCount,
    delivery.lastStatusCode ?? (delivery.lastError ? 'no answer' : '—'),
  ])), 'No deliveries match.')}
${paging}`);
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
${table('Attempts, oldest first', ATTEMPT_HEAD, delivery.attempts.map((attempt) => row(ATTEMPT_HEAD, [
    utc(attempt.attemptedAt),
    html`<span class="mono">${attempt.method} ${attempt.url}</span>`,
    attempt.statusCode ?? 'no answer',
    `${attempt.latencyMs} ms`,
    attempt.failureKind ?? '—',
    attempt.error ?? '—',
    html`<pre class="mono">${attempt.responseExcerpt ?? '—'}</pre>`,
  ])), 'No attempt yet.')}
</section>`);
}
