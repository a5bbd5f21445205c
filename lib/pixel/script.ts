// The landing-page script, built once from the pixel options: capture the click, keep it first-party, report each form fill once.

import type { ResolvedPixelOptions } from './options.js';

/**
 * The script's source, with the options baked in. It finds the relay's address from its own `src`,
 * so it works wherever the pixel router is mounted. Its one global is `window.PostbackRelayPixel`.
 */
export function buildPixelScript(options: ResolvedPixelOptions, version: string): string {
  const config = JSON.stringify({
    click: options.clickIdParams,
    aff: options.affiliateParams,
    offer: options.offerParams,
    subs: options.subParams,
    key: options.cookieName,
    days: options.cookieDays,
    version,
  });
  return `/*! postback-relay pixel ${version} */
(function (w, d) {
  'use strict';
  if (w.PostbackRelayPixel) return;
  var C = ${config};
  var src = d.currentScript && d.currentScript.src;
  var base = src ? src.replace(/\\/pixel\\.js(?:[?#].*)?$/, '') : '';
  var FILL = C.key + '_fill';
  var DONE = C.key + '_done';
  var fills = new WeakMap();
  var loading = [];
  var flushing = false;

  function get(key) { try { return w.localStorage.getItem(key); } catch (e) { return null; } }
  function put(key, value) {
    try { if (value === null) w.localStorage.removeItem(key); else w.localStorage.setItem(key, value); } catch (e) { /* storage off: the cookie still holds the click */ }
  }
  function parse(text) { try { return text ? JSON.parse(text) : null; } catch (e) { return null; } }
  function confirmed() { var list = parse(get(DONE)); return Array.isArray(list) ? list : []; }
  function cookie() {
    var found = null;
    d.cookie.split('; ').forEach(function (pair) { if (pair.indexOf(C.key + '=') === 0) found = pair.slice(C.key.length + 1); });
    return found;
  }
  function pick(query, names) {
    for (var i = 0; i < names.length; i++) { var value = query.get(names[i]); if (value) return value; }
    return null;
  }

  // A landing URL with a click ID replaces what was kept; any other page keeps it.
  function capture() {
    var query = new URLSearchParams(w.location.search);
    var click = pick(query, C.click);
    if (!click) return;
    var subs = C.subs.map(function (name) { return query.get(name) || null; });
    var text = encodeURIComponent(JSON.stringify({ c: click, a: pick(query, C.aff), o: pick(query, C.offer), s: subs, t: Date.now() + C.days * 864e5 }));
    d.cookie = C.key + '=' + text + '; path=/; max-age=' + C.days * 86400 + '; SameSite=Lax' + (w.location.protocol === 'https:' ? '; Secure' : '');
    put(C.key, text);
  }
  function kept() {
    var text = cookie() || get(C.key);
    var data = null;
    try { data = text ? JSON.parse(decodeURIComponent(text)) : null; } catch (e) { data = null; }
    return data && typeof data.c === 'string' && data.t > Date.now() ? data : null;
  }

  function query(data, fid) {
    var params = new URLSearchParams();
    params.set(C.click[0], data.c);
    if (data.a) params.set(C.aff[0], data.a);
    if (data.o) params.set(C.offer[0], data.o);
    for (var i = 0; i < 5; i++) if (data.s && data.s[i]) params.set(C.subs[i], data.s[i]);
    params.set('fid', fid);
    return params.toString();
  }
  function newId() {
    var bytes = new Uint8Array(16);
    w.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }
  function load(url) {
    var image = new Image(1, 1);
    loading.push(image);
    image.src = url;
  }

  // One id per form fill: a double submit, a script submit inside a submit handler, or a new page before
  // the fill was confirmed all reuse it, and the relay records one lead per id.
  function track(form) {
    if (!base || (form && form.hasAttribute && form.hasAttribute('data-pb-skip'))) return;
    var data = kept();
    if (!data) return;
    var pending = parse(get(FILL));
    var fid = (form && fills.get(form)) || (pending && pending.c === data.c ? pending.f : newId());
    if (form) fills.set(form, fid);
    if (confirmed().indexOf(fid) >= 0) return;
    var q = query(data, fid);
    put(FILL, JSON.stringify({ f: fid, c: data.c, q: q }));
    var sent = false;
    try { sent = !!(navigator.sendBeacon && navigator.sendBeacon(base + '/pixel/lead', new URLSearchParams(q))); } catch (e) { sent = false; }
    if (!sent) load(base + '/pixel.gif?' + q);
    // If the page stays (a form sent by script), confirm here; otherwise the next page does.
    w.setTimeout(flush, 1500);
  }

  // Confirms the pending fill (recording it if the beacon was lost) and loads the affiliate's browser pixels once.
  function flush() {
    var pending = parse(get(FILL));
    if (!pending || !base || flushing || !w.fetch) return;
    flushing = true;
    w.fetch(base + '/pixel/lead?' + pending.q, { credentials: 'omit', mode: 'cors' }).then(function (res) {
      return res.status === 400 ? { pixels: [] } : res.ok ? res.json() : null;
    }).then(function (body) {
      flushing = false;
      var now = parse(get(FILL));
      if (!body || !now || now.f !== pending.f) return;
      put(FILL, null);
      put(DONE, JSON.stringify(confirmed().concat(pending.f).slice(-20)));
      (body.pixels || []).forEach(function (pixel) {
        if (!pixel || typeof pixel.url !== 'string' || !/^https?:\\/\\//.test(pixel.url)) return;
        if (pixel.type !== 'iframe') { load(pixel.url); return; }
        var frame = d.createElement('iframe');
        frame.src = pixel.url;
        frame.width = frame.height = '1';
        frame.style.display = 'none';
        frame.setAttribute('aria-hidden', 'true');
        frame.tabIndex = -1;
        (d.body || d.documentElement).appendChild(frame);
      });
    }, function () { flushing = false; });
  }

  function safely(form) { try { track(form); } catch (e) { /* never break the page's form */ } }

  capture();
  d.addEventListener('submit', function (event) { safely(event.target); }, true);
  // form.submit() fires no submit event: see it too, then submit as the page asked.
  var nativeSubmit = HTMLFormElement.prototype.submit;
  HTMLFormElement.prototype.submit = function () { safely(this); return nativeSubmit.apply(this, arguments); };
  flush();

  w.PostbackRelayPixel = Object.freeze({
    version: C.version,
    clickId: function () { var data = kept(); return data ? data.c : null; },
    track: function (form) { safely(form || null); }
  });
})(window, document);
`;
}
