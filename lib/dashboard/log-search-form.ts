// The delivery log's search form, the dashboard's and the portal's: the refusal summary, one control per field, the heading.

import { DELIVERY_STATUSES } from '../deliveries/types.js';
import type { LogSearch, LogSearchField } from '../deliveries/search.js';
import { html } from './html.js';
import type { SafeHtml } from './html.js';
import { errorSummary } from './layout.js';
import type { PageContext } from './layout.js';
import type { FormError } from './pages/endpoints.js';

/** One field of the form: its label, and the choices of a select (value, text) when it is not typed in. */
export interface SearchFieldSpec<F extends LogSearchField> {
  name: F;
  label: string;
  choices?: ReadonlyArray<readonly [string, string]>;
}

/** The status select's choices: any, then every status. */
export const STATUS_CHOICES: ReadonlyArray<readonly [string, string]> = [['', 'any'], ...DELIVERY_STATUSES.map((status) => [status, status] as const)];

/** The notice after "replay failed": how many went back in the queue, from the redirect's `replayed` parameter. */
export function replayedNotice(replayed: string): string | undefined {
  return /^\d{1,9}$/.test(replayed) ? `${replayed} failed ${replayed === '1' ? 'delivery' : 'deliveries'} queued again.` : undefined;
}

/** The form (GET `<base>/deliveries`) with what was typed, a refused field marked and summarised above it. */
export function logSearchForm<F extends LogSearchField>(ctx: PageContext, fields: ReadonlyArray<SearchFieldSpec<F>>, search: LogSearch<F>, error: FormError | undefined): SafeHtml {
  return html`${error ? errorSummary(html`Search refused: ${error.field ? html`<a href="#q-${error.field}">${error.message}</a>` : error.message}`) : ''}
<form method="get" action="${ctx.base}/deliveries" role="search" aria-label="Search deliveries">
<div class="filters">${fields.map((field) => searchField(field, search[field.name], error))}<div class="filters-submit"><button type="submit">Search</button></div></div>
</form>`;
}

/** The results' heading: the click ID searched for, when one was. */
export function logHeading(clickId: string): SafeHtml {
  return html`<h2>${clickId ? html`Deliveries for click ID <code>${clickId}</code>` : 'Deliveries'}</h2>`;
}

function searchField<F extends LogSearchField>({ name, label, choices }: SearchFieldSpec<F>, value: string, error: FormError | undefined): SafeHtml {
  const invalid = error?.field === name;
  const time = name === 'since' || name === 'until';
  const attrs = html` id="q-${name}" name="${name}"${invalid ? html` aria-invalid="true" aria-describedby="q-${name}-error"` : ''}`;
  const control = choices
    ? html`<select${attrs}>${choices.map(([option, text]) => html`<option value="${option}"${value === option ? html` selected` : ''}>${text}</option>`)}</select>`
    : html`<input type="${time ? 'datetime-local' : 'search'}"${attrs} value="${value}"${time ? html` step="1"` : ''}>`;
  return html`<div class="field"><label for="q-${name}">${label}</label>${control}${invalid ? html`<p class="error" id="q-${name}-error">${error.message}</p>` : ''}</div>`;
}
