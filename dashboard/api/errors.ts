/**
 * Turns every failure into an ErrorResponse body with a fitting status: zod failures and ValidationError
 * → 400, QuerySyntaxError → 400 with the position, NotFoundError → 404, anything else → 500 (logged).
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../../core/logger.ts';
import { NotFoundError, QuerySyntaxError, ValidationError } from '../../core/errors.ts';
import type { ErrorResponse } from './schemas.ts';

/** The part of a zod issue this module reads; structural so zod 3 and 4 issues both fit. */
interface IssueLike {
  code: string;
  path: readonly PropertyKey[];
  message: string;
}

/** What @hono/zod-validator hands to a hook. */
interface ValidationResultLike {
  success: boolean;
  error?: { issues: readonly IssueLike[] };
  target: string;
}

function describeIssue(issue: IssueLike): string {
  // zod's wording for a missing value ("expected string, received undefined") reads badly in an API error.
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'is required';
  return issue.message;
}

/** A ValidationError for a bad request parameter or body field, naming it in `param`. */
export function invalidRequest(param: string, problem: string): ValidationError {
  return new ValidationError('invalid_request', `${param}: ${problem}`, { details: { param } });
}

/**
 * Hook for zValidator: throws the first zod issue as an `invalid_request` ValidationError, so the one
 * error handler writes the body. Returns nothing on success (the validated data passes through).
 */
export function zodHook(result: ValidationResultLike): void {
  if (result.success) return;
  const issue = result.error?.issues[0];
  const fallback = result.target === 'json' ? 'body' : result.target;
  if (!issue) throw invalidRequest(fallback, 'is invalid');
  const param = issue.path.length > 0 ? issue.path.map(String).join('.') : fallback;
  if (issue.path.length === 0 && result.target === 'json') throw invalidRequest('body', 'must be a JSON object');
  throw invalidRequest(param, describeIssue(issue));
}

/** Maps an error to its HTTP status and ErrorResponse body. Unknown errors get a generic message. */
export function toErrorResponse(err: unknown): { status: ContentfulStatusCode; body: ErrorResponse } {
  if (err instanceof QuerySyntaxError) {
    const param = typeof err.details?.param === 'string' ? err.details.param : 'q';
    return { status: 400, body: { error: { code: err.code, message: err.message, position: err.position, param } } };
  }
  if (err instanceof ValidationError) {
    const param = err.details?.param;
    const position = err.details?.position;
    return {
      status: 400,
      body: {
        error: {
          code: err.code,
          message: err.message,
          ...(typeof position === 'number' ? { position } : {}),
          ...(typeof param === 'string' ? { param } : {}),
        },
      },
    };
  }
  if (err instanceof NotFoundError) return { status: 404, body: { error: { code: err.code, message: err.message } } };
  if (err instanceof HTTPException) {
    // Raised by hono itself, e.g. for malformed JSON or a body over the size limit.
    const status = err.status as ContentfulStatusCode;
    const code = status === 413 ? 'payload_too_large' : status === 400 ? 'invalid_request' : `http_${status}`;
    return { status, body: { error: { code, message: err.message || `HTTP ${status}` } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error; see the server log' } } };
}

/** `app.onError` handler: answers with ErrorResponse and logs only what is the server's fault. */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (err: unknown, c: Context) => {
    const { status, body } = toErrorResponse(err);
    // 4xx answers are the client's business; only failures of the server itself go to the log.
    if (status >= 500) logger.error({ err, method: c.req.method, path: c.req.path }, 'api request failed');
    return c.json(body, status);
  };
}

/** `app.notFound` handler for unknown /api paths. */
export const notFoundHandler: NotFoundHandler = (c) =>
  c.json({ error: { code: 'not_found', message: `no such endpoint: ${c.req.method} ${c.req.path}` } } satisfies ErrorResponse, 404);
