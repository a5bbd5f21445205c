// The CLI's exit codes: stable, documented in docs/operations.md, so scripts can branch on them.

export const EXIT = {
  /** Done. */
  OK: 0,
  /** Something failed at run time: the database did not answer, a migration failed, an unexpected error. */
  FAILURE: 1,
  /** The command line is wrong (unknown command or option, missing argument) or the relay refused the input. */
  USAGE: 2,
  /** The configuration (environment, config file) is invalid. */
  CONFIG: 3,
  /** The endpoint or delivery named does not exist. */
  NOT_FOUND: 4,
  /** `send-test`: the tracker did not answer 2xx. */
  NOT_DELIVERED: 5,
} as const;

/** Thrown by a command to end with a message and a given exit code. */
export class CliExit extends Error {
  readonly exitCode: number;

  constructor(exitCode: number, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}
