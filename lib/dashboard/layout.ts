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

const NAV: ReadonlyArray<readonly [Section, string, string]> = [
  ['overview', '/', 'Overview'],
  ['endpoints', '/endpoints', 'Endpoints'],
  ['deliveries', '/deliveries', 'Delivery log'],
  ['fleet', '/fleet', 'Fleet'],
];

/** A whole page. */
export function page(ctx: PageContext, section: Section | undefined, title: string, body: HtmlValue): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · postback-relay</title>
<link rel="stylesheet" href="${ctx.base}/assets/dashboard.css">
<script src="${ctx.base}/assets/dashboard.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<span class="brand">postback-relay</span>
<nav aria-label="Dashboard"><ul>${NAV.map(([key, path, label]) => html`<li><a href="${ctx.base}${path}"${key === section ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul></nav>
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** The hidden form token every POST form carries. */
export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

/** A status word as a coloured badge (the word itself carries the meaning, the colour only repeats it). */
export function badge(status: string): SafeHtml {
  return html`<span class="status status-${status}">${status}</span>`;
}

/** A time as UTC text, e.g. `2026-05-01 10:02:03Z`. */
export function utc(date: Date | null): string {
  return date === null ? '—' : `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** A table that scrolls in its own box on a narrow screen, so the page never scrolls sideways. */
export function table(caption: string, head: readonly string[], rows: readonly SafeHtml[], empty: string): SafeHtml {
  if (rows.length === 0) return html`<p>${empty}</p>`;
  return html`<div class="scroll" role="region" aria-label="${caption}" tabindex="0"><table><caption class="visually-hidden">${caption}</caption><thead><tr>${head.map((cell) => html`<th scope="col">${cell}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}
