// The generic formatter: any tracker that takes a URL template with {macro} placeholders, by GET or by POST.

import { PluginSettingsError } from '../../lib/errors.js';
import { MACRO_NAMES, macroValues } from '../../lib/plugins/macros.js';
import type { MacroName } from '../../lib/plugins/macros.js';
import { parseTemplate, parseUrlTemplate, renderTemplate } from '../../lib/plugins/template.js';
import type { Template } from '../../lib/plugins/template.js';
import type { FormatterPlugin, PostbackRequest } from '../../lib/plugins/types.js';
import { genericRecognizer } from './recognize.js';

/** The generic plugin's settings once checked. */
export interface GenericSettings {
  url: Template<MacroName>;
  method: 'GET' | 'POST';
  bodyFormat: 'form' | 'json';
  body: ReadonlyArray<readonly [string, Template<MacroName>]>;
}

const SETTING_KEYS = ['url', 'method', 'bodyFormat', 'body', 'secretParams'];
const MAX_BODY_FIELDS = 50;

/**
 * Creates the generic template formatter. Settings:
 * - `url` (required): e.g. `https://tracker.example/postback?cid={click_id}&payout={payout}&txid={transaction_id}`;
 *   every macro value is URL-encoded, and the scheme, host and port cannot hold macros.
 * - `method`: `GET` (default) or `POST`.
 * - `bodyFormat`: `form` (default) or `json`, for POST.
 * - `body`: for POST, an object of field name to template (`{"clickid": "{click_id}"}`); values are
 *   encoded by the body format, not URL-encoded.
 * - `secretParams`: names of query parameters of `url` whose fixed values are secrets (`["token"]` for
 *   `...?token=abc&cid={click_id}`): masked in the API, the delivery log and logs.
 */
export default function createGenericPlugin(): FormatterPlugin<GenericSettings> {
  return {
    name: 'generic',
    apiVersion: 1,
    description: 'Any tracker: a URL template with {macro} placeholders, GET or POST',
    recognize: genericRecognizer,
    // Each adjustment keeps its own {transaction_id}; the template picks {payout} or {delta} as the tracker needs.
    adjustments: 'delta',
    // Its books are the template's; a template is assumed to carry a key ({transaction_id}), as the docs ask.
    books: () => ({ family: 'per-txid', dedupe: 'txid', maxAmount: null, decimals: null, adjustmentModes: ['delta', 'replace', 'skip'] }),
    parseSettings(settings) {
      const unknown = Object.keys(settings).find((key) => !SETTING_KEYS.includes(key));
      if (unknown !== undefined) throw new PluginSettingsError(unknown, `is not a setting of the generic plugin (settings: ${SETTING_KEYS.join(', ')})`);
      const method = settings.method ?? 'GET';
      if (method !== 'GET' && method !== 'POST') throw new PluginSettingsError('method', `must be GET or POST, got ${JSON.stringify(method)}`);
      const bodyFormat = settings.bodyFormat ?? 'form';
      if (bodyFormat !== 'form' && bodyFormat !== 'json') {
        throw new PluginSettingsError('bodyFormat', `must be form or json, got ${JSON.stringify(bodyFormat)}`);
      }
      const url = parseUrlTemplate(settings.url, MACRO_NAMES, 'url');
      secretParamValues(url.source, settings.secretParams);
      return { url, method, bodyFormat, body: parseBody(settings.body, method) };
    },
    secretValues(settings) {
      return typeof settings.url === 'string' ? secretParamValues(settings.url, settings.secretParams) : [];
    },
    format(context, settings): PostbackRequest {
      const values = macroValues(context);
      const url = renderTemplate(settings.url, values, encodeURIComponent);
      if (settings.method === 'GET') return { method: 'GET', url };
      const fields = settings.body.map(([name, template]): [string, string] => [name, renderTemplate(template, values, (v) => v)]);
      return settings.bodyFormat === 'json'
        ? { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.fromEntries(fields)) }
        : { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() };
    },
  };
}

function parseBody(body: unknown, method: 'GET' | 'POST'): GenericSettings['body'] {
  if (body === undefined) return [];
  if (method === 'GET') throw new PluginSettingsError('body', 'is only used with method POST');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PluginSettingsError('body', 'must be an object of field name to template, e.g. {"cid": "{click_id}"}');
  }
  const entries = Object.entries(body as Record<string, unknown>);
  if (entries.length > MAX_BODY_FIELDS) throw new PluginSettingsError('body', `must have at most ${MAX_BODY_FIELDS} fields`);
  return entries.map(([name, template]) => {
    if (typeof template !== 'string') throw new PluginSettingsError(`body.${name}`, 'must be a template string');
    return [name, parseTemplate(template, MACRO_NAMES, `body.${name}`)] as const;
  });
}

// The value of each named query parameter as written in the template, and decoded: either form can reach a log.
function secretParamValues(url: string, names: unknown): string[] {
  if (names === undefined) return [];
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string' && name !== '')) {
    throw new PluginSettingsError('secretParams', 'must be an array of query parameter names of url, e.g. ["token"]');
  }
  const query = url.split('#')[0]?.split('?').slice(1).join('?') ?? '';
  const pairs = query.split('&').map((pair) => pair.split('='));
  return names.flatMap((name: string) => {
    const found = pairs.filter(([key]) => key === name).map(([, value = '']) => value);
    if (found.length === 0 || found.some((value) => value === '' || value.includes('{'))) {
      throw new PluginSettingsError('secretParams', `names "${name}", which must be a query parameter of url with a fixed, non-empty value`);
    }
    return found.flatMap((value) => {
      try {
        return [value, decodeURIComponent(value.replace(/\+/g, ' '))];
      } catch {
        return [value];
      }
    });
  });
}
