// The dashboard's stylesheet and its one small script, served by the router itself (no CDN, no fonts: it works offline).

/** Readable at phone width: table rows stack with their column names, long values wrap, focus is always visible. */
export const DASHBOARD_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:16px;line-height:1.45;color:#1b1f24;background:#f6f7f9}
body{margin:0}
a{color:#0b5cad}
:focus-visible{outline:3px solid #8a4b00;outline-offset:2px}
header :focus-visible{outline-color:#ffc94d}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{position:static;display:inline-block;margin:.5rem}
header{background:#1b2a3a;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;align-items:center}
header .brand{font-weight:600;margin-right:auto}
header nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
header a{color:#fff}
header a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
main{padding:1rem;max-width:90rem;margin:0 auto}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
section,.card{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:1rem;margin:0 0 1rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem;margin-bottom:1rem}
.card{margin:0}
.card b{display:block;font-size:1.4rem}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.925rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e7eb;vertical-align:top;overflow-wrap:break-word}
th{font-weight:600;background:#f0f2f5}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.875rem;overflow-wrap:anywhere;word-break:break-word}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0}
.host{overflow-wrap:break-word;word-break:normal}
.status{display:inline-block;padding:0 .4rem;border-radius:3px;font-size:.85rem;font-weight:600;white-space:nowrap}
.status-delivered,.status-ok,.status-alive{background:#dff3e4;color:#14532d}
.status-failed,.status-disabled,.status-dead{background:#fde2e1;color:#7f1d1d}
.status-pending,.status-failing{background:#fff3cd;color:#6b4e00}
.status-skipped{background:#e8eaed;color:#333}
form.stack{display:grid;gap:.85rem;max-width:40rem}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:0 0 1rem}
section>h2:first-child{margin-top:0}
.field{display:grid;gap:.2rem}
label,legend{font-weight:600}
.hint{font-size:.85rem;color:#4a5563;margin:0}
input[type=text],input[type=url],input[type=search],input[type=datetime-local],select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid #8a94a0;border-radius:4px;width:100%;max-width:100%;background:#fff}
textarea{min-height:8rem;font-family:ui-monospace,Menlo,Consolas,monospace}
fieldset{border:1px solid #d8dde3;border-radius:4px;padding:.5rem .75rem;margin:0}
fieldset label{font-weight:400;display:block}
[aria-invalid=true]{border-color:#b42318;border-width:2px}
.error{color:#b42318;font-weight:600;margin:0}
.notice{background:#e6f0fb;border:1px solid #8bb4e0;border-radius:4px;padding:.5rem .75rem}
.alert{background:#fdecea;border:1px solid #e0a19a;border-radius:4px;padding:.5rem .75rem}
button{font:inherit;padding:.45rem .9rem;border-radius:4px;border:1px solid #0b5cad;background:#0b5cad;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b5cad}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,14rem),1fr));gap:.5rem .75rem;align-items:end}
.filters>*,.filters input,.filters select{min-width:0}
.pages{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:1rem 0}
figure{margin:0}
.chart-peak,.chart-axis{font-size:.85rem;color:#4a5563;margin:0 0 .25rem}
.chart-axis{display:flex;justify-content:space-between;margin:.25rem 0 0}
.chart{width:100%;height:9rem;display:block}
.chart .delivered{fill:#2f9e55}.chart .failed{fill:#d64532}.chart .skipped{fill:#9aa3ad}.chart .axis{stroke:#8a94a0;vector-effect:non-scaling-stroke}
.legend{display:flex;gap:1rem;flex-wrap:wrap;font-size:.85rem;margin:.25rem 0 0;padding:0;list-style:none}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-.1rem}
.legend .delivered{background:#2f9e55}.legend .failed{background:#d64532}.legend .skipped{background:#9aa3ad}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:59.99rem){
table.data,table.data tbody,table.data tr,table.data td,table.data th[scope=row]{display:block;width:100%}
table.data thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
table.data tr{border-bottom:2px solid #d8dde3;padding:.35rem 0}
table.data td,table.data th[scope=row]{border:0;padding:.15rem .5rem}
table.data td[data-label]{display:flow-root;padding-left:8.5rem;min-height:1.6rem}
table.data td[data-label]::before{content:attr(data-label);float:left;width:7.5rem;margin-left:-8rem;font-weight:600;color:#4a5563;overflow-wrap:anywhere}
}
`;

/**
 * Progressive enhancement only: every page works without it. It keeps the endpoint form's preview live by
 * posting the form to the JSON preview route as it is typed. Values are written with textContent, never as
 * markup. (The tracker picker is not submitted on change: arrowing through its options would leave the page.)
 */
export const DASHBOARD_SCRIPT = `(function (d) {
  'use strict';
  var form = d.querySelector('form[data-preview-url]');
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var status = d.getElementById('preview-status');
  var timer = null;
  var sequence = 0;
  function show(event, text) {
    var out = d.querySelector('[data-preview-event="' + event + '"]');
    if (out) out.textContent = text;
  }
  function update() {
    var mine = ++sequence;
    fetch(form.getAttribute('data-preview-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
      body: new URLSearchParams(new FormData(form))
    }).then(function (response) { return response.json(); }).then(function (answer) {
      if (mine !== sequence) return;
      if (answer.error) {
        status.textContent = 'No preview: ' + answer.error.message;
        return;
      }
      status.textContent = 'Preview updated.';
      answer.data.forEach(function (line) {
        show(line.event, line.skip ? 'not sent: ' + line.skip : line.method + ' ' + line.url + (line.body ? '\\n' + line.body : ''));
      });
    }).catch(function () { if (mine === sequence) status.textContent = 'No preview: the dashboard did not answer.'; });
  }
  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(update, 250); });
})(document);
`;

/** The tab icon, linked from every page: an arrow leaving a box, a postback going out. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1b2a3a"/><path d="M9 23 23 9M13 9h10v10" fill="none" stroke="#ffc94d" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
