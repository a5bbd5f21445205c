// Turns exactly-once accounting into verdicts: a duplicate or a lost postback fails the run; a slow drain does not.

import type { ExactlyOnceReport } from './ledger.js';

/** The relay's own outbox counts after it stopped. */
export interface OutboxCounts {
  pending: number;
  failed: number;
  delivered: number;
}

export interface DeliveryVerdict {
  /** Missing at the sink and not waiting in the outbox either: acknowledged and gone. */
  lost: number;
  /** Missing at the sink but still pending or failed in the outbox: the drain ran out of time, or the tracker refused. */
  notYetDelivered: number;
  failures: string[];
}

/**
 * Judges one system's postbacks. `unexpectedAllowed` covers events whose answer the load generator never saw (in
 * flight when its time ran out): they may have been stored and sent, and are not expected, but are no error.
 */
export function judgeDeliveries(label: string, report: ExactlyOnceReport, outbox: OutboxCounts | undefined, unexpectedAllowed = 0): DeliveryVerdict {
  const waiting = outbox ? outbox.pending + outbox.failed : 0;
  const notYetDelivered = Math.min(report.missing, waiting);
  const lost = report.missing - notYetDelivered;
  const failures: string[] = [];
  if (report.duplicated > 0) {
    failures.push(`${label}: ${report.duplicated} postbacks arrived more than once (${report.extraCopies} extra copies), e.g. ${report.examples.duplicated.join(', ')}`);
  }
  if (lost > 0) failures.push(`${label}: ${lost} acknowledged postbacks never arrived and are not in the outbox, e.g. ${report.examples.missing.join(', ')}`);
  if (report.unexpected > unexpectedAllowed) {
    failures.push(`${label}: ${report.unexpected} postbacks arrived that no acknowledged event asked for (at most ${unexpectedAllowed} in flight), e.g. ${report.examples.unexpected.join(', ')}`);
  }
  return { lost, notYetDelivered, failures };
}
