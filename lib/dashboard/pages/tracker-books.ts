// The dashboard's tracker-books pieces: the adjustment mode field and warnings, the drift page, the unconfirmed actions.

import type { Delivery } from '../../deliveries/types.js';
import type { DriftReport } from '../../drift/report.js';
import type { EndpointWarning } from '../../endpoints/warnings.js';
import type { AdjustmentMode } from '../../plugins/capabilities.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { csrfField, page, row, table } from '../layout.js';
import type { Nav, PageContext } from '../layout.js';

const MODE_HELP: Readonly<Record<AdjustmentMode, string>> = {
  replace: 'the new amount, on the commission\'s own conversion (a per-click tracker: the click\'s new total)',
  delta: 'the change, as a conversion of its own',
  status: 'only a full clawback, as the tracker\'s rejected status; other changes are skipped',
  skip: 'nothing: adjustments are skipped (the drift report shows what that leaves out)',
  correction: 'the signed change as a correction conversion of its own (inferred for this tracker\'s postback: check the first ones in its reports)',
};

/** The adjustment mode select, limited to what the plugin supports with the current settings; empty: its default. */
export function adjustmentModeField(chosen: string, modes: readonly AdjustmentMode[], error: string | undefined): SafeHtml {
  return html`<div class="field"><label for="f-adjustmentMode">Adjustments</label>
<p class="hint" id="f-adjustmentMode-hint">How a commission adjustment reaches this tracker. ${modes.map((mode) => html`<br><strong>${mode}</strong>: ${MODE_HELP[mode]}`)}</p>
<select id="f-adjustmentMode" name="adjustmentMode" aria-describedby="${error ? 'f-adjustmentMode-error ' : ''}f-adjustmentMode-hint"${error ? html` aria-invalid="true"` : ''}>
<option value="">plugin default (${modes[0] ?? 'skip'})</option>${modes.map((mode) => html`<option value="${mode}"${chosen === mode ? html` selected` : ''}>${mode}</option>`)}</select>
${error ? html`<p class="error" id="f-adjustmentMode-error">${error}</p>` : ''}</div>`;
}

/** What the operator should know about the saved endpoint's tracker books. */
export function warningList(warnings: readonly EndpointWarning[]): SafeHtml {
  if (warnings.length === 0) return html``;
  return html`<div class="alert" role="note">${warnings.map((warning) => html`<p class="warning" data-code="${warning.code}">${warning.message}</p>`)}</div>`;
}

const TOTALS_HEAD = ['Clicks', 'Differing', 'Truth', 'Tracker should show', 'Difference'];
const CLICKS_HEAD = ['Click ID', 'Truth', 'Tracker should show', 'Difference', 'Why'];

/**
 * An endpoint's drift report: totals, then each click whose tracker books differ from the truth, with why.
 * `nav` and `note` are the portal's: its navigation, and what an affiliate should know that an operator does not.
 */
export function driftPage(ctx: PageContext, report: DriftReport, name: string, options: { nav?: Nav; note?: string } = {}): SafeHtml {
  const { totals } = report;
  return page(ctx, 'endpoints', `Drift: ${name}`, html`
<p>What the ${report.plugin} tracker should show per click, given what was sent, skipped and how it keeps its books
(${report.books.family}, dedupe ${report.books.dedupe}, adjustments by ${report.adjustmentMode}), beside the platform's truth.</p>
${options.note ? html`<p class="hint">${options.note}</p>` : ''}
${table('Totals', TOTALS_HEAD, [row(TOTALS_HEAD, [totals.clicks, totals.clicksDiffering, totals.truth, totals.expected, totals.difference])], '')}
<h2>Clicks that differ</h2>
${table('Clicks that differ', CLICKS_HEAD, report.differing.map((click) => row(CLICKS_HEAD, [html`<span class="mono">${click.clickId}</span>`, click.truth, click.expected, click.difference, html`<ul>${click.reasons.map((reason) => html`<li>${reason}</li>`)}</ul>`])), 'Every click matches.')}
${report.next === null ? '' : html`<p><a href="${ctx.base}/endpoints/${report.endpointId}/drift?after=${encodeURIComponent(report.next)}">Next clicks</a></p>`}
<p><a href="${ctx.base}/endpoints/${report.endpointId}">Back to the endpoint</a></p>`, options.nav);
}

/** For an unconfirmed delivery: the operator's two decisions. Nothing for any other. */
export function unconfirmedActions(ctx: PageContext, delivery: Delivery): SafeHtml {
  if (delivery.status !== 'unconfirmed') return html``;
  return html`<section aria-labelledby="decide-h"><h2 id="decide-h">Did the tracker record it?</h2>
<p>The answer was lost after the postback went out, and this tracker dedupes by nothing: sending it again blindly could count it twice. Check the tracker's reports, then:</p>
<form class="inline" method="post" action="${ctx.base}/deliveries/${delivery.id}/mark-delivered">${csrfField(ctx)}<button type="submit">It has it: mark delivered</button></form>
<form class="inline" method="post" action="${ctx.base}/deliveries/${delivery.id}/send-again">${csrfField(ctx)}<button type="submit" class="secondary">It does not: send again</button></form>
</section>`;
}
