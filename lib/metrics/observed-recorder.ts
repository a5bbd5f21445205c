// The event recorder with each call counted by type and result, so the router and in-process calls are measured alike.

import { RelayError } from '../errors.js';
import { EventRecorder } from '../events/recorder.js';
import type { RecorderDeps } from '../events/recorder.js';
import type { Adjustment, Commission, Lead, LeadSource, Recorded } from '../events/types.js';
import type { EventResult } from './instrumentation.js';

/** Reports every event it records, replays or refuses to `observe`. */
export class ObservedRecorder extends EventRecorder {
  readonly #observe: (type: string, result: EventResult) => void;

  constructor(deps: RecorderDeps, observe: (type: string, result: EventResult) => void) {
    super(deps);
    this.#observe = observe;
  }

  override recordLead(input: unknown, source?: LeadSource): Promise<Recorded<Lead>> {
    return this.#observed('lead', super.recordLead(input, source));
  }

  override recordCommission(input: unknown): Promise<Recorded<Commission>> {
    return this.#observed('commission', super.recordCommission(input));
  }

  override adjustCommission(input: unknown): Promise<Recorded<Adjustment>> {
    return this.#observed('adjustment', super.adjustCommission(input));
  }

  async #observed<T>(type: string, recording: Promise<Recorded<T>>): Promise<Recorded<T>> {
    try {
      const recorded = await recording;
      this.#observe(type, recorded.replayed ? 'replayed' : 'recorded');
      return recorded;
    } catch (error) {
      this.#observe(type, error instanceof RelayError && error.statusCode < 500 ? 'rejected' : 'failed');
      throw error;
    }
  }
}
