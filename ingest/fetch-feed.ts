/**
 * Fetches one feed document: conditional GET through the SSRF-guarded agent, manual redirects (each hop
 * re-checked), connect/headers/total deadlines, decompression with a size cap on the decompressed bytes,
 * and one stable error code per failure. Built to survive hostile servers (silent, trickling, bombs).
 */
import { Duplex, Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { request, type Dispatcher } from 'undici';
import {
  agentMatchesPolicy,
  checkUrl,
  createGuardedAgent,
  SsrfBlockedError,
  type Resolver,
  type SsrfPolicy,
} from './ssrf-guard.ts';

/** Validators from the previous successful fetch, sent as If-None-Match / If-Modified-Since. */
export interface ConditionalHeaders {
  etag?: string | null;
  lastModified?: string | null;
}

export interface FetchOptions {
  /**
   * Total deadline for the whole fetch: connect, every redirect hop, headers and body. This is what cuts
   * a server that trickles one byte a second forever.
   */
  timeoutMs: number;
  /** Deadline for DNS + TCP (+ TLS) of each connection. @defaultValue 10 000 ms (FETCH_CONNECT_TIMEOUT_MS) */
  connectTimeoutMs?: number;
  /**
   * Deadline from sending a request to its complete response headers; also the longest silence allowed
   * between two body chunks. @defaultValue 15 000 ms (FETCH_HEADERS_TIMEOUT_MS)
   */
  headersTimeoutMs?: number;
  /** Largest accepted body after decompression. */
  maxBytes: number;
  userAgent: string;
  /** Allow loopback/private targets (self-hosted feeds, tests). */
  allowPrivate: boolean;
  /** Hosts and CIDRs allowed even when allowPrivate is false (FEED_ALLOWLIST); see SsrfPolicy. */
  allowlist?: readonly string[];
  /** Name resolver for the SSRF guard; the system resolver when absent. */
  resolver?: Resolver;
  /**
   * A guarded agent to reuse across fetches (see createFetchDispatcher). When absent, one is created and
   * closed per call. An agent made by createGuardedAgent for a different allowPrivate/allowlist is not
   * used (a per-call agent with the right policy is), so a stale agent can neither widen nor narrow it.
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
      /**
       * Where the feed permanently lives now: set when the request went through one or more 301/308
       * redirects before any temporary one, so the poller can update the stored URL.
       */
      permanentRedirect?: string;
      /** Seconds the response says it stays fresh (Cache-Control max-age, else Expires − Date). */
      freshnessSeconds?: number;
      /** HTTP Content-Location and Content-Language, for parseFeed's options; absent when not sent. */
      contentLocation?: string;
      contentLanguage?: string;
    }
  | { kind: 'not_modified'; permanentRedirect?: string; freshnessSeconds?: number }
  | {
      kind: 'error';
      code: FetchErrorCode;
      message: string;
      transient: boolean;
      status?: number;
      /** Parsed Retry-After (seconds or HTTP-date), as seconds from the response; 429/503 and others. */
      retryAfterSeconds?: number;
    };

/** Redirects followed before giving up. */
export const MAX_REDIRECTS = 5;
/** @see FetchOptions.connectTimeoutMs */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** @see FetchOptions.headersTimeoutMs */
export const DEFAULT_HEADERS_TIMEOUT_MS = 15_000;

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
      if (seen > max) cb(new TooLargeError(`body exceeds ${max} bytes after decompression`));
      else cb(null, chunk);
    },
  });
}

/** RFC 1950 header: compression method 8 and a check value making the first two bytes a multiple of 31. */
function isZlibHeader(b: Buffer): boolean {
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && ((b[0]! << 8) | b[1]!) % 31 === 0;
}

/**
 * `Content-Encoding: deflate` means zlib-wrapped deflate (RFC 9110), but many servers send raw deflate;
 * the first two bytes tell them apart. Pulls lazily, so backpressure (and the byte cap) still bounds a bomb.
 */
function inflateAuto(): Duplex {
  return Duplex.from(async function* (source: AsyncIterable<Buffer>) {
    const it = source[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let headLength = 0;
    while (headLength < 2) {
      const next = await it.next();
      if (next.done) break;
      head.push(next.value);
      headLength += next.value.length;
    }
    const first = Buffer.concat(head);
    if (first.length === 0) return;
    const inflater = isZlibHeader(first) ? zlib.createInflate() : zlib.createInflateRaw();
    async function* rest(): AsyncGenerator<Buffer> {
      yield first;
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
    }
    const input = Duplex.from(rest());
    input.on('error', (err) => inflater.destroy(err));
    input.pipe(inflater);
    try {
      for await (const chunk of inflater) yield chunk as Buffer;
    } finally {
      input.destroy();
    }
  });
}

function decoderFor(encoding: string): Duplex | null | 'identity' {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return inflateAuto();
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

function optionalHeader<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return (value ? { [key]: value } : {}) as { [P in K]?: string };
}

/** An HTTP-date (IMF-fixdate or the obsolete forms); V8's lenient Date.parse alone takes "-5" for a year. */
function parseHttpDate(text: string | null): number | null {
  if (text === null || !/[a-z]{3}/i.test(text)) return null;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : null;
}

/**
 * Parses Retry-After: delay-seconds or an HTTP-date. A date is measured against the response's own
 * Date header when it has one (so a server with a skewed clock still means what it says), else `now`.
 * Returns whole seconds ≥ 0, or null when absent or unparseable.
 */
export function parseRetryAfter(value: string | null, now: Date, serverDate: string | null = null): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = parseHttpDate(text);
  if (at === null) return null;
  const reference = parseHttpDate(serverDate) ?? now.getTime();
  return Math.max(0, Math.ceil((at - reference) / 1000));
}

