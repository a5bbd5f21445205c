// Postbacks per minute by outcome as an inline SVG stacked bar chart, drawn on the server (no script, no library).

import type { MinuteActivity } from '../store/delivery-activity.js';
import { html } from './html.js';
import type { SafeHtml } from './html.js';

const OUTCOMES = ['delivered', 'failed', 'skipped'] as const;
const WIDTH = 600;
const HEIGHT = 140;
const PLOT = { left: 1, top: 4, bottom: 1 };

// The labels are HTML around the drawing, not SVG text: scaled with the drawing they were 6 px tall on a phone.

/** One bar per minute of `[from, from + minutes)`, stacked delivered / failed / skipped; a text summary for screen readers. */
export function activityChart(buckets: readonly MinuteActivity[], from: Date, minutes: number): SafeHtml {
  const start = Math.floor(from.getTime() / 60_000) * 60_000;
  const byMinute = new Map(buckets.map((bucket) => [bucket.minute.getTime(), bucket]));
  const columns = Array.from({ length: minutes }, (_, index) => byMinute.get(start + index * 60_000));
  const totals = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, columns.reduce((sum, bucket) => sum + (bucket?.[outcome] ?? 0), 0)]));
  const peak = Math.max(1, ...columns.map((bucket) => (bucket ? bucket.delivered + bucket.failed + bucket.skipped : 0)));
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const step = (WIDTH - PLOT.left) / minutes;
  const bars = columns.flatMap((bucket, index) => {
    if (!bucket) return [];
    let y = HEIGHT - PLOT.bottom;
    return OUTCOMES.filter((outcome) => bucket[outcome] > 0).map((outcome) => {
      const h = (bucket[outcome] / peak) * plotHeight;
      y -= h;
      return html`<rect class="${outcome}" x="${(PLOT.left + index * step + 0.5).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, step - 1).toFixed(1)}" height="${h.toFixed(1)}"><title>${new Date(start + index * 60_000).toISOString().slice(11, 16)}Z: ${bucket[outcome]} ${outcome}</title></rect>`;
    });
  });
  const summary = `Postback attempts per minute over the last ${minutes} minutes: ${OUTCOMES.map((outcome) => `${totals[outcome] ?? 0} ${outcome}`).join(', ')}; at most ${peak} in one minute.`;
  const baseline = HEIGHT - PLOT.bottom;
  return html`<figure class="chart-figure">
<p class="chart-peak" aria-hidden="true">${peak} per minute at most</p>
<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-labelledby="chart-title chart-desc" focusable="false">
<title id="chart-title">Postbacks per minute by outcome</title>
<desc id="chart-desc">${summary}</desc>
<line class="axis" x1="${PLOT.left}" y1="${baseline}" x2="${WIDTH}" y2="${baseline}"></line>
<line class="axis" x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${baseline}"></line>
${bars}
</svg>
<div class="chart-axis" aria-hidden="true"><span>−${minutes} min</span><span>now</span></div>
<figcaption><ul class="legend">${OUTCOMES.map((outcome) => html`<li><span class="${outcome}" aria-hidden="true"></span>${totals[outcome] ?? 0} ${outcome}</li>`)}</ul></figcaption>
</figure>`;
}
