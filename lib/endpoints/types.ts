// An affiliate's postback endpoint: where and how to tell its tracker about our events.

import type { EventName } from '../events/types.js';
import type { AdjustmentMode } from '../plugins/capabilities.js';

/**
 * A postback endpoint. It applies to one affiliate's leads; with `offerId` set, only to that offer's.
 * For a given lead and event, the offer's own endpoints take precedence: when any enabled endpoint of
 * the lead's affiliate and offer subscribes to the event, only those fire; otherwise the affiliate's
 * endpoints without an offer fire. So a tracker set up both globally and for one offer never counts twice.
 */
export interface Endpoint {
  /** Assigned by the relay. */
  id: string;
  affiliateId: string;
  /** `null`: every offer of the affiliate that has no endpoint of its own for the event. */
  offerId: string | null;
  /** A label for people. */
  name: string | null;
  /** The formatter plugin's name, e.g. `generic`. */
  plugin: string;
  /** The plugin's settings, as given. */
  settings: Record<string, unknown>;
  /** Which events fire postbacks to it. */
  events: EventName[];
  enabled: boolean;
  /** How its adjustments go, among the modes its plugin supports; null: the plugin's default. */
  adjustmentMode: AdjustmentMode | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An endpoint to create. `events` defaults to all three, `enabled` to true. */
export interface EndpointInput {
  affiliateId: string;
  offerId?: string | null;
  name?: string | null;
  plugin: string;
  settings: Record<string, unknown>;
  events?: EventName[];
  enabled?: boolean;
  adjustmentMode?: AdjustmentMode | null;
}

/** Changes to an endpoint; keys left out stay as they are. */
export type EndpointPatch = Partial<EndpointInput>;
