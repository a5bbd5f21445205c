// The error catalog: one class per failure kind, each with a stable `code` (documented in docs/errors.md).

/** Every error this package throws on purpose. `statusCode` is set where the error can reach an HTTP client. */
export class RelayError extends Error {
  /** A stable, documented identifier: match on this, never on `message`. */
  readonly code: string;
  /** The HTTP status the routers answer with. */
  readonly statusCode: number;
  /** The input field at fault, as a dotted path (`settings.url`), when one is. */
  readonly field: string | undefined;

  constructor(code: string, statusCode: number, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.statusCode = statusCode;
    this.field = options.field;
  }
}

/** A field of an event, endpoint or query failed its rule. Nothing was stored. */
export class ValidationError extends RelayError {
  constructor(field: string, message: string) {
    super(ERROR_CODES.ERR_PB_VALIDATION, 400, `${field}: ${message}`, { field });
  }
}

/** The request body is not JSON, or not an object. */
export class MalformedBodyError extends RelayError {
  constructor(message: string, cause?: unknown) {
    super(ERROR_CODES.ERR_PB_MALFORMED_BODY, 400, message, { cause });
  }
}

/** The request body is over the configured limit. */
export class PayloadTooLargeError extends RelayError {
  constructor(limit: string) {
    super(ERROR_CODES.ERR_PB_PAYLOAD_TOO_LARGE, 413, `request body is larger than the ${limit} limit`);
  }
}

/** The request body is not `application/json`. */
export class UnsupportedMediaTypeError extends RelayError {
  constructor(got: string | undefined) {
    super(ERROR_CODES.ERR_PB_UNSUPPORTED_MEDIA_TYPE, 415, `expected Content-Type application/json, got ${got ?? 'none'}`);
  }
}

/** No API key, or one that is not configured. */
export class UnauthorizedError extends RelayError {
  constructor(message: string) {
    super(ERROR_CODES.ERR_PB_UNAUTHORIZED, 401, message);
  }
}

/** An event reused the id of an earlier one with a different body. */
export class IdempotencyConflictError extends RelayError {
  constructor(kind: string, id: string) {
    super(
      ERROR_CODES.ERR_PB_IDEMPOTENCY_CONFLICT,
      409,
      `${kind} "${id}" was already recorded with a different body; send a new id for a new event`,
      { field: 'id' },
    );
  }
}

/** A commission names a lead, or an adjustment a commission, that was never recorded. */
export class UnknownReferenceError extends RelayError {
  constructor(field: 'leadId' | 'commissionId', id: string) {
    const what = field === 'leadId' ? 'lead' : 'commission';
    super(
      field === 'leadId' ? ERROR_CODES.ERR_PB_UNKNOWN_LEAD : ERROR_CODES.ERR_PB_UNKNOWN_COMMISSION,
      422,
      `${field}: no ${what} with id "${id}" was recorded; record the ${what} first`,
      { field },
    );
  }
}

/** An adjustment would take a commission below zero. */
export class NegativeAmountError extends RelayError {
  constructor(result: string) {
    super(
      ERROR_CODES.ERR_PB_NEGATIVE_AMOUNT,
      422,
      `the adjustment would leave the commission at ${result}; a commission can go down to 0, not below`,
      { field: 'delta' },
    );
  }
}

/** No endpoint (or other addressed resource) with that id. */
export class NotFoundError extends RelayError {
  constructor(what: string, id: string) {
    super(ERROR_CODES.ERR_PB_NOT_FOUND, 404, `no ${what} with id "${id}"`);
  }
}

/** The database could not be reached, so nothing was stored; the client should retry later with the same id. */
export class StoreUnavailableError extends RelayError {
  constructor(cause: unknown) {
    super(ERROR_CODES.ERR_PB_STORE_UNAVAILABLE, 503, 'the database is unavailable; nothing was stored, retry later with the same id', { cause });
  }
}

/** An endpoint names a formatter plugin that is not registered. */
export class UnknownPluginError extends RelayError {
  constructor(name: string, known: readonly string[]) {
    super(ERROR_CODES.ERR_PB_UNKNOWN_PLUGIN, 400, `plugin: "${name}" is not registered (registered: ${known.join(', ')})`, {
      field: 'plugin',
    });
  }
}

