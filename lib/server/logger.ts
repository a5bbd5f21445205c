// The standalone server's logger: pino, one JSON object per line on stdout, levels as names, times in ISO 8601.

import { pino } from 'pino';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import type { LogLevel } from '../config/load.js';

/** A pino logger at `level` writing to stdout (or `destination`): what operators ship to their log stack. */
export function createServerLogger(level: LogLevel, destination?: DestinationStream): PinoLogger {
  const options = {
    level,
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
