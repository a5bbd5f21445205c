// Input rules for endpoints; the plugin's own settings are checked by the plugin.

import { EVENT_NAMES } from '../events/types.js';
import { ADJUSTMENT_MODES } from '../plugins/capabilities.js';
import { bool, distinctList, object, oneOf, optional, plainObject, text } from '../validation.js';

const id = text({ max: 191 });
const pluginName = text({ max: 64, description: 'A registered formatter plugin, e.g. "generic" or "voluum"' });
const events = distinctList(oneOf(EVENT_NAMES), EVENT_NAMES.length);
const adjustmentMode = oneOf(ADJUSTMENT_MODES).meta({ description: "How a commission_adjusted reaches the tracker: one of the modes the plugin supports with these settings (docs/plugins.md); left out or null, the plugin's default" });
const settings = plainObject.meta({ description: "The plugin's settings (see docs/plugins.md); the plugin checks them when the endpoint is saved" });

export const endpointSchema = object({
  affiliateId: id,
  offerId: optional(id),
  name: optional(id),
  plugin: pluginName,
  settings,
  events: optional(events),
  enabled: optional(bool),
  adjustmentMode: optional(adjustmentMode),
});

/** A patch: the same fields, all optional; `offerId`, `name` and `adjustmentMode` may be set to null to clear them. */
export const endpointPatchSchema = object({
  affiliateId: optional(id),
  offerId: optional(id),
  name: optional(id),
  plugin: optional(pluginName),
  settings: optional(settings),
  events: optional(events),
  enabled: optional(bool),
  adjustmentMode: optional(adjustmentMode),
});