/** A formatter plugin refused an endpoint's settings. `field` is `settings.<name>`. */
export class PluginSettingsError extends RelayError {
  constructor(setting: string, message: string) {
    super(ERROR_CODES.ERR_PB_INVALID_SETTINGS, 400, `settings.${setting}: ${message}`, { field: `settings.${setting}` });
  }
}

/** A plugin object does not have the shape of a formatter plugin, or its name is taken. */
export class InvalidPluginError extends RelayError {
  constructor(message: string) {
    super(ERROR_CODES.ERR_PB_INVALID_PLUGIN, 500, message);
  }
}

/** An option given to `createPostbackRelay` (or another factory) is wrong. Thrown at creation time. */
export class InvalidOptionError extends RelayError {
  constructor(option: string, message: string) {
    super(ERROR_CODES.ERR_PB_INVALID_OPTION, 500, `option ${option}: ${message}`, { field: option });
  }
}

/** The server's configuration (environment, config file) is invalid. */
export class ConfigError extends RelayError {
  constructor(message: string, cause?: unknown) {
    super(ERROR_CODES.ERR_PB_INVALID_CONFIG, 500, message, { cause });
  }
}

/** A valid API key without the scope the route needs (`events` or `admin`). */
export class ForbiddenScopeError extends RelayError {
  constructor(scope: string) {
    super(ERROR_CODES.ERR_PB_FORBIDDEN_SCOPE, 403, `this API key lacks the "${scope}" scope; use a key with scope ${scope}`);
  }
}

/** Request signing is on and the signature is missing, wrong, or its timestamp is outside the tolerance window. */
export class InvalidSignatureError extends RelayError {
  constructor(message: string) {
    super(ERROR_CODES.ERR_PB_INVALID_SIGNATURE, 401, message);
  }
}

