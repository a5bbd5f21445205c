// The page shell every dashboard page shares: head, skip link, navigation, main landmark; and small shared pieces.

import { html } from './html.js';
import type { HtmlValue, SafeHtml } from './html.js';

/** Where the page is and what it needs to link: `base` is the router's mount path (`req.baseUrl`). */
export interface PageContext {
  base: string;
  /** The form token for this response's forms. */
  csrf: string;
}

export type Section = 'overview' | 'endpoints' | 'deliveries' | 'fleet';

/** A page's navigation: section, path under `base`, label. */
export type Nav = ReadonlyArray<readonly [Section, string, string]>;

const NAV: Nav = [
  ['overview', '/', 'Overview'],
  ['endpoints', '/endpoints', 'Endpoints'],
  ['deliveries', '/deliveries', 'Delivery log'],
  ['fleet', '/fleet', 'Fleet'],
];

/** A whole page. */
export function page(ctx: PageContext, section: Section | undefined, title: string, body: HtmlValue, nav: Nav = NAV): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · postback-relay</title>
<link rel="icon" href="${ctx.base}/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${ctx.base}/assets/dashboard.css">
<script src="${ctx.base}/assets/dashboard.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<span class="brand">postback-relay</span>
<nav aria-label="Dashboard"><ul>${nav.map(([key, path, label]) => html`<li><a href="${ctx.base}${path}"${key === section ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul></nav>
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/**
 * What a refused submit says, at the top of the page. It takes the focus as the page loads (no script needed),
 * so a keyboard or screen reader user lands on it rather than at the start of the page.
 */
export function errorSummary(message: HtmlValue): SafeHtml {
  return html`<div class="alert" role="alert" id="error-summary" tabindex="-1" autofocus><p class="error">${message}</p></div>`;
}

/** The hidden form token every POST form carries. */
export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

/** A status word as a coloured badge (the word itself carries the meaning, the colour only repeats it). */
export function badge(status: string): SafeHtml {
  return html`<span class="status status-${status}">${status}</span>`;
}

/** A host name (with its port) as a table cell's value, or a dash when there is none. */
export function hostCell(host: string | undefined): HtmlValue {
  return host === undefined ? '—' : html`<span class="mono host">${host}</span>`;
}

/** A time as UTC text, e.g. `2026-05-01 10:02:03Z`. */
export function utc(date: Date | null): string {
  return date === null ? '—' : `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/**
 * A table that fits any width: on a phone each row stacks its cells, each labelled with its column (see
 * {@link row}); the box still scrolls should a cell be wider than the screen.
 */
export function table(caption: string, head: readonly string[], rows: readonly SafeHtml[], empty: string): SafeHtml {
  if (rows.length === 0) return html`<p>${empty}</p>`;
  return html`<div class="scroll" role="region" aria-label="${caption}" tabindex="0"><table class="data"><caption class="visually-hidden">${caption}</caption><thead><tr>${head.map((cell) => html`<th scope="col">${cell}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** A {@link table} row whose cells carry their column's name, shown beside the value when rows stack on a phone. */
export function row(head: readonly string[], cells: readonly HtmlValue[]): SafeHtml {
  return html`<tr>${cells.map((cell, index) => html`<td data-label="${head[index] ?? ''}">${cell}</td>`)}</tr>`;
}
