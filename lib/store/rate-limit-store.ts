// express-rate-limit's Store on the relay's own database: every instance on that database shares the counts.

import type { Knex } from 'knex';
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';

interface CountRow {
  hits: number | string;
  reset_at: number | string;
}

/** Fixed windows per client key in `<prefix>rate_limits`; rows of ended windows are deleted once per window. */
export class KnexRateLimitStore implements Store {
  readonly #knex: Knex;
  readonly #table: string;
  readonly #now: () => number;
  #windowMs = 60_000;
  #nextPurgeAt = 0;
  /** Keys of limiters sharing the table are kept apart by this prefix. */
  readonly prefix: string;
  /** Counts are shared with other processes. */
  readonly localKeys = false;

  constructor(knex: Knex, table: string, prefix: string, now: () => number = Date.now) {
    this.#knex = knex;
    this.#table = table;
    this.prefix = prefix;
    this.#now = now;
  }

  init(options: Options): void {
    this.#windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.#knex<CountRow>(this.#table).where('client_key', this.prefix + key).first('hits', 'reset_at');
    if (row === undefined || Number(row.reset_at) <= this.#now()) return undefined;
    return { totalHits: Number(row.hits), resetTime: new Date(Number(row.reset_at)) };
  }

  async increment(key: string): Promise<IncrementResponse> {
    const at = this.#now();
    const clientKey = this.prefix + key;
    if (at >= this.#nextPurgeAt) {
      this.#nextPurgeAt = at + this.#windowMs;
      await this.#knex(this.#table).where('reset_at', '<=', at).delete();
    }
    // One statement, so concurrent requests from several instances never lose a count. The hits expression comes
    // first: MySQL evaluates the assignments in order, and it must read the window's end before that is moved.
    await this.#knex(this.#table)
      .insert({ client_key: clientKey, hits: 1, reset_at: at + this.#windowMs })
      .onConflict('client_key')
      .merge({
        hits: this.#knex.raw('case when reset_at <= ? then 1 else hits + 1 end', [at]),
        reset_at: this.#knex.raw('case when reset_at <= ? then ? else reset_at end', [at, at + this.#windowMs]),
      });
    const row = await this.#knex<CountRow>(this.#table).where('client_key', clientKey).first('hits', 'reset_at');
    return { totalHits: Number(row?.hits ?? 1), resetTime: new Date(Number(row?.reset_at ?? at + this.#windowMs)) };
  }

  async decrement(key: string): Promise<void> {
    await this.#knex(this.#table).where('client_key', this.prefix + key).andWhere('hits', '>', 0).decrement('hits', 1);
  }

  async resetKey(key: string): Promise<void> {
    await this.#knex(this.#table).where('client_key', this.prefix + key).delete();
  }
}
