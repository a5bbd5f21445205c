// Secrets in endpoint settings (postback keys, tokens): found through the plugin, masked wherever they would be shown.

import type { PluginRegistry } from './plugins/registry.js';

/** What a secret is replaced with in API answers, the delivery log and logs. */
export const MASK = '***';

/** Replaces every secret in a string. */
export type Masker = (text: string) => string;

const identity: Masker = (text) => text;

/**
 * A masker for `secrets`: each is replaced raw and in its URL-encoded forms, since a secret reaches a
 * request URL or body encoded. Longest first, so a secret containing another is masked whole.
 */
export function createMasker(secrets: readonly string[]): Masker {
  const forms = [...new Set(secrets.filter((secret) => secret !== '').flatMap((secret) => [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]))];
  if (forms.length === 0) return identity;
  forms.sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((masked, form) => masked.split(form).join(MASK), text);
}

/** The masker for an endpoint's settings, from its plugin's `secretValues`; a plugin that declares none has no secrets. */
export function maskerFor(plugins: PluginRegistry, endpoint: { plugin: string; settings: Readonly<Record<string, unknown>> }): Masker {
  let plugin;
  try {
    plugin = plugins.get(endpoint.plugin);
  } catch {
    return identity;
  }
  return createMasker(plugin.secretValues?.(endpoint.settings) ?? []);
}

/** A copy of `settings` with every secret masked in every string, however deep. */
export function maskSettings(settings: Readonly<Record<string, unknown>>, mask: Masker): Record<string, unknown> {
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return mask(value);
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, walk(child)]));
    return value;
  };
  return walk(settings) as Record<string, unknown>;
}
