// The dashboard's error answers: an HTML page for people, the API's JSON shape for the preview route the script calls.

import type { ErrorRequestHandler } from 'express';
import { RelayError, StoreUnavailableError } from '../errors.js';
import { errorHandler, fromBodyParser } from '../http/errors.js';
import type { Logger } from '../log.js';
import { describeError } from '../log.js';
import { isStoreUnavailable } from '../store/errors.js';
import { html } from './html.js';
import { page } from './layout.js';
import type { PageContext } from './layout.js';

/** Known errors answer with their status and message; anything else is logged and answers 500 without details. */
export function dashboardErrorHandler(logger: Logger, bodyLimit: string, context: (req: Parameters<ErrorRequestHandler>[1]) => PageContext, jsonPaths: readonly string[]): ErrorRequestHandler {
  const json = errorHandler(logger, bodyLimit);
  return function dashboardError(error: unknown, req, res, next) {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (jsonPaths.includes(req.path)) {
      json(error, req, res, next);
      return;
    }
    // body-parser's own errors (a body over the limit, too many fields, a bad encoding) map as the API's do.
    const known = error instanceof RelayError ? error : isStoreUnavailable(error) ? new StoreUnavailableError(error) : fromBodyParser(error, bodyLimit);
    const status = known?.statusCode ?? 500;
    if (status === 500) logger.error('dashboard request failed', { error: describeError(error) });
    const message = known?.message ?? 'Something went wrong; the error is logged. Try again.';
    res.status(status).type('html').send(page(context(req), undefined, status === 404 ? 'Not found' : `Error ${status}`, html`<p class="alert" role="alert">${message}</p>`).toString());
  };
}

