// The endpoint pages: the list, and the form (new or saved) with field errors, the live preview, the test postback and replay.

import type { TestPostbackResult } from '../../dispatch/send-test.js';
import type { Endpoint } from '../../endpoints/types.js';
import { EVENT_NAMES } from '../../events/types.js';
import type { SettingSpec } from '../../plugins/types.js';
import type { EndpointFormValues } from '../endpoint-form.js';
import { html } from '../html.js';
import type { HtmlValue, SafeHtml } from '../html.js';
import { badge, csrfField, errorSummary, hostCell, page, row, table } from '../layout.js';
import type { Nav, PageContext } from '../layout.js';
import type { PostbackPreview } from '../preview.js';

const LIST_HEAD = ['ID', 'Name', 'Affiliate', 'Offer', 'Tracker', 'Target host', 'Events', 'State', 'Log'];

/** `targetHosts`: where each endpoint's postbacks go now, by endpoint id (absent: its settings are refused). */
export function endpointListPage(ctx: PageContext, endpoints: readonly Endpoint[], affiliateId: string, targetHosts: ReadonlyMap<string, string>): SafeHtml {
  return page(ctx, 'endpoints', 'Endpoints', html`
<p><a href="${ctx.base}/endpoints/new">New endpoint</a></p>
<form class="inline" method="get" action="${ctx.base}/endpoints" role="search">
<div class="field"><label for="filter-affiliate">Affiliate</label><input type="search" id="filter-affiliate" name="affiliateId" value="${affiliateId}"></div>
<button type="submit">Filter</button>
</form>
<h2>${affiliateId === '' ? 'All endpoints' : html`Endpoints of affiliate ${affiliateId}`}</h2>
${table('Endpoints', LIST_HEAD, endpoints.map((endpoint) => row(LIST_HEAD, [
    html`<a href="${ctx.base}/endpoints/${endpoint.id}">#${endpoint.id}</a>`,
    endpoint.name === null ? '—' : html`<a href="${ctx.base}/endpoints/${endpoint.id}">${endpoint.name}</a>`,
    endpoint.affiliateId,
    endpoint.offerId ?? 'all offers',
    endpoint.plugin,
    hostCell(targetHosts.get(endpoint.id)),
    endpoint.events.join(', '),
    badge(endpoint.enabled ? 'ok' : 'disabled'),
    html`<a href="${ctx.base}/deliveries?endpointId=${endpoint.id}">deliveries</a>`,
  ])), 'No endpoints match.')}`);
}

/** A refused save: the field at fault (a dotted path such as `settings.baseUrl`) and what is wrong. */
export interface FormError {
  field: string | undefined;
  message: string;
}

export interface EndpointFormData {
  /** The saved endpoint; undefined on the new-endpoint page. */
  saved: Endpoint | undefined;
  values: EndpointFormValues;
  plugins: ReadonlyArray<{ name: string; description: string | undefined }>;
  /** The chosen plugin's settings schema; undefined: its settings are edited as JSON. */
  schema: Readonly<Record<string, SettingSpec>> | undefined;
  error: FormError | undefined;
  previews: readonly PostbackPreview[] | string;
  test: TestPostbackResult | undefined;
  notice: string | undefined;
  /** Shown read-only (the affiliate portal: an affiliate edits only its own endpoints). */
  fixedAffiliate?: boolean;
  /** Where in the chosen tracker to find the postback URL and settings. */
  help?: string | undefined;
  /** False hides "Replay all failed deliveries". @default true */
  allowReplay?: boolean;
  /** The page's navigation, when not the dashboard's. */
  nav?: Nav;
  /** The adjustment mode field and the saved endpoint's warnings (pages/tracker-books.ts). */
  books?: { field: SafeHtml; warnings: SafeHtml };
}

/** The id of the input a refused field belongs to: its own, its settings JSON, or none (the summary alone shows it). */
export function inputIdFor(field: string | undefined, schema: EndpointFormData['schema']): string | undefined {
  if (field === undefined) return undefined;
  const [head = '', setting] = field.split('.');
  if (head === 'settings') return schema && setting !== undefined && Object.hasOwn(schema, setting) ? `f-settings-${setting}` : schema ? undefined : 'f-settings';
  const name = head.replace(/\[\d+\]$/, '');
  return ['affiliateId', 'offerId', 'name', 'events', 'adjustmentMode'].includes(name) ? `f-${name}` : undefined;
}

export function endpointFormPage(ctx: PageContext, data: EndpointFormData): SafeHtml {
  const { saved, values, schema, error } = data;
  const action = saved ? `${ctx.base}/endpoints/${saved.id}` : `${ctx.base}/endpoints`;
  const invalidId = inputIdFor(error?.field, schema);
  const input = (id: string, label: string, name: string, value: string, hint?: string, required = false, readOnly = false): SafeHtml => {
    const describedBy = [invalidId === id ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
    return html`<div class="field"><label for="${id}">${label}${required ? ' (required)' : ''}</label>
