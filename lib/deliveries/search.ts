// The delivery log's search, one for the dashboard, the portal's pages and the portal's API: the fields, how each is checked.

import { z } from 'zod';
import type { DeliveryFilter } from '../store/outbox-store.js';
import { check, object, oneOf, optional, text, timestamp } from '../validation.js';
import { DELIVERY_STATUSES } from './types.js';

/** What the log can be searched by. */
export type LogSearchField = 'clickId' | 'leadId' | 'affiliateId' | 'endpointId' | 'status' | 'since' | 'until';

/** A search as typed into a form: each field's text, empty when not given (what the form shows back). */
export type LogSearch<F extends LogSearchField> = Record<F, string>;

/** A checked search: what the store filters by. An affiliate's deliveries are those of its endpoints. */
export type LogFilter = Pick<DeliveryFilter, LogSearchField>;

/**
 * Where the search comes from. `form`: an HTML form, whose empty fields are not given and whose
 * `datetime-local` times carry no zone (read as UTC). `api`: query parameters, times in ISO 8601 with a zone.
 */
export type LogSearchSource = 'form' | 'api';

/** The fields of one search, checked once they are read. */
export interface LogSearchSpec<F extends LogSearchField> {
  readonly fields: readonly F[];
  /** The search as typed: each field's value from `read`. */
  typed(read: (name: F) => string): LogSearch<F>;
  /** The filter the search asks for; a ValidationError names the first bad field. */
  filter(given: Partial<Record<F, unknown>>): LogFilter;
}

/** A `datetime-local` value (no zone) read as UTC; anything else as given. */
export function withZone(value: unknown): unknown {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value}Z` : value;
}

function fieldSchemas(source: LogSearchSource) {
  const time = source === 'form' ? optional(z.preprocess(withZone, timestamp)) : optional(timestamp);
  return {
    clickId: optional(text({ max: 255 })),
    leadId: optional(text({ max: 191 })),
    affiliateId: optional(text({ max: 191 })),
    endpointId: optional(text({ max: 19, pattern: /^\d+$/, patternHint: 'an endpoint id (digits)' })),
    status: optional(oneOf(DELIVERY_STATUSES)),
    since: time,
    until: time,
  } satisfies Record<LogSearchField, z.ZodType>;
}

/** The search over `fields` from `source`, its schema built once. */
export function logSearch<const F extends LogSearchField>(fields: readonly F[], source: LogSearchSource): LogSearchSpec<F> {
  const all = fieldSchemas(source);
  const schema = object(Object.fromEntries(fields.map((name) => [name, all[name]])));
  return {
    fields,
    typed: (read) => Object.fromEntries(fields.map((name) => [name, read(name)])) as LogSearch<F>,
    filter: (given) => check(schema, Object.fromEntries(fields.map((name) => [name, source === 'form' && given[name] === '' ? undefined : given[name]]))),
  };
}
