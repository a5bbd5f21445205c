// Input rules for endpoints; the plugin's own settings are checked by the plugin.

import { EVENT_NAMES } from '../events/types.js';
import { ADJUSTMENT_MODES } from '../plugins/capabilities.js';
import { bool, distinctList, object, oneOf, optional, plainObject, required, text } from '../validation.js';

const id = text({ max: 191 });
const pluginName = text({ max: 64 });
const events = distinctList(oneOf(EVENT_NAMES), EVENT_NAMES.length);

export const endpointSchema = object({
  affiliateId: required(id),
  offerId: optional(id),
  name: optional(id),
  plugin: required(pluginName),
  settings: required(plainObject),
  events: optional(events),
  enabled: optional(bool),
  adjustmentMode: optional(oneOf(ADJUSTMENT_MODES)),
});

/** A patch: the same fields, all optional; `offerId`, `name` and `adjustmentMode` may be set to null to clear them. */
export const endpointPatchSchema = object({
  affiliateId: optional(id),
  offerId: optional(id),
  name: optional(id),
  plugin: optional(pluginName),
  settings: optional(plainObject),
  events: optional(events),
  enabled: optional(bool),
  adjustmentMode: optional(oneOf(ADJUSTMENT_MODES)),
});
