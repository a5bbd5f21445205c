// URL templates with {macro} placeholders: parsed and checked once when an endpoint is saved, rendered per postback.

import { PluginSettingsError } from '../errors.js';

/** A parsed template: literal text and macro names, alternating. */
export interface Template<M extends string> {
  readonly source: string;
  readonly parts: ReadonlyArray<{ literal: string } | { macro: M }>;
}

/**
 * Parses `source`, refusing unknown macros and stray braces. `setting` names the setting in errors.
 */
export function parseTemplate<M extends string>(source: string, macros: readonly M[], setting: string): Template<M> {
  const parts: Array<{ literal: string } | { macro: M }> = [];
  const pattern = /\{([^{}]*)\}|([{}])/g;
  let last = 0;
  for (const match of source.matchAll(pattern)) {
    if (match[2] !== undefined) throw new PluginSettingsError(setting, `has an unmatched "${match[2]}" at position ${match.index}`);
    const name = match[1] ?? '';
    if (!(macros as readonly string[]).includes(name)) {
      throw new PluginSettingsError(setting, `uses the unknown macro {${name}}; known macros: ${macros.map((m) => `{${m}}`).join(' ')}`);
    }
    if (match.index > last) parts.push({ literal: source.slice(last, match.index) });
    parts.push({ macro: name as M });
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push({ literal: source.slice(last) });
  return { source, parts };
}

/** Renders a template, passing every macro value through `encode` (never the literal text). */
export function renderTemplate<M extends string>(
  template: Template<M>,
  values: Readonly<Record<M, string>>,
  encode: (value: string) => string,
): string {
  let out = '';
  for (const part of template.parts) out += 'literal' in part ? part.literal : encode(values[part.macro]);
  return out;
}

/**
 * Parses a postback URL template and checks that it is an absolute http(s) URL whose scheme, host and
 * port are fixed text: a macro value can then never send the request to another host.
 */
export function parseUrlTemplate<M extends string>(source: unknown, macros: readonly M[], setting: string): Template<M> {
  if (typeof source !== 'string' || source.length === 0) throw new PluginSettingsError(setting, 'is required: the postback URL');
  if (source.length > 2048) throw new PluginSettingsError(setting, 'must be at most 2048 characters');
  // new URL() silently strips CR, LF and TAB: the URL sent would differ from the URL saved and shown.
  if (/\p{Cc}/u.test(source)) throw new PluginSettingsError(setting, 'must not contain control characters (CR, LF, TAB or others); percent-encode them if the tracker needs them');
  const template = parseTemplate(source, macros, setting);
  const authorityEnd = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(source)?.[0].length ?? 0;
  // Messages never echo the URL: its path or query may hold a tracker token.
  if (authorityEnd === 0) throw new PluginSettingsError(setting, 'must be an absolute http:// or https:// URL');
  if (source.slice(0, authorityEnd).includes('{')) {
    throw new PluginSettingsError(setting, 'must not have macros in the scheme, host or port');
  }
  let url: URL;
  try {
    url = new URL(renderTemplate(template, Object.fromEntries(macros.map((m) => [m, 'x'])) as Record<M, string>, (v) => v));
  } catch {
    throw new PluginSettingsError(setting, 'is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PluginSettingsError(setting, `must use http or https, got ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.username || url.password) throw new PluginSettingsError(setting, 'must not carry a user name or password');
  return template;
}
