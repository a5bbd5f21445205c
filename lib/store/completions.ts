// Records a batch of finished attempts in one transaction, then moves each endpoint's failure window once per batch.

import type { Knex } from 'knex';
import type { DeliveryAttempt, DeliveryStatus } from '../deliveries/types.js';
import { isMySql } from './database.js';
import { retryOnDeadlock } from './errors.js';
import type { AttemptColumns, TableNames } from './tables.js';

/** The result of one attempt (as the delivery log shows it), and what becomes of the delivery. */
export interface AttemptOutcome extends DeliveryAttempt {
  status: DeliveryStatus;
  nextAttemptAt: Date;
  /** The delivery's endpoint, whose failure window this attempt extends or closes. */
  endpointPk: string;
  /** An endpoint failing without a break since this time or earlier is disabled. */
  disableIfFailingSince: Date;
}

/** One claimed delivery's attempt, to record under the lease it was claimed with. */
export interface Completion {
  pk: string;
  /** The claim's lease token: the delivery's state changes only while the row still carries it. */
  leaseToken: string;
  outcome: AttemptOutcome;
  /**
   * Whether the claim found no attempt recorded for the delivery: its attempt then goes on the delivery's own row
   * (the usual postback, sent once, costs no attempt row), provided the row still carries the lease.
   */
  firstAttempt: boolean;
  /**
   * Whether the endpoint's failure window is known to be closed (false: a success needs no write to close it), or
   * may be open (true, or undefined when not known: a success reads it, and closes it if it is).
   */
  endpointFailing?: boolean;
}

/** What a batch of completions did. */
export interface CompletionResult {
  /** Endpoints disabled by this batch's failures. */
  disabled: string[];
  /**
   * Deliveries whose lease had passed to another claim: their attempts are recorded (they went on the wire), but
   * their state is the new holder's to change, so it was left as it was.
   */
  stale: string[];
  /** Why the endpoints' failure windows could not be moved, when they could not; the attempts are recorded regardless. */
  windowError: unknown;
}

// Rows per statement: knex writes a multi-row SQLite insert as one compound SELECT, which SQLite caps at 500 terms.
const CHUNK = 100;
const ERROR_LENGTH = 1024;

/**
 * Records every attempt and, for each delivery still held under its completion's lease token, its outcome and
 * the end of its lease, in one transaction. In the usual case that is one statement per 100 deliveries, whatever
 * their outcomes: a fenced UPDATE (it changes only rows still carrying their completion's token) that also writes
 * each first attempt on its delivery's row; later attempts add one multi-row insert into the attempts table. When
 * the UPDATE finds a lease gone to another claim, the transaction is rolled back and the chunk recorded the careful
 * way: a locking read of the tokens first, then only the rows still held, every attempt in the attempts table.
 */
export async function recordCompletions(knex: Knex, t: TableNames, completions: readonly Completion[]): Promise<CompletionResult> {
  if (completions.length === 0) return { disabled: [], stale: [], windowError: undefined };
  // Primary-key order, so two writers whose rows overlap (a replay, a take-over) lock them in the same order.
  const sorted = [...completions].sort((a, b) => (BigInt(a.pk) < BigInt(b.pk) ? -1 : 1));
  const write = (careful: boolean) =>
    knex.transaction(async (trx) => {
      const held: Completion[] = [];
      for (let start = 0; start < sorted.length; start += CHUNK) {
        const chunk = sorted.slice(start, start + CHUNK);
        held.push(...(careful ? await recordHeld(trx, t, chunk) : await recordFenced(trx, t, chunk)));
      }
      return held;
    });
  const current = await retryOnDeadlock(async () => {
    try {
      return await write(false);
    } catch (error) {
      if (!(error instanceof LeaseMoved)) throw error;
      return write(true);
    }
  });
  const kept = new Set(current.map((c) => c.pk));
  // Outside the attempts' transaction: holding an endpoint row's lock together with deliveries' would deadlock
  // against an event's transaction, which locks the endpoint (foreign key) first.
  const stale = completions.filter((c) => !kept.has(c.pk)).map((c) => c.pk);
  try {
    return { disabled: await moveFailureWindows(knex, t, current), stale, windowError: undefined };
  } catch (error) {
    // The attempts are recorded: writing them again would count them twice. Only auto-disable waits for the next batch.
    return { disabled: [], stale, windowError: error };
  }
}