${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ''}
<input type="text" id="${id}" name="${name}" value="${value}"${readOnly ? html` readonly` : ''}${required ? html` required aria-required="true"` : ''}${invalidId === id ? html` aria-invalid="true"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}>
${fieldError(invalidId === id ? id : undefined, error)}</div>`;
  };
  const settingsFields: HtmlValue = schema
    ? Object.entries(schema).map(([key, spec]) => input(`f-settings-${key}`, key, `settings.${key}`, values.settings[key] ?? '', settingHint(spec), spec.default === undefined))
    : html`<div class="field"><label for="f-settings">Settings (JSON)</label><p class="hint" id="f-settings-hint">The ${values.plugin} plugin's settings as a JSON object; see docs/plugins.md.</p>
<textarea id="f-settings" name="settingsJson" spellcheck="false" aria-describedby="${invalidId === 'f-settings' ? 'f-settings-error ' : ''}f-settings-hint"${invalidId === 'f-settings' ? html` aria-invalid="true"` : ''}>${values.settingsJson}</textarea>
${fieldError(invalidId === 'f-settings' ? 'f-settings' : undefined, error)}</div>`;
  const title = saved ? `Endpoint ${saved.name ?? `#${saved.id}`}` : 'New endpoint';
  return page(ctx, 'endpoints', title, html`
${data.notice ? html`<p class="notice" role="status">${data.notice}</p>` : ''}
${data.books?.warnings ?? ''}
${error ? errorSummary(html`Not saved: ${invalidId ? html`<a href="#${invalidId}">${error.message}</a>` : error.message}`) : ''}
<form class="inline" method="get" action="${saved ? `${ctx.base}/endpoints/${saved.id}` : `${ctx.base}/endpoints/new`}">
<div class="field"><label for="pick-plugin">Tracker</label>
<select id="pick-plugin" name="plugin">${data.plugins.map((plugin) => html`<option value="${plugin.name}"${plugin.name === values.plugin ? html` selected` : ''}>${plugin.name}${plugin.description ? ` — ${plugin.description}` : ''}</option>`)}</select></div>
<button type="submit" class="secondary">Use this tracker</button>
</form>
${data.help ? html`<p class="hint" id="tracker-help">${data.help}</p>` : ''}
<section aria-labelledby="settings-h"><h2 id="settings-h">${values.plugin} endpoint</h2>
<form class="stack" method="post" action="${action}" data-preview-url="${ctx.base}/preview" novalidate>
${csrfField(ctx)}
<input type="hidden" name="plugin" value="${values.plugin}">
${input('f-affiliateId', 'Affiliate ID', 'affiliateId', values.affiliateId, undefined, true, data.fixedAffiliate)}
${input('f-offerId', 'Offer ID', 'offerId', values.offerId, 'Empty: every offer of the affiliate that has no endpoint of its own.')}
${input('f-name', 'Name', 'name', values.name, 'A label for people.')}
${settingsFields}
${data.books?.field ?? ''}
<fieldset id="f-events"${invalidId === 'f-events' ? html` aria-invalid="true" aria-describedby="f-events-error"` : ''}><legend>Events</legend>
${EVENT_NAMES.map((event) => html`<label><input type="checkbox" name="events" value="${event}"${values.events.includes(event) ? html` checked` : ''}> ${event}</label>`)}
${fieldError(invalidId === 'f-events' ? 'f-events' : undefined, error)}</fieldset>
<div class="field"><label><input type="checkbox" name="enabled" id="f-enabled"${values.enabled ? html` checked` : ''}> Enabled</label></div>
<div><button type="submit">${saved ? 'Save changes' : 'Create endpoint'}</button></div>
</form></section>
${previewSection(data.previews)}
${saved ? savedActions(ctx, saved, data.test, data.allowReplay ?? true) : ''}`, data.nav);
}

