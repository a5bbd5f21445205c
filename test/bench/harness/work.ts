// Work per postback and per event: MariaDB's own counters (SHOW GLOBAL STATUS deltas) and the relay's CPU time
// (/proc/<pid>/stat). Counts, unlike rates, hold from machine to machine; the arithmetic here is pure and tested.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import knexFactory from 'knex';
import { knexConfigForUrl } from '../../../lib/store/database.js';
import { formatCount } from './table.js';

/** The global status counters the bench reads. */
export const STATUS_COUNTERS = [
  'Questions',
  'Com_select',
  'Com_insert',
  'Com_update',
  'Com_delete',
  'Innodb_rows_inserted',
  'Innodb_rows_updated',
  'Innodb_rows_deleted',
  'Handler_write',
  'Handler_update',
  'Handler_delete',
  'Innodb_data_written',
  'Innodb_os_log_written',
  'Innodb_data_fsyncs',
] as const;
export type StatusCounter = (typeof STATUS_COUNTERS)[number];
export type StatusCounters = Record<StatusCounter, number>;

/** The counters out of `SHOW GLOBAL STATUS` rows; a counter the server does not have reads 0. */
export function parseStatusRows(rows: ReadonlyArray<{ Variable_name: string; Value: string | number }>): StatusCounters {
  const byName = new Map(rows.map((row) => [row.Variable_name.toLowerCase(), Number(row.Value)]));
  return Object.fromEntries(STATUS_COUNTERS.map((name) => [name, byName.get(name.toLowerCase()) ?? 0])) as StatusCounters;
}

/**
 * `after - before`, less what the measuring itself added: each `SHOW GLOBAL STATUS` counts as one question (and as
 * no DML statement), and `ownQuestions` names how many were read between the two snapshots, the second included.
 */
export function statusDelta(before: StatusCounters, after: StatusCounters, ownQuestions: number): StatusCounters {
  const delta = Object.fromEntries(STATUS_COUNTERS.map((name) => [name, after[name] - before[name]])) as StatusCounters;
  delta.Questions = Math.max(0, delta.Questions - ownQuestions);
  return delta;
}

/** One unit's share (a delivered postback, an ingested event) of the database's and the relay's work. */
export interface WorkPerUnit {
  units: number;
  /** SELECT, INSERT, UPDATE and DELETE statements. */
  statements: number;
  /** Every statement the server took, BEGIN and COMMIT included. */
  questions: number;
  selects: number;
  inserts: number;
  updates: number;
  deletes: number;
  /**
   * Rows inserted, updated or deleted: InnoDB's own counts where the server has them (MySQL, MariaDB 11), the
   * handler's (temporary tables included) on MariaDB 10, which has no Innodb_rows_* counters.
   */
  rowsWritten: number;
  /** Bytes InnoDB wrote to its data files, and to its redo log. */
  dataBytes: number;
  redoBytes: number;
  fsyncs: number;
  /** The relay's user + system CPU time, microseconds; null when it was not read. */
  cpuUs: number | null;
}

/** The delta and CPU time divided over `units`; undefined for no units (nothing to divide by). */
export function workPerUnit(delta: StatusCounters, cpuUs: number | null, units: number): WorkPerUnit | undefined {
  if (!(units > 0)) return undefined;
  const per = (value: number) => value / units;
  const innodbRows = delta.Innodb_rows_inserted + delta.Innodb_rows_updated + delta.Innodb_rows_deleted;
  return {
    units,
    statements: per(delta.Com_select + delta.Com_insert + delta.Com_update + delta.Com_delete),
    questions: per(delta.Questions),
    selects: per(delta.Com_select),
    inserts: per(delta.Com_insert),
    updates: per(delta.Com_update),
    deletes: per(delta.Com_delete),
    rowsWritten: per(innodbRows > 0 ? innodbRows : delta.Handler_write + delta.Handler_update + delta.Handler_delete),
    dataBytes: per(delta.Innodb_data_written),
    redoBytes: per(delta.Innodb_os_log_written),
    fsyncs: per(delta.Innodb_data_fsyncs),
    cpuUs: cpuUs === null ? null : per(cpuUs),
  };
}

