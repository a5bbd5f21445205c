// The endpoint form: what its fields hold, read from a posted body, and turned into the endpoint service's input.

import type { Endpoint, EndpointInput } from '../endpoints/types.js';
import { EVENT_NAMES } from '../events/types.js';
import { parseJsonObject } from '../http/json-shape.js';
import type { AdjustmentMode } from '../plugins/capabilities.js';
import type { SettingSpec } from '../plugins/types.js';
import type { Masker } from '../secrets.js';
import { maskSettings } from '../secrets.js';

/** The form's fields as text, as a person typed them (re-shown with the errors after a refused submit). */
export interface EndpointFormValues {
  affiliateId: string;
  offerId: string;
  name: string;
  plugin: string;
  /** One text field per setting of a plugin with a settings schema. */
  settings: Record<string, string>;
  /** The settings as JSON, for a plugin without a schema (e.g. `generic`). */
  settingsJson: string;
  /** As posted: the endpoint schema refuses a name that is no event. */
  events: string[];
  enabled: boolean;
  /** The adjustment mode; empty: the plugin's default. */
  adjustmentMode: string;
}

/** A new endpoint's form: every event, enabled, nothing filled in. */
export function blankForm(plugin: string): EndpointFormValues {
  return { affiliateId: '', offerId: '', name: '', plugin, settings: {}, settingsJson: '{}', events: [...EVENT_NAMES], enabled: true, adjustmentMode: '' };
}

/** A saved endpoint's form, its secrets masked (a masked value left as it is keeps the secret: see {@link restoreMasked}). */
export function formOf(endpoint: Endpoint, mask: Masker): EndpointFormValues {
  const settings = maskSettings(endpoint.settings, mask);
  return {
    affiliateId: endpoint.affiliateId,
    offerId: endpoint.offerId ?? '',
    name: endpoint.name ?? '',
    plugin: endpoint.plugin,
    settings: Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)])),
    settingsJson: JSON.stringify(settings, null, 2),
    events: endpoint.events,
    enabled: endpoint.enabled,
    adjustmentMode: endpoint.adjustmentMode ?? '',
  };
}

const field = (body: Record<string, unknown>, name: string): string => {
  const value = body[name];
  return typeof value === 'string' ? value : '';
};

/**
 * Reads a posted (urlencoded) endpoint form. Setting fields are named `settings.<name>`. Values are kept as typed:
 * the endpoint schema judges them as it judges the API's (a padded id is refused, not quietly trimmed).
 */
export function readForm(body: Record<string, unknown>): EndpointFormValues {
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (key.startsWith('settings.') && typeof value === 'string') settings[key.slice('settings.'.length)] = value;
  // An unknown event name goes on to the schema, which refuses it by name rather than dropping it.
  const events = ([] as unknown[]).concat(body.events ?? []).filter((event) => typeof event === 'string');
  return {
    affiliateId: field(body, 'affiliateId'),
    offerId: field(body, 'offerId'),
    name: field(body, 'name'),
    plugin: field(body, 'plugin'),
    settings,
    settingsJson: typeof body.settingsJson === 'string' ? body.settingsJson : '{}',
    events,
    enabled: body.enabled === 'on',
    adjustmentMode: field(body, 'adjustmentMode'),
  };
}

/**
 * The settings the form means. With a schema, an empty field is left out so the plugin's default applies
 * (and a required one is named by the plugin); without one, the JSON text, which must be an object.
 */
export function formSettings(values: EndpointFormValues, schema: Readonly<Record<string, SettingSpec>> | undefined): Record<string, unknown> {
  if (schema) return Object.fromEntries(Object.entries(values.settings).filter(([key, value]) => value !== '' && Object.hasOwn(schema, key)));
  return parseJsonObject(values.settingsJson.trim() === '' ? '{}' : values.settingsJson, 'settings');
}

/** The endpoint service's input for the form; empty optional fields are cleared (`null`). */
export function formInput(values: EndpointFormValues, settings: Record<string, unknown>): Omit<EndpointInput, 'events'> & { events: string[] } {
  return {
    affiliateId: values.affiliateId,
    offerId: values.offerId === '' ? null : values.offerId,
    name: values.name === '' ? null : values.name,
    plugin: values.plugin,
    settings,
    events: values.events,
    enabled: values.enabled,
    // The service checks the mode against the plugin: an unknown word is refused there, naming the field.
    adjustmentMode: values.adjustmentMode === '' ? null : (values.adjustmentMode as AdjustmentMode),
  };
}

/**
 * Puts the saved secret back wherever the form returned a value exactly as it was shown masked, so editing
 * another field of an endpoint never replaces its token with `***`.
 */
export function restoreMasked(submitted: unknown, saved: unknown, mask: Masker): unknown {
  if (typeof submitted === 'string') return typeof saved === 'string' && saved !== submitted && mask(saved) === submitted ? saved : submitted;
  if (Array.isArray(submitted)) return submitted.map((item, index) => restoreMasked(item, Array.isArray(saved) ? saved[index] : undefined, mask));
  if (typeof submitted === 'object' && submitted !== null) {
    const from = typeof saved === 'object' && saved !== null ? (saved as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(submitted).map(([key, value]) => [key, restoreMasked(value, from[key], mask)]));
  }
  return submitted;
}