/** Too many requests from one client address; `retryAfterSeconds` says when to try again. */
export class RateLimitedError extends RelayError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(ERROR_CODES.ERR_PB_RATE_LIMITED, 429, `too many requests; retry after ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The SSRF guard refused a postback target: it resolved to a non-public address that is not allowlisted. */
export class BlockedTargetError extends RelayError {
  constructor(message: string) {
    super(ERROR_CODES.ERR_PB_BLOCKED_TARGET, 422, message);
  }
}

/** A dashboard form was posted without a valid form token, or from another site: refused before it changed anything. */
export class CsrfError extends RelayError {
  constructor(message: string) {
    super(ERROR_CODES.ERR_PB_CSRF, 403, message);
  }
}

/** An affiliate portal link (or the session it opened) is missing, altered, expired, or signed with a secret no longer configured. */
export class InvalidPortalLinkError extends RelayError {
  constructor(message: string) {
    super(ERROR_CODES.ERR_PB_PORTAL_LINK, 401, message);
  }
}

/** An affiliate already has as many endpoints as the host allows (`portal.maxEndpoints`). */
export class EndpointLimitError extends RelayError {
  constructor(max: number) {
    super(ERROR_CODES.ERR_PB_ENDPOINT_LIMIT, 409, `an affiliate may have at most ${max} endpoint(s); disable or reuse one`);
  }
}

/** The host turned off what an affiliate asked the portal to do (e.g. replay, with `portal.allowReplay: false`). */
export class PortalActionDisabledError extends RelayError {
  constructor(action: string) {
    super(ERROR_CODES.ERR_PB_PORTAL_ACTION_DISABLED, 403, `${action} is turned off for affiliates on this platform`);
  }
}

/** The ingest queue is full (the database is not keeping up): nothing was stored; retry after `retryAfterSeconds` with the same id. */
export class IngestOverloadedError extends RelayError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds = 1) {
    super(ERROR_CODES.ERR_PB_INGEST_OVERLOADED, 503, `too many events are waiting to be stored; nothing was stored, retry after ${retryAfterSeconds} s with the same id`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A package the asked-for feature needs is not installed (better-sqlite3 for a SQLite database). */
export class MissingDependencyError extends RelayError {
  /** The npm package to install. */
  readonly packageName: string;

  constructor(packageName: string, message: string) {
    super(ERROR_CODES.ERR_PB_MISSING_DEPENDENCY, 500, message);
    this.packageName = packageName;
  }
}

/** Migrations could not start: another instance held the migration lock for the whole wait (or a dead migrator left knex's lock taken). */
export class MigrationLockedError extends RelayError {
  constructor(message: string, cause?: unknown) {
    super(ERROR_CODES.ERR_PB_MIGRATION_LOCKED, 503, message, cause === undefined ? undefined : { cause });
  }
}

/** An operator's decision (send again, mark delivered) named a delivery that is not waiting as `unconfirmed`. */
export class NotUnconfirmedError extends RelayError {
  constructor(id: string, status: string) {
    super(ERROR_CODES.ERR_PB_NOT_UNCONFIRMED, 409, `delivery ${id} is ${status}, not unconfirmed: there is nothing to decide`);
  }
}

/** Every stable error code, keyed by itself. */
export const ERROR_CODES = {
  ERR_PB_VALIDATION: 'ERR_PB_VALIDATION',
  ERR_PB_MALFORMED_BODY: 'ERR_PB_MALFORMED_BODY',
  ERR_PB_PAYLOAD_TOO_LARGE: 'ERR_PB_PAYLOAD_TOO_LARGE',
  ERR_PB_UNSUPPORTED_MEDIA_TYPE: 'ERR_PB_UNSUPPORTED_MEDIA_TYPE',
  ERR_PB_UNAUTHORIZED: 'ERR_PB_UNAUTHORIZED',
  ERR_PB_IDEMPOTENCY_CONFLICT: 'ERR_PB_IDEMPOTENCY_CONFLICT',
  ERR_PB_UNKNOWN_LEAD: 'ERR_PB_UNKNOWN_LEAD',
  ERR_PB_UNKNOWN_COMMISSION: 'ERR_PB_UNKNOWN_COMMISSION',
  ERR_PB_NEGATIVE_AMOUNT: 'ERR_PB_NEGATIVE_AMOUNT',
  ERR_PB_NOT_FOUND: 'ERR_PB_NOT_FOUND',
  ERR_PB_UNKNOWN_PLUGIN: 'ERR_PB_UNKNOWN_PLUGIN',
  ERR_PB_INVALID_SETTINGS: 'ERR_PB_INVALID_SETTINGS',
  ERR_PB_INVALID_PLUGIN: 'ERR_PB_INVALID_PLUGIN',
  ERR_PB_INVALID_OPTION: 'ERR_PB_INVALID_OPTION',
  ERR_PB_INVALID_CONFIG: 'ERR_PB_INVALID_CONFIG',
  ERR_PB_STORE_UNAVAILABLE: 'ERR_PB_STORE_UNAVAILABLE',
  ERR_PB_INTERNAL: 'ERR_PB_INTERNAL',
  ERR_PB_FORBIDDEN_SCOPE: 'ERR_PB_FORBIDDEN_SCOPE',
  ERR_PB_INVALID_SIGNATURE: 'ERR_PB_INVALID_SIGNATURE',
  ERR_PB_RATE_LIMITED: 'ERR_PB_RATE_LIMITED',
  ERR_PB_BLOCKED_TARGET: 'ERR_PB_BLOCKED_TARGET',
  ERR_PB_CSRF: 'ERR_PB_CSRF',
  ERR_PB_PORTAL_LINK: 'ERR_PB_PORTAL_LINK',
  ERR_PB_ENDPOINT_LIMIT: 'ERR_PB_ENDPOINT_LIMIT',
  ERR_PB_PORTAL_ACTION_DISABLED: 'ERR_PB_PORTAL_ACTION_DISABLED',
  ERR_PB_INGEST_OVERLOADED: 'ERR_PB_INGEST_OVERLOADED',
  ERR_PB_MISSING_DEPENDENCY: 'ERR_PB_MISSING_DEPENDENCY',
  ERR_PB_MIGRATION_LOCKED: 'ERR_PB_MIGRATION_LOCKED',
  ERR_PB_NOT_UNCONFIRMED: 'ERR_PB_NOT_UNCONFIRMED',
} as const;

/** One of the documented error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;