// A fenced UPDATE found a row no longer carrying its completion's token: the chunk is recorded the careful way.
class LeaseMoved extends Error {}

// The update first: it locks the rows, so the attempts' foreign-key check finds them locked already.
async function recordFenced(trx: Knex.Transaction, t: TableNames, chunk: readonly Completion[]): Promise<Completion[]> {
  const changed = await updateDeliveries(trx, t.deliveries, chunk, true);
  if (changed !== chunk.length) throw new LeaseMoved();
  const later = chunk.filter((c) => !c.firstAttempt);
  if (later.length > 0) await trx(t.attempts).insert(later.map(attemptRow));
  return [...chunk];
}

async function recordHeld(trx: Knex.Transaction, t: TableNames, chunk: readonly Completion[]): Promise<Completion[]> {
  // The lock first: the insert's foreign-key check would otherwise take a shared lock to upgrade later.
  const owned = await stillHeld(trx, t.deliveries, chunk);
  await trx(t.attempts).insert(chunk.map(attemptRow));
  if (owned.length > 0) await updateDeliveries(trx, t.deliveries, owned, false);
  return owned;
}

// The completions whose delivery still carries their lease token, read under a row lock on MySQL so no claim
// can take the row between this read and the update.
async function stillHeld(trx: Knex.Transaction, table: string, chunk: readonly Completion[]): Promise<Completion[]> {
  const read = trx(table).whereIn('pk', chunk.map((c) => c.pk)).select<Array<{ pk: string | number; lease_token: string | null }>>('pk', 'lease_token');
  if (isMySql(trx)) void read.forUpdate();
  const tokens = new Map((await read).map((row) => [String(row.pk), row.lease_token]));
  return chunk.filter((c) => tokens.get(c.pk) === c.leaseToken);
}

function attemptRow({ pk, outcome }: Completion): Record<string, unknown> {
  return { delivery_pk: pk, ...attemptColumns(outcome) };
}

function attemptColumns(outcome: AttemptOutcome): AttemptColumns {
  return {
    attempted_at: outcome.attemptedAt,
    request_method: outcome.method,
    request_url: outcome.url,
    status_code: outcome.statusCode,
    latency_ms: outcome.latencyMs,
    error: outcome.error?.slice(0, ERROR_LENGTH) ?? null,
    response_excerpt: outcome.responseExcerpt,
    failure_kind: outcome.failureKind,
  };
}

type Value = string | number | Date | null;