function fieldError(id: string | undefined, error: FormError | undefined): HtmlValue {
  return id && error ? html`<p class="error" id="${id}-error">${error.message}</p>` : '';
}

function settingHint(spec: SettingSpec): string {
  const parts = [spec.doc];
  if (spec.default !== undefined) parts.push(spec.default === '' ? 'empty by default' : `default ${spec.default}${spec.guessed ? ' (a guess: check your tracker)' : ''}`);
  if (spec.oneOf) parts.push(`one of ${spec.oneOf.join(', ')}`);
  return parts.join('; ');
}

function previewSection(previews: EndpointFormData['previews']): SafeHtml {
  const lines = typeof previews === 'string' ? [] : previews;
  const text = (event: string) => {
    const line = lines.find((entry) => entry.event === event);
    if (!line) return '—';
    return 'skip' in line ? `not sent: ${line.skip}` : `${line.method} ${line.url}${line.body ? `\n${line.body}` : ''}`;
  };
  return html`<section aria-labelledby="preview-h"><h2 id="preview-h">Preview</h2>
<p class="hint">What a sample lead (click ID <code>test-click-id</code>), a 12.5 USD commission and its change to 10 would send, with these settings. Secrets are masked.</p>
<p id="preview-status" role="status" aria-live="polite">${typeof previews === 'string' ? `No preview: ${previews}` : ''}</p>
<dl>${EVENT_NAMES.map((event) => html`<dt>${event}</dt><dd><pre class="mono" data-preview-event="${event}">${text(event)}</pre></dd>`)}</dl>
</section>`;
}

function savedActions(ctx: PageContext, saved: Endpoint, test: TestPostbackResult | undefined, allowReplay: boolean): SafeHtml {
  return html`<section aria-labelledby="test-h"><h2 id="test-h">Send a test postback</h2>
<p class="hint">Sends one sample postback to the tracker now, the way real ones go, and shows its answer. Nothing is recorded.</p>
<form class="inline" method="post" action="${ctx.base}/endpoints/${saved.id}/test">${csrfField(ctx)}
<div class="field"><label for="test-event">Event</label><select id="test-event" name="event">${EVENT_NAMES.map((event) => html`<option value="${event}"${test?.event === event ? html` selected` : ''}>${event}</option>`)}</select></div>
<button type="submit">Send test</button></form>
${test ? testResult(test) : ''}
</section>
<section aria-labelledby="replay-h"><h2 id="replay-h">Deliveries</h2>
<p><a href="${ctx.base}/deliveries?endpointId=${saved.id}">This endpoint's delivery log</a> · <a href="${ctx.base}/endpoints/${saved.id}/drift">Drift report</a></p>
${allowReplay ? html`<form method="post" action="${ctx.base}/endpoints/${saved.id}/replay-failed">${csrfField(ctx)}<button type="submit" class="secondary">Replay all failed deliveries</button></form>` : ''}
</section>`;
}

function testResult(test: TestPostbackResult): SafeHtml {
  return html`<div id="test-result" role="status"><h3>Test ${test.event}: ${badge(test.delivered ? 'delivered' : 'failed')}</h3>
<div class="scroll"><table><tbody>
<tr><th scope="row">Sent</th><td class="mono">${test.method} ${test.target}</td></tr>
<tr><th scope="row">HTTP status</th><td>${test.statusCode ?? 'no answer'}</td></tr>
<tr><th scope="row">Latency</th><td>${test.latencyMs} ms</td></tr>
<tr><th scope="row">Error</th><td>${test.error ?? '—'}</td></tr>
<tr><th scope="row">Response</th><td><pre class="mono">${test.responseExcerpt ?? '—'}</pre></td></tr>
</tbody></table></div></div>`;
}