/** `0.17 stmt (0.02 sel, 0.10 upd), 2.1 rows, 4.1 KB redo, 0.05 fsync, 310 us CPU` */
export function formatWork(work: WorkPerUnit | undefined): string {
  if (!work) return '-';
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  return [
    `${work.statements.toFixed(2)} stmt (${work.selects.toFixed(2)} sel, ${work.inserts.toFixed(2)} ins, ${work.updates.toFixed(2)} upd)`,
    `${work.rowsWritten.toFixed(2)} rows`,
    `${kb(work.redoBytes)} redo, ${kb(work.dataBytes)} data`,
    `${work.fsyncs.toFixed(2)} fsync`,
    `${work.cpuUs === null ? '-' : formatCount(work.cpuUs)} us CPU`,
  ].join(', ');
}

/** A system's CPU time per unit: its own process's, its server's (MariaDB, Redis) and both; null where unread. */
export interface CpuPerUnit {
  process: number | null;
  server: number | null;
  total: number | null;
}

/** Each CPU time (microseconds) divided over `units`; undefined for no units. */
export function cpuPerUnit(processUs: number | null, serverUs: number | null, units: number): CpuPerUnit | undefined {
  if (!(units > 0)) return undefined;
  const per = (value: number | null) => (value === null ? null : value / units);
  return { process: per(processUs), server: per(serverUs), total: processUs === null || serverUs === null ? null : (processUs + serverUs) / units };
}

/** `relay 367 + MariaDB 95 = 462 us`; a dash for what was not read. */
export function formatCpuPerUnit(name: string, serverName: string, cpu: CpuPerUnit | undefined): string {
  return `${name} ${formatCount(cpu?.process ?? null)} + ${serverName} ${formatCount(cpu?.server ?? null)} = ${formatCount(cpu?.total ?? null)} us`;
}

/** User + system CPU clock ticks out of a /proc/<pid>/stat text (fields 14 and 15, counted after the `(comm)`). */
export function parseProcStatTicks(text: string): number | undefined {
  // The command name may hold spaces and parentheses: the fields start after its last `)`.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so fields 14 and 15 are rest[11] and rest[12].
  const [utime, stime] = [Number(rest[11]), Number(rest[12])];
  return Number.isInteger(utime) && Number.isInteger(stime) ? utime + stime : undefined;
}

let ticksPerSecond: number | undefined;

/** A process's CPU time so far, in microseconds; undefined once it has gone (or off Linux). */
export function readCpuUs(pid: number): number | undefined {
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    const ticks = parseProcStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return ticks === undefined ? undefined : (ticks * 1e6) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * Snapshots the server's counters now; `stop()` gives the delta since. The counters are global: whatever else runs
 * on the same server meanwhile counts too, so the bench's server should be its own.
 */
export async function startStatusMeter(url: string): Promise<{ stop(): Promise<StatusCounters> }> {
  const config = knexConfigForUrl(url);
  const knex = knexFactory({ ...config, pool: { ...config.pool, min: 1, max: 1 } });
  const read = async () => {
    const [rows] = (await knex.raw('show global status')) as [Array<{ Variable_name: string; Value: string }>];
    return parseStatusRows(rows);
  };
  try {
    const before = await read();
    return {
      async stop() {
        try {
          return statusDelta(before, await read(), 1);
        } finally {
          await knex.destroy();
        }
      },
    };
  } catch (error) {
    await knex.destroy();
    throw error;
  }
}

/** CPU time a process spends from now until `stop()`, microseconds; null when it could not be read (or no pid). */
export function startCpuMeter(pid: number | undefined): { stop(): number | null } {
  if (pid === undefined) return { stop: () => null };
  const before = readCpuUs(pid);
  return {
    stop() {
      const after = readCpuUs(pid);
      return before === undefined || after === undefined ? null : after - before;
    },
  };
}
