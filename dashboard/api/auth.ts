/**
 * Write protection for the API: when the server listens beyond loopback, every non-GET request needs the
 * configured bearer token. Reads stay open so a shared dashboard works without credentials.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { ErrorResponse } from './schemas.ts';

export interface AuthOptions {
  requireToken: boolean;
  apiToken?: string;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Constant-time comparison; hashing first makes the lengths equal so the length leaks nothing either. */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/**
 * Middleware for /api/*: 401 for a write without the right token, 403 when a token is required but none
 * is configured (the server cannot accept writes at all until API_TOKEN is set).
 */
export function requireWriteToken(options: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    if (!options.requireToken || READ_METHODS.has(c.req.method)) return next();
    if (!options.apiToken) {
      const body: ErrorResponse = {
        error: {
          code: 'forbidden',
          message: 'writes are disabled because the server listens on a non-loopback address; set API_TOKEN to enable them',
        },
      };
      return c.json(body, 403);
    }
    const given = bearerToken(c.req.header('Authorization'));
    if (given === null || !tokensMatch(given, options.apiToken)) {
      const body: ErrorResponse = {
        error: { code: 'unauthorized', message: 'this request needs the header "Authorization: Bearer <API_TOKEN>"' },
      };
      c.header('WWW-Authenticate', 'Bearer realm="narrative-monitor"');
      return c.json(body, 401);
    }
    return next();
  };
}
