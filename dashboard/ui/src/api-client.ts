/**
 * Thin fetch wrapper for the dashboard's /api calls. Every non-2xx answer becomes an ApiError carrying the
 * API's stable error code and, for query errors, the character position to point at.
 */
import type { ErrorResponse } from '../../api/schemas.ts';

/** An error answer from the API (or a network failure, with code "network"). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** 0-based offset into the query text, set for query syntax errors. */
  readonly position: number | undefined;
  /** The request parameter the error is about (e.g. "q" or "q.1"), when the API says so. */
  readonly param: string | undefined;
  constructor(status: number, body: ErrorResponse['error']) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.position = body.position;
    this.param = body.param;
  }
}

/** Query parameters; arrays repeat the key (`q=a&q=b`), empty and undefined values are dropped. */
export type Params = Record<string, string | readonly string[] | undefined>;

/** Builds `path?query` from params, skipping empty values so URLs stay short and shareable. */
export function withParams(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of typeof value === 'string' ? [value] : value) {
      if (v !== '') search.append(key, v);
    }
  }
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}

function isErrorResponse(body: unknown): body is ErrorResponse {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const err = (body as { error: unknown }).error;
  return typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string';
}

const TOKEN_KEY = 'narrative-monitor.api-token';

/** The write token the user entered (a server listening beyond loopback requires one for POSTs). */
export function getApiToken(): string | null {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled (private mode, policies): then writes simply go without a token.
    return null;
  }
}

/** Remembers (or, with an empty string, forgets) the write token in this browser. */
export function setApiToken(token: string): void {
  try {
    if (token) window.localStorage.setItem(TOKEN_KEY, token);
    else window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    // See getApiToken: nothing to remember into.
  }
}

async function request<T>(method: 'GET' | 'POST', url: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = method === 'GET' ? null : getApiToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, { code: 'network', message: 'The API did not answer. Is the server running?' });
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // A proxy or a crash page answered with HTML: report the status below.
  }
  if (!response.ok) {
    if (isErrorResponse(parsed)) throw new ApiError(response.status, parsed.error);
    throw new ApiError(response.status, { code: `http_${response.status}`, message: `${response.status} ${response.statusText}` });
  }
  if (parsed === undefined) {
    throw new ApiError(response.status, { code: 'bad_response', message: `Unexpected answer from ${url}` });
  }
  return parsed as T;
}

/** GET a JSON endpoint. */
export function apiGet<T>(path: string, params?: Params, signal?: AbortSignal): Promise<T> {
  return request<T>('GET', withParams(path, params), undefined, signal);
}

/** POST a JSON body to an endpoint. */
export function apiPost<T>(path: string, body: unknown): Promise<T> {
  return request<T>('POST', path, body);
}
