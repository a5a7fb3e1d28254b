/**
 * Fetches one feed document: conditional GET through the SSRF-guarded agent, manual redirects (each hop
 * re-checked), decompression with a size cap on the decompressed bytes, and one stable error code per failure.
 */
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { request, type Dispatcher } from 'undici';
import { checkUrl, createGuardedAgent, SsrfBlockedError, type Resolver } from './ssrf-guard.ts';

/** Validators from the previous successful fetch, sent as If-None-Match / If-Modified-Since. */
export interface ConditionalHeaders {
  etag?: string | null;
  lastModified?: string | null;
}

export interface FetchOptions {
  /** Budget for the whole fetch: connect, redirects, headers and body. */
  timeoutMs: number;
  /** Largest accepted body after decompression. */
  maxBytes: number;
  userAgent: string;
  /** Allow loopback/private targets (self-hosted feeds, tests). */
  allowPrivate: boolean;
  /** Name resolver for the SSRF guard; the system resolver when absent. */
  resolver?: Resolver;
  /**
   * A guarded agent to reuse across fetches (see createGuardedAgent). When absent, one is created and
   * closed per call. Callers passing their own must build it with the same allowPrivate/resolver.
   */
  dispatcher?: Dispatcher;
}

export type FetchErrorCode =
  | 'timeout'
  | 'dns'
  | 'connection'
  | 'ssrf_blocked'
  | `http_${number}`
  | 'too_large'
  | 'too_many_redirects'
  | 'bad_url'
  | 'bad_encoding';

export type FetchResult =
  | {
      kind: 'ok';
      status: number;
      body: Buffer;
      etag: string | null;
      lastModified: string | null;
      finalUrl: string;
      contentType: string | null;
    }
  | { kind: 'not_modified' }
  | { kind: 'error'; code: FetchErrorCode; message: string; transient: boolean; status?: number };

/** Redirects followed before giving up. */
export const MAX_REDIRECTS = 5;

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, ' +
  'application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

class TooLargeError extends Error {}
class BadEncodingError extends Error {}

/** Counts bytes and fails the pipeline once more than `max` went through. */
function byteCap(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      seen += chunk.length;
      if (seen > max) cb(new TooLargeError(`body exceeds ${max} bytes`));
      else cb(null, chunk);
    },
  });
}

function decoderFor(encoding: string): Transform | null | 'identity' {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'identity':
    case '':
      return 'identity';
    default:
      return null;
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const v = headers[name];
  if (Array.isArray(v)) return v[0] ?? null;
  return v ?? null;
}

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    const e = cur as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (typeof e.code === 'string') codes.push(e.code);
    if (typeof e.name === 'string') codes.push(e.name);
    // autoSelectFamily failures come back as an AggregateError of per-address errors.
    if (Array.isArray(e.errors)) for (const inner of e.errors) codes.push(...errorCodes(inner));
    cur = e.cause;
  }
  return codes;
}

function findSsrf(err: unknown): SsrfBlockedError | null {
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    if (cur instanceof SsrfBlockedError) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return null;
}

