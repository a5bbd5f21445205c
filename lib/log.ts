// Logging: the pino-compatible logger a host passes, the relay's internal logger over it, and the fallback when none is given.

/** Structured fields for one log line. Never put a postback URL with its query here: it can hold secrets. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The logger a host passes as `logger`: pino (`pino()`, or a child such as `app.log.child({ module: 'postbacks' })`),
 * or anything with pino's calling convention, fields first and the message second.
 */
export interface HostLogger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

/** The relay's internal logger: the message first, which reads better at the call sites. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** True when `value` has the four methods of a {@link HostLogger}. */
export function isHostLogger(value: unknown): value is HostLogger {
  return typeof value === 'object' && value !== null && LEVELS.every((level) => typeof (value as Record<string, unknown>)[level] === 'function');
}

/** The internal logger writing to a host's pino-compatible one. */
export function fromHostLogger(host: HostLogger): Logger {
  return {
    debug: (message, fields = {}) => { host.debug(fields, message); },
    info: (message, fields = {}) => { host.info(fields, message); },
    warn: (message, fields = {}) => { host.warn(fields, message); },
    error: (message, fields = {}) => { host.error(fields, message); },
  };
}

/**
 * The logger of a relay given none: each distinct warning or error (a configuration problem such as a MySQL
 * connection not in UTC, a failing database, an undelivered postback) is emitted once as a process warning
 * (`process.emitWarning`, printed by Node on stderr unless the host listens for 'warning'), so it reaches someone
 * without flooding; debug and info lines are dropped. Pass `logger` to see every line.
 */
export function createWarningLogger(emit: (warning: Error) => void = (warning) => { process.emitWarning(warning); }): Logger {
  const seen = new Set<string>();
  const once = (message: string, fields: LogFields = {}) => {
    if (seen.has(message)) return;
    seen.add(message);
    const warning = new Error(`${message}${Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''} (reported once; pass a logger to createPostbackRelay to see every occurrence)`);
    warning.name = 'PostbackRelayWarning';
    emit(warning);
  };
  return { debug: () => undefined, info: () => undefined, warn: once, error: once };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A short, safe description of an error for logs: its code and message, no stack, no URL. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
