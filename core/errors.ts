/**
 * Error classes with stable codes. Only composition roots translate them (HTTP status, queue retry policy).
 */
export interface AppErrorOptions {
  cause?: unknown;
  /** Extra machine-readable detail sent to API clients (e.g. the position of a query error). */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** Bad input from a user: answered with HTTP 400 and never retried. */
export class ValidationError extends AppError {}

/** A query that does not parse or names something unknown. `position` is a 0-based character offset. */
export class QuerySyntaxError extends ValidationError {
  readonly position: number;
  constructor(message: string, position: number, code = 'query_syntax') {
    super(code, message, { details: { position } });
    this.position = position;
  }
}

/** The thing asked for does not exist: HTTP 404. */
export class NotFoundError extends AppError {}

/** Retrying cannot help (malformed feed, 404/410, article without text). */
export class PermanentError extends AppError {}

/** Retrying later may help (network, 5xx, 429). */
export class TransientError extends AppError {}
