// Records a batch of finished attempts in one transaction, then moves each endpoint's failure window once per batch.

import type { Knex } from 'knex';
import type { DeliveryAttempt, DeliveryStatus } from '../deliveries/types.js';
import { retryOnDeadlock } from './errors.js';
import type { TableNames } from './tables.js';

/** The result of one attempt (as the delivery log shows it), and what becomes of the delivery. */
export interface AttemptOutcome extends DeliveryAttempt {
  status: DeliveryStatus;
  nextAttemptAt: Date;
  /** The delivery's endpoint, whose failure window this attempt extends or closes. */
  endpointPk: string;
  /** An endpoint failing without a break since this time or earlier is disabled. */
  disableIfFailingSince: Date;
}

/** One claimed delivery's attempt, to record. */
export interface Completion {
  pk: string;
  outcome: AttemptOutcome;
}

// Rows per statement: knex writes a multi-row SQLite insert as one compound SELECT, which SQLite caps at 500 terms.
const CHUNK = 100;
const ERROR_LENGTH = 1024;

/**
 * Records every attempt and its delivery's outcome, and releases each lease, in one transaction: one
 * multi-row insert and one update per 100 deliveries, whatever their outcomes. Returns the endpoints it disabled.
 */
export async function recordCompletions(knex: Knex, t: TableNames, completions: readonly Completion[]): Promise<string[]> {
  if (completions.length === 0) return [];
  // Primary-key order, so two writers whose rows overlap (a replay, a take-over) lock them in the same order.
  const sorted = [...completions].sort((a, b) => (BigInt(a.pk) < BigInt(b.pk) ? -1 : 1));
  await retryOnDeadlock(() =>
    knex.transaction(async (trx) => {
      for (let start = 0; start < sorted.length; start += CHUNK) {
        const chunk = sorted.slice(start, start + CHUNK);
        await trx(t.attempts).insert(chunk.map(attemptRow));
        await updateDeliveries(trx, t.deliveries, chunk);
      }
    }),
  );
  // Outside the attempts' transaction: holding an endpoint row's lock together with deliveries' would deadlock
  // against an event's transaction, which locks the endpoint (foreign key) first.
  return moveFailureWindows(knex, t, completions);
}

function attemptRow({ pk, outcome }: Completion): Record<string, unknown> {
  return {
    delivery_pk: pk,
    attempted_at: outcome.attemptedAt,
    request_method: outcome.method,
    request_url: outcome.url,
    status_code: outcome.statusCode,
    latency_ms: outcome.latencyMs,
    error: outcome.error?.slice(0, ERROR_LENGTH) ?? null,
    response_excerpt: outcome.responseExcerpt,
  };
}

// One UPDATE for the chunk: a column whose value differs between rows becomes `case pk when .. then .. end`.
async function updateDeliveries(trx: Knex.Transaction, table: string, chunk: readonly Completion[]): Promise<void> {
  const column = (pick: (outcome: AttemptOutcome) => string | number | Date | null): unknown => {
    const values = chunk.map((c) => pick(c.outcome));
    const first = values[0] ?? null;
    if (values.every((value) => sameValue(value, first))) return first;
    return trx.raw(`case pk ${'when ? then ? '.repeat(chunk.length)}end`, chunk.flatMap((c, i) => [c.pk, values[i] ?? null]));
  };
  await trx(table)
    .whereIn('pk', chunk.map((c) => c.pk))
    .update({
      status: column((o) => o.status),
      attempt_count: trx.raw('attempt_count + 1'),
      round_attempts: trx.raw('round_attempts + 1'),
      next_attempt_at: column((o) => o.nextAttemptAt),
      locked_until: null,
      last_status_code: column((o) => o.statusCode),
      last_error: column((o) => o.error?.slice(0, ERROR_LENGTH) ?? null),
      updated_at: column((o) => o.attemptedAt),
      delivered_at: column((o) => (o.status === 'delivered' ? o.attemptedAt : null)),
    });
}

function sameValue(a: string | number | Date | null, b: string | number | Date | null): boolean {
  return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
}

/**
 * Per endpoint of the batch, with its attempts in time order, the same end state as taking them one by one:
 * a success closes the failure window; failures after the last success open it (at the first of them) and
 * disable the endpoint once it has lasted long enough. A skip sends nothing, so it says nothing of health.
 */
async function moveFailureWindows(knex: Knex, t: TableNames, completions: readonly Completion[]): Promise<string[]> {
  const byEndpoint = new Map<string, AttemptOutcome[]>();
  for (const { outcome } of completions) {
    if (outcome.status === 'skipped') continue;
    const list = byEndpoint.get(outcome.endpointPk) ?? [];
    list.push(outcome);
    byEndpoint.set(outcome.endpointPk, list);
  }
  const disabled: string[] = [];
  for (const [endpointPk, outcomes] of byEndpoint) {
    outcomes.sort((a, b) => a.attemptedAt.getTime() - b.attemptedAt.getTime());
    const lastSuccess = outcomes.reduce((found, o, i) => (o.status === 'delivered' ? i : found), -1);
    const failures = outcomes.slice(lastSuccess + 1);
    const endpoint = () => knex(t.endpoints).where({ pk: endpointPk });
    const [opened, last] = [failures[0], failures[failures.length - 1]];
    if (!opened || !last) {
      // A plain read first: an UPDATE would lock the endpoint row on every batch, even with nothing to change.
      const failing: unknown = await endpoint().whereNotNull('failing_since').first('pk');
      if (failing) await endpoint().update({ failing_since: null });
      continue;
    }
    // After a success in this batch the window starts anew; otherwise an open one goes on.
    await (lastSuccess >= 0 ? endpoint() : endpoint().whereNull('failing_since')).update({ failing_since: opened.attemptedAt });
    const changed: unknown = await endpoint()
      .where('enabled', true)
      .andWhere('failing_since', '<=', last.disableIfFailingSince)
      .update({ enabled: false, updated_at: last.attemptedAt });
    if (Number(changed) > 0) disabled.push(endpointPk);
  }
  return disabled;
}
