// The host's hooks as the dispatcher calls them: a logger or a metrics callback that throws cannot break delivery.

import { describeError } from '../log.js';
import type { LogFields, Logger } from '../log.js';

/** A logger whose every call swallows what the host's logger throws: a log line is never worth a lost attempt. */
export function guardedLogger(logger: Logger): Logger {
  const guard =
    (level: keyof Logger) =>
    (message: string, fields?: LogFields): void => {
      try {
        logger[level](message, fields);
      } catch {
        // Nowhere left to report it: the logger is what failed.
      }
    };
  return { debug: guard('debug'), info: guard('info'), warn: guard('warn'), error: guard('error') };
}

/** Wraps a host callback so that what it throws is logged, never raised into the dispatcher. */
export function guardedHook<A extends unknown[]>(name: string, hook: ((...args: A) => void) | undefined, logger: Logger): (...args: A) => void {
  return (...args) => {
    if (!hook) return;
    try {
      hook(...args);
    } catch (error) {
      logger.error(`the ${name} hook threw; delivery goes on`, { error: describeError(error) });
    }
  };
}
