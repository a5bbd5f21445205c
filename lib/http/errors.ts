// Turns every error that reaches the router into `{error:{code,message,field}}` with the right status.

import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ERROR_CODES, IngestOverloadedError, MalformedBodyError, PayloadTooLargeError, RelayError, StoreUnavailableError, UnsupportedMediaTypeError } from '../errors.js';
import { isStoreUnavailable } from '../store/errors.js';
import type { Logger } from '../log.js';
import { describeError } from '../log.js';

/**
 * body-parser marks its errors with `type`, and some (a corrupt or truncated gzip body: zlib's own error) with
 * only a 4xx `status`; map both onto our catalog, so no body the client sent answers 500.
 */
export function fromBodyParser(error: unknown, limit: string): RelayError | undefined {
  const { type, status } = (typeof error === 'object' && error !== null ? error : {}) as { type?: unknown; status?: unknown };
  switch (type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(limit);
    case 'entity.parse.failed':
      return new MalformedBodyError('the request body is not valid JSON', error);
    // The client went away mid-body: nothing was recorded, and nobody is left to read the answer.
    case 'request.aborted':
      return new MalformedBodyError('the request was aborted before its body arrived', error);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError('an unsupported encoding or charset');
    case 'parameters.too.many':
      return new MalformedBodyError('the form has too many fields', error);
    default:
      if (typeof status === 'number' && status >= 400 && status < 500) {
        return new MalformedBodyError('the request body could not be read (is its Content-Encoding right?)', error);
      }
      return undefined;
  }
}

/** The router's last handler: known errors answer with their code, anything else with a logged 500. */
export function errorHandler(logger: Logger, bodyLimit: string): ErrorRequestHandler {
  return function relayErrorHandler(error: unknown, _req, res, next) {
    if (res.headersSent) {
      next(error);
      return;
    }
    const known =
      error instanceof RelayError
        ? error
        : isStoreUnavailable(error)
          ? new StoreUnavailableError(error)
          : fromBodyParser(error, bodyLimit);
    if (known) {
      if (known instanceof IngestOverloadedError) res.set('Retry-After', String(known.retryAfterSeconds));
      res.status(known.statusCode).json({ error: { code: known.code, message: known.message, field: known.field ?? null } });
      return;
    }
    logger.error('request failed', { error: describeError(error) });
    res.status(500).json({ error: { code: ERROR_CODES.ERR_PB_INTERNAL, message: 'internal error; the request may not have been applied, retry it with the same id', field: null } });
  };
}

/** Refuses a body that is not JSON before it is parsed. */
export const requireJson: RequestHandler = function requireJson(req, _res, next) {
  // Many clients send `Content-Length: 0` on a POST without a body (a replay): that is no body, of no type.
  const length = req.get('content-length');
  const hasBody = (length !== undefined && length !== '0') || req.get('transfer-encoding') !== undefined;
  next(hasBody && !req.is('application/json') ? new UnsupportedMediaTypeError(req.get('content-type')) : undefined);
};