function classify(err: unknown, timedOut: boolean, timeoutMs: number): FetchResult {
  const message = err instanceof Error ? err.message : String(err);
  const ssrf = findSsrf(err);
  if (ssrf) return { kind: 'error', code: 'ssrf_blocked', message: ssrf.message, transient: false };
  if (err instanceof TooLargeError) return { kind: 'error', code: 'too_large', message: `fetch-feed: ${message}`, transient: false };
  if (err instanceof BadEncodingError) return { kind: 'error', code: 'bad_encoding', message: `fetch-feed: ${message}`, transient: false };
  const codes = errorCodes(err);
  if (
    timedOut ||
    codes.some((c) =>
      ['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'ConnectTimeoutError'].includes(c),
    )
  ) {
    return { kind: 'error', code: 'timeout', message: `fetch-feed: no complete answer within ${timeoutMs} ms`, transient: true };
  }
  if (codes.some((c) => ['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME'].includes(c))) {
    return { kind: 'error', code: 'dns', message: `fetch-feed: ${message}`, transient: true };
  }
  if (codes.some((c) => c.startsWith('Z_') || c.startsWith('ERR__ERROR_FORMAT') || c.startsWith('ERR_BROTLI'))) {
    return { kind: 'error', code: 'bad_encoding', message: `fetch-feed: undecodable body: ${message}`, transient: false };
  }
  return { kind: 'error', code: 'connection', message: `fetch-feed: ${message}`, transient: true };
}

async function readBody(body: Readable, contentEncoding: string | null, maxBytes: number): Promise<Buffer> {
  const stages: Transform[] = [];
  // Content-Encoding lists codings in the order they were applied, so undo them from the end.
  const codings = (contentEncoding ?? '').split(',').map((c) => c.trim().toLowerCase()).filter(Boolean).reverse();
  for (const coding of codings) {
    const d = decoderFor(coding);
    if (d === null) throw new BadEncodingError(`unsupported Content-Encoding ${coding}`);
    if (d !== 'identity') stages.push(d);
  }
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  await pipeline([body, ...stages, byteCap(maxBytes), sink]);
  let out = Buffer.concat(chunks);
  // Some servers store gzip files and serve them without Content-Encoding (magic bytes 1f 8b).
  if (out.length > 2 && out[0] === 0x1f && out[1] === 0x8b) {
    try {
      out = zlib.gunzipSync(out, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new TooLargeError(`body exceeds ${maxBytes} bytes`);
      throw err;
    }
  }
  return out;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches `url` with a conditional GET. Never throws: every failure becomes
 * `{ kind: 'error', code, transient }` (5xx, 429, timeouts, DNS and connection failures are transient;
 * other 4xx, SSRF refusals, bad URLs and oversized bodies are permanent).
 */
export async function fetchFeed(url: string, validators: ConditionalHeaders, options: FetchOptions): Promise<FetchResult> {
  const dispatcher = options.dispatcher ?? createGuardedAgent({
    allowPrivate: options.allowPrivate,
    resolver: options.resolver,
    connectTimeoutMs: options.timeoutMs,
  });
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`fetch-feed: total timeout ${options.timeoutMs} ms`));
  }, options.timeoutMs);
  try {
    let current = url;
    for (let hop = 0; ; hop++) {
      const decision = checkUrl(current, { allowPrivate: options.allowPrivate });
      if (!decision.allowed) {
        return {
          kind: 'error',
          code: decision.code,
          message: `fetch-feed: ${decision.reason} (${current})`,
          transient: false,
        };
      }
      const headers: Record<string, string> = {
        'user-agent': options.userAgent,
        accept: ACCEPT,
        'accept-encoding': 'gzip, deflate, br',
      };
      if (validators.etag) headers['if-none-match'] = validators.etag;
      if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
      const res = await request(decision.url, {
        method: 'GET',
        headers,
        dispatcher,
        signal: controller.signal,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      const status = res.statusCode;
      if (REDIRECT_STATUSES.has(status)) {
        await res.body.dump();
        const location = header(res.headers, 'location');
        if (!location) {
          return { kind: 'error', code: `http_${status}`, message: `fetch-feed: ${status} without Location`, transient: false, status };
        }
        if (hop >= MAX_REDIRECTS) {
          return {
            kind: 'error',
            code: 'too_many_redirects',
            message: `fetch-feed: more than ${MAX_REDIRECTS} redirects from ${url}`,
            transient: false,
          };
        }
        try {
          current = new URL(location, current).toString();
        } catch {
          return { kind: 'error', code: 'bad_url', message: `fetch-feed: bad redirect target ${location}`, transient: false };
        }
        continue;
      }
      if (status === 304) {
        await res.body.dump();
        return { kind: 'not_modified' };
      }
      if (status < 200 || status >= 300) {
        await res.body.dump();
        return {
          kind: 'error',
          code: `http_${status}`,
          message: `fetch-feed: ${status} from ${new URL(current).host}`,
          transient: status >= 500 || status === 429 || status === 408,
          status,
        };
      }
      const contentEncoding = header(res.headers, 'content-encoding');
      const declaredLength = Number(header(res.headers, 'content-length') ?? Number.NaN);
      if (!contentEncoding && Number.isFinite(declaredLength) && declaredLength > options.maxBytes) {
        res.body.destroy();
        return { kind: 'error', code: 'too_large', message: `fetch-feed: body of ${declaredLength} bytes exceeds ${options.maxBytes}`, transient: false };
      }
      const body = await readBody(res.body, contentEncoding, options.maxBytes);
      return {
        kind: 'ok',
        status,
        body,
        etag: header(res.headers, 'etag'),
        lastModified: header(res.headers, 'last-modified'),
        finalUrl: current,
        contentType: header(res.headers, 'content-type'),
      };
    }
  } catch (err) {
    return classify(err, timedOut, options.timeoutMs);
  } finally {
    clearTimeout(timer);
    // destroy, not close: an aborted request to a silent server must not keep the agent waiting.
    if (!options.dispatcher) await dispatcher.destroy().catch(() => undefined);
  }
}
