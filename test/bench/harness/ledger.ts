// Exactly-once accounting: the sink counts each postback by its key; the bench compares the counts with what it expected.

/** What identifies one postback: the scenario, the endpoint it was meant for, and its transaction ID. */
export function postbackKey(scenario: string, endpoint: string, transactionId: string): string {
  return `${scenario}|${endpoint}|${transactionId}`;
}

/** The key of a received postback's query (`s`, `ep`, `txid`), or undefined when it lacks one of them. */
export function keyOfQuery(query: URLSearchParams): string | undefined {
  const scenario = query.get('s');
  const endpoint = query.get('ep');
  const transactionId = query.get('txid');
  return scenario && endpoint && transactionId ? postbackKey(scenario, endpoint, transactionId) : undefined;
}

/** One key as the sink saw it: how often, and when it first and last arrived (wall ms). */
export type LedgerEntry = [key: string, count: number, firstAt: number, lastAt: number];

/** What the sink received; a request without a key is counted as malformed. */
export class DeliveryLedger {
  readonly #entries = new Map<string, LedgerEntry>();
  #received = 0;
  #malformed = 0;
  #firstAt: number | null = null;
  #lastAt: number | null = null;

  record(key: string | undefined, at: number): void {
    this.#received += 1;
    this.#firstAt ??= at;
    this.#lastAt = at;
    if (key === undefined) {
      this.#malformed += 1;
      return;
    }
    const entry = this.#entries.get(key);
    if (entry) {
      entry[1] += 1;
      entry[3] = at;
    } else {
      this.#entries.set(key, [key, 1, at, at]);
    }
  }

  /** Counts, and when the first and the last request arrived. */
  stats(): { received: number; unique: number; malformed: number; firstAt: number | null; lastAt: number | null } {
    return { received: this.#received, unique: this.#entries.size, malformed: this.#malformed, firstAt: this.#firstAt, lastAt: this.#lastAt };
  }

  entries(): LedgerEntry[] {
    return [...this.#entries.values()];
  }

  reset(): void {
    this.#entries.clear();
    this.#received = 0;
    this.#malformed = 0;
    this.#firstAt = null;
    this.#lastAt = null;
  }
}

/** How a run's postbacks compare with the ones it expected. */
export interface ExactlyOnceReport {
  expected: number;
  /** Expected keys that arrived exactly once. */
  exactlyOnce: number;
  /** Expected keys that arrived more than once, and the surplus copies. */
  duplicated: number;
  extraCopies: number;
  /** Expected keys that never arrived. */
  missing: number;
  /** Keys that arrived without being expected (each counted once, however often it came). */
  unexpected: number;
  /** A few offending keys, to start looking from. */
  examples: { duplicated: string[]; missing: string[]; unexpected: string[] };
}

const EXAMPLES = 5;

/** Compares the sink's entries with the expected keys. */
export function accountExactlyOnce(expected: Iterable<string>, received: readonly LedgerEntry[]): ExactlyOnceReport {
  const counts = new Map(received.map(([key, count]) => [key, count]));
  const report: ExactlyOnceReport = { expected: 0, exactlyOnce: 0, duplicated: 0, extraCopies: 0, missing: 0, unexpected: 0, examples: { duplicated: [], missing: [], unexpected: [] } };
  const note = (list: string[], key: string) => {
    if (list.length < EXAMPLES) list.push(key);
  };
  const seen = new Set<string>();
  for (const key of expected) {
    if (seen.has(key)) continue;
    seen.add(key);
    report.expected += 1;
    const count = counts.get(key) ?? 0;
    if (count === 0) {
      report.missing += 1;
      note(report.examples.missing, key);
    } else if (count === 1) {
      report.exactlyOnce += 1;
    } else {
      report.duplicated += 1;
      report.extraCopies += count - 1;
      note(report.examples.duplicated, key);
    }
  }
  for (const [key] of received) {
    if (seen.has(key)) continue;
    report.unexpected += 1;
    note(report.examples.unexpected, key);
  }
  return report;
}