// One UPDATE for the chunk, fenced: each row changes only while it carries its completion's lease token (and, for a
// first attempt written on the row, while it has no attempt recorded). A column whose value differs between rows
// becomes `case pk when .. then .. end`. Returns how many rows it changed.
async function updateDeliveries(trx: Knex.Transaction, table: string, chunk: readonly Completion[], firstOnRow: boolean): Promise<number> {
  const cases = (rows: readonly Completion[], values: readonly Value[], otherwise?: string) =>
    trx.raw(`case pk ${'when ? then ? '.repeat(rows.length)}${otherwise === undefined ? '' : 'else ?? '}end`, [
      ...rows.flatMap((c, i) => [c.pk, values[i] ?? null]),
      ...(otherwise === undefined ? [] : [otherwise]),
    ]);
  const set = (rows: readonly Completion[], values: readonly Value[], otherwise?: string): unknown => {
    const value = values[0] ?? null;
    return otherwise === undefined && values.every((v) => sameValue(v, value)) ? value : cases(rows, values, otherwise);
  };
  const column = (pick: (outcome: AttemptOutcome) => Value) => set(chunk, chunk.map((c) => pick(c.outcome)));
  const first = firstOnRow ? chunk.filter((c) => c.firstAttempt) : [];
  const firstColumns: Record<string, unknown> = {};
  if (first.length > 0) {
    const columns = first.map((c) => attemptColumns(c.outcome));
    for (const name of Object.keys(columns[0] ?? {}) as Array<keyof AttemptColumns>) {
      // Rows whose attempt goes to the attempts table keep what they have.
      firstColumns[`first_${name}`] = set(first, columns.map((c) => c[name]), first.length === chunk.length ? undefined : `first_${name}`);
    }
  }
  const groups = new Map<string, { token: string; firstAttempt: boolean; pks: string[] }>();
  for (const c of chunk) {
    const firstAttempt = firstOnRow && c.firstAttempt;
    const key = `${c.leaseToken}:${firstAttempt}`;
    const group = groups.get(key) ?? { token: c.leaseToken, firstAttempt, pks: [] };
    group.pks.push(c.pk);
    groups.set(key, group);
  }
  const changed: unknown = await trx(table)
    .where((where) => {
      for (const { token, firstAttempt, pks } of groups.values()) {
        void where.orWhere((held) => {
          void held.whereIn('pk', pks).andWhere('lease_token', token);
          if (firstAttempt) void held.andWhere('attempt_count', 0);
        });
      }
    })
    .update({
      status: column((o) => o.status),
      attempt_count: trx.raw('attempt_count + 1'),
      round_attempts: trx.raw('round_attempts + 1'),
      next_attempt_at: column((o) => o.nextAttemptAt),
      locked_until: null,
      lease_token: null,
      last_status_code: column((o) => o.statusCode),
      last_error: column((o) => o.error?.slice(0, ERROR_LENGTH) ?? null),
      updated_at: column((o) => o.attemptedAt),
      delivered_at: column((o) => (o.status === 'delivered' ? o.attemptedAt : null)),
      ...firstColumns,
    });
  return Number(changed);
}

function sameValue(a: Value, b: Value): boolean {
  return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
}

/**
 * Per endpoint of the batch, with its attempts in time order, the same end state as taking them one by one:
 * a success closes the failure window; failures after the last success open it (at the first of them) and
 * disable the endpoint once it has lasted long enough. A skip sends nothing, so it says nothing of health.
 */
async function moveFailureWindows(knex: Knex, t: TableNames, completions: readonly Completion[]): Promise<string[]> {
  const byEndpoint = new Map<string, AttemptOutcome[]>();
  const mayBeOpen = new Set<string>();
  for (const { outcome, endpointFailing } of completions) {
    if (outcome.status === 'skipped') continue;
    if (endpointFailing !== false) mayBeOpen.add(outcome.endpointPk);
    const list = byEndpoint.get(outcome.endpointPk) ?? [];
    list.push(outcome);
    byEndpoint.set(outcome.endpointPk, list);
  }
  const disabled: string[] = [];
  const healthy: string[] = [];
  for (const [endpointPk, outcomes] of byEndpoint) {
    outcomes.sort((a, b) => a.attemptedAt.getTime() - b.attemptedAt.getTime());
    const lastSuccess = outcomes.reduce((found, o, i) => (o.status === 'delivered' ? i : found), -1);
    const failures = outcomes.slice(lastSuccess + 1);
    const endpoint = () => knex(t.endpoints).where({ pk: endpointPk });
    const [opened, last] = [failures[0], failures[failures.length - 1]];
    if (!opened || !last) {
      if (mayBeOpen.has(endpointPk)) healthy.push(endpointPk);
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
  await closeFailureWindows(knex, t, healthy);
  return disabled;
}

// One plain read for every endpoint whose last attempt of the batch succeeded and whose window may be open, then an UPDATE only for those
// with a window open (rare): an UPDATE would lock the endpoint rows on every batch, even with nothing to change.
async function closeFailureWindows(knex: Knex, t: TableNames, endpointPks: readonly string[]): Promise<void> {
  for (let start = 0; start < endpointPks.length; start += CHUNK) {
    const failing = (await knex(t.endpoints).whereIn('pk', endpointPks.slice(start, start + CHUNK)).whereNotNull('failing_since').pluck('pk')) as Array<string | number>;
    if (failing.length > 0) await knex(t.endpoints).whereIn('pk', failing).update({ failing_since: null });
  }
}
