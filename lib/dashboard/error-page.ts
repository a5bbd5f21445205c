// The dashboard's error answers: an HTML page for people, the API's JSON shape for the preview route the script calls.

import type { ErrorRequestHandler } from 'express';
import { RelayError, StoreUnavailableError } from '../errors.js';
import { errorHandler } from '../http/errors.js';
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
    const known = error instanceof RelayError ? error : isStoreUnavailable(error) ? new StoreUnavailableError(error) : undefined;
    // body-parser's own errors (a body over the limit, a bad encoding) carry a 4xx `status`.
    const status = known?.statusCode ?? clientStatus(error) ?? 500;
    if (status === 500) logger.error('dashboard request failed', { error: describeError(error) });
    const message = known?.message ?? (status === 500 ? 'Something went wrong; the error is logged. Try again.' : 'The request was refused.');
    res.status(status).type('html').send(page(context(req), undefined, status === 404 ? 'Not found' : `Error ${status}`, html`<p class="alert" role="alert">${message}</p>`).toString());
  };
}

function clientStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