/**
 * Seconds a response stays fresh: Cache-Control max-age (no-store/no-cache count as 0), else
 * Expires − Date. Null when the response says nothing.
 */
export function parseFreshness(
  cacheControl: string | null,
  expires: string | null,
  serverDate: string | null,
  now: Date,
): number | null {
  if (cacheControl) {
    const directives = cacheControl.toLowerCase().split(',').map((d) => d.trim());
    const maxAge = directives.find((d) => d.startsWith('max-age='));
    if (maxAge) {
      const n = Number(maxAge.slice('max-age='.length).replace(/"/g, ''));
      if (Number.isInteger(n) && n >= 0) return n;
    }
    if (directives.includes('no-store') || directives.includes('no-cache')) return 0;
  }
  if (expires) {
    const at = parseHttpDate(expires);
    // RFC 9111: an invalid Expires (often "0" or "-1") means already expired.
    if (at === null) return 0;
    const reference = parseHttpDate(serverDate) ?? now.getTime();
    return Math.max(0, Math.floor((at - reference) / 1000));
  }
  return null;
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
    const inner = (cur as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const e of inner) if (e instanceof SsrfBlockedError) return e;
    cur = (cur as { cause?: unknown }).cause;
  }
  return null;
}

interface Deadlines {
  totalMs: number;
  connectMs: number;
  headersMs: number;
}

function classify(err: unknown, timedOut: boolean, deadlines: Deadlines, host: string): FetchResult & { kind: 'error' } {
  const message = err instanceof Error ? err.message : String(err);
  const ssrf = findSsrf(err);
  if (ssrf) return { kind: 'error', code: 'ssrf_blocked', message: ssrf.message, transient: false };
  if (err instanceof TooLargeError) return { kind: 'error', code: 'too_large', message: `fetch-feed: ${message}`, transient: false };
  if (err instanceof BadEncodingError) return { kind: 'error', code: 'bad_encoding', message: `fetch-feed: ${message}`, transient: false };
  const codes = errorCodes(err);
  const timeout = (what: string): FetchResult & { kind: 'error' } => ({
    kind: 'error',
    code: 'timeout',
    message: `fetch-feed: ${what} from ${host}`,
    transient: true,
  });
  // The total deadline wins: once it fired, whatever undici reports is a consequence of the abort.
  if (timedOut) return timeout(`no complete answer within ${deadlines.totalMs} ms (total deadline)`);
  if (codes.some((c) => c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'ConnectTimeoutError' || c === 'ETIMEDOUT')) {
    return timeout(`no connection within ${deadlines.connectMs} ms`);
  }
  if (codes.includes('UND_ERR_HEADERS_TIMEOUT')) return timeout(`no response headers within ${deadlines.headersMs} ms`);
  if (codes.includes('UND_ERR_BODY_TIMEOUT')) return timeout(`body stalled for ${deadlines.headersMs} ms`);
  if (codes.some((c) => ['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME'].includes(c))) {
    return { kind: 'error', code: 'dns', message: `fetch-feed: ${message}`, transient: true };
  }
  if (codes.some((c) => c.startsWith('Z_') || c.startsWith('ERR__ERROR_FORMAT') || c.startsWith('ERR_BROTLI'))) {
    return { kind: 'error', code: 'bad_encoding', message: `fetch-feed: undecodable body: ${message}`, transient: false };
  }
  return { kind: 'error', code: 'connection', message: `fetch-feed: ${message}`, transient: true };
}

async function readBody(body: Readable, contentEncoding: string | null, maxBytes: number): Promise<Buffer> {
  const stages: Duplex[] = [];
  // Content-Encoding lists codings in the order they were applied, so undo them from the end.
  const codings = (contentEncoding ?? '').split(',').map((c) => c.trim().toLowerCase()).filter(Boolean).reverse();
  for (const coding of codings) {
    const d = decoderFor(coding);
    if (d === null) throw new BadEncodingError(`unsupported Content-Encoding ${coding}`);
    if (d !== 'identity') stages.push(d);
  }
  const chunks: Buffer[] = [];
  if (stages.length === 0) {
    // The common case, read directly: stream.pipeline costs an AbortController and a DOMException per call.
    let seen = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      seen += chunk.length;
      if (seen > maxBytes) {
        body.destroy();
        throw new TooLargeError(`body exceeds ${maxBytes} bytes after decompression`);
      }
      chunks.push(chunk);
    }
  } else {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    await pipeline([body, ...stages, byteCap(maxBytes), sink]);
  }
  let out = Buffer.concat(chunks);
  // Some servers store gzip files and serve them without Content-Encoding (magic bytes 1f 8b).
  if (out.length > 2 && out[0] === 0x1f && out[1] === 0x8b) {
    try {
      out = zlib.gunzipSync(out, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new TooLargeError(`body exceeds ${maxBytes} bytes after decompression`);
      throw err;
    }
  }
  return out;
}

// Reading a short error/redirect body lets the connection be reused; a longer one is cut (undici destroys).
const DISCARD_LIMIT = 64 * 1024;

async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  await body.dump({ limit: DISCARD_LIMIT }).catch(() => undefined);
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function policyOf(options: Pick<FetchOptions, 'allowPrivate' | 'allowlist'>): SsrfPolicy {
  return { allowPrivate: options.allowPrivate, allowlist: options.allowlist ?? [] };
}

/**
 * A guarded agent for many fetches with these options (same policy, resolver and connect deadline).
 * `connections` caps keep-alive sockets per origin. The caller closes it.
 */
export function createFetchDispatcher(
  options: Omit<FetchOptions, 'dispatcher'>,
  extra: { connections?: number } = {},
): Dispatcher {
  return createGuardedAgent({
    ...policyOf(options),
    resolver: options.resolver,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...extra,
  });
}

/**
 * Fetches `url` with a conditional GET. Never throws: every failure becomes
 * `{ kind: 'error', code, transient }` (5xx, 429, 408, timeouts, DNS and connection failures are
 * transient; other 4xx — 410 included —, SSRF refusals, bad URLs and oversized bodies are permanent).
 */
export async function fetchFeed(url: string, validators: ConditionalHeaders, options: FetchOptions): Promise<FetchResult> {
  const policy = policyOf(options);
  const deadlines: Deadlines = {
    totalMs: options.timeoutMs,
    connectMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    headersMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
  };
  const reusable = options.dispatcher && agentMatchesPolicy(options.dispatcher, policy) !== false ? options.dispatcher : null;
  let dispatcher: Dispatcher | null = reusable;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`fetch-feed: total deadline ${options.timeoutMs} ms`));
  }, options.timeoutMs);
  let current = url;
  try {
    dispatcher ??= createFetchDispatcher(options);
    let permanentRedirect: string | undefined;
    let onlyPermanentSoFar = true;
    for (let hop = 0; ; hop++) {
      const decision = checkUrl(current, policy);
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
        headersTimeout: deadlines.headersMs,
        bodyTimeout: deadlines.headersMs,
      });
      const status = res.statusCode;
      if (REDIRECT_STATUSES.has(status)) {
        await discard(res.body);
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
        if (onlyPermanentSoFar && (status === 301 || status === 308)) permanentRedirect = current;
        else onlyPermanentSoFar = false;
        continue;
      }
      const serverDate = header(res.headers, 'date');
      const freshness = parseFreshness(header(res.headers, 'cache-control'), header(res.headers, 'expires'), serverDate, new Date());
      const extras = {
        ...(permanentRedirect !== undefined && permanentRedirect !== url ? { permanentRedirect } : {}),
        ...(freshness !== null ? { freshnessSeconds: freshness } : {}),
      };
      if (status === 304) {
        await discard(res.body);
        return { kind: 'not_modified', ...extras };
      }
      if (status < 200 || status >= 300) {
        await discard(res.body);
        const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'), new Date(), serverDate);
        return {
          kind: 'error',
          code: `http_${status}`,
          message: `fetch-feed: ${status} from ${new URL(current).host}${status === 410 ? ' (gone)' : ''}`,
          transient: status >= 500 || status === 429 || status === 408,
          status,
          ...(retryAfter !== null ? { retryAfterSeconds: retryAfter } : {}),
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
        ...extras,
        ...optionalHeader('contentLocation', header(res.headers, 'content-location')),
        ...optionalHeader('contentLanguage', header(res.headers, 'content-language')),
      };
    }
  } catch (err) {
    let host = current;
    try {
      host = new URL(current).host;
    } catch {
      // keep the raw string
    }
    return classify(err, timedOut, deadlines, host);
  } finally {
    clearTimeout(timer);
    // destroy, not close: an aborted request to a silent server must not keep the agent waiting.
    if (dispatcher && dispatcher !== reusable) await dispatcher.destroy().catch(() => undefined);
  }
}
