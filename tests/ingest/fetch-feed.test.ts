/** fetchFeed against a real local HTTP server: validators, compression, redirects, errors, limits. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchFeed, parseFreshness, parseRetryAfter, type FetchOptions } from '../../ingest/fetch-feed.ts';
import type { Resolver } from '../../ingest/ssrf-guard.ts';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.ts';

const FEEDS = fileURLToPath(new URL('../../../shared/fixtures/feeds/', import.meta.url));
const GUARDIAN = `${FEEDS}rss-parser/input/guardian.rss`;

const options: FetchOptions = { timeoutMs: 3000, maxBytes: 2_000_000, userAgent: 'NarrativeMonitor/test', allowPrivate: true };

let server: FeedServer;
afterEach(async () => server?.close());

describe('fetchFeed', () => {
  it('fetches a feed with User-Agent, Accept and Accept-Encoding, returning body and validators', async () => {
    server = await startFeedServer({
      '/feed.xml': { file: GUARDIAN, contentType: 'application/rss+xml; charset=utf-8', etag: '"v1"', lastModified: 'Wed, 31 Jan 2018 08:00:00 GMT' },
    });
    const result = await fetchFeed(server.url('/feed.xml'), {}, options);
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect(result.status).toBe(200);
    expect(result.body.equals(readFileSync(GUARDIAN))).toBe(true);
    expect(result.etag).toBe('"v1"');
    expect(result.lastModified).toBe('Wed, 31 Jan 2018 08:00:00 GMT');
    expect(result.contentType).toBe('application/rss+xml; charset=utf-8');
    expect(result.finalUrl).toBe(server.url('/feed.xml'));
    const sent = server.lastRequestHeaders('/feed.xml');
    expect(sent?.['user-agent']).toBe('NarrativeMonitor/test');
    expect(sent?.accept).toContain('application/rss+xml');
    expect(sent?.['accept-encoding']).toBe('gzip, deflate, br');
    expect(sent?.['if-none-match']).toBeUndefined();
  });

  it('sends If-None-Match / If-Modified-Since and reports 304 as not_modified', async () => {
    server = await startFeedServer({ '/feed.xml': { file: GUARDIAN, etag: '"v1"' } });
    const result = await fetchFeed(server.url('/feed.xml'), { etag: '"v1"', lastModified: 'Wed, 31 Jan 2018 08:00:00 GMT' }, options);
    expect(result).toEqual({ kind: 'not_modified' });
    expect(server.lastRequestHeaders('/feed.xml')?.['if-none-match']).toBe('"v1"');
    expect(server.lastRequestHeaders('/feed.xml')?.['if-modified-since']).toBe('Wed, 31 Jan 2018 08:00:00 GMT');
    const changed = await fetchFeed(server.url('/feed.xml'), { etag: '"v0"' }, options);
    expect(changed.kind).toBe('ok');
  });

  it('decompresses a gzip Content-Encoding', async () => {
    server = await startFeedServer({ '/feed.xml': { file: GUARDIAN, gzip: true } });
    const result = await fetchFeed(server.url('/feed.xml'), {}, options);
    expect(result.kind === 'ok' && result.body.equals(readFileSync(GUARDIAN))).toBe(true);
  });

  it('decompresses brotli and deflate', async () => {
    const raw = readFileSync(GUARDIAN);
    server = await startFeedServer({
      '/br': { body: zlib.brotliCompressSync(raw), headers: { 'content-encoding': 'br' } },
      '/deflate': { body: zlib.deflateSync(raw), headers: { 'content-encoding': 'deflate' } },
    });
    for (const path of ['/br', '/deflate']) {
      const result = await fetchFeed(server.url(path), {}, options);
      expect(result.kind === 'ok' && result.body.equals(raw), path).toBe(true);
    }
  });

  it('gunzips a gzip file served without Content-Encoding (node-feedparser compressed.xml)', async () => {
    server = await startFeedServer({ '/compressed.xml': { file: `${FEEDS}node-feedparser/compressed.xml` } });
    const result = await fetchFeed(server.url('/compressed.xml'), {}, options);
    expect(result.kind === 'ok' && result.body.equals(readFileSync(`${FEEDS}node-feedparser/iconv.xml`))).toBe(true);
  });

  it('follows redirects, re-checking each hop, and reports the final URL', async () => {
    server = await startFeedServer({
      '/old': { redirect: '/older', redirectStatus: 301 },
      '/older': { redirect: '/feed.xml', redirectStatus: 308 },
      '/feed.xml': { file: GUARDIAN },
    });
    const result = await fetchFeed(server.url('/old'), {}, options);
    expect(result.kind).toBe('ok');
    expect(result.kind === 'ok' && result.finalUrl).toBe(server.url('/feed.xml'));
    expect(server.requests('/feed.xml')).toBe(1);
  });

  it('re-checks every redirect hop: a hop to the metadata address or a file: URL is refused', async () => {
    server = await startFeedServer({
      '/to-metadata': { redirect: 'http://169.254.169.254/latest/meta-data/' },
      '/to-metadata-odd': { redirect: 'http://0251.0376.0251.0376/latest/' },
      '/to-file': { redirect: 'file:///etc/passwd' },
    });
    // allowPrivate lets the first hop reach 127.0.0.1; the metadata address is refused whatever the policy.
    expect(await fetchFeed(server.url('/to-metadata'), {}, options)).toMatchObject({ kind: 'error', code: 'ssrf_blocked', transient: false });
    expect(await fetchFeed(server.url('/to-metadata-odd'), {}, options)).toMatchObject({ kind: 'error', code: 'ssrf_blocked' });
    expect(await fetchFeed(server.url('/to-file'), {}, options)).toMatchObject({ kind: 'error', code: 'bad_url' });
    expect(server.requests('/to-metadata')).toBe(1);
  });

  it('re-checks the redirect target name at connect time', async () => {
    server = await startFeedServer({ '/hop': { redirect: 'http://internal.test/admin' } });
    const resolver: Resolver = async (host) =>
      host === 'internal.test' ? [{ address: '169.254.169.254', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    const result = await fetchFeed(`http://feeds.test:${server.port}/hop`, {}, { ...options, resolver });
    expect(result).toMatchObject({ kind: 'error', code: 'ssrf_blocked' });
    expect(result.kind === 'error' && result.message).toContain('internal.test');
    expect(server.requests('/hop')).toBe(1);
  });

  it('stops after 5 redirects with too_many_redirects', async () => {
    server = await startFeedServer({ '/loop': { redirect: '/loop' } });
    const result = await fetchFeed(server.url('/loop'), {}, options);
    expect(result).toMatchObject({ kind: 'error', code: 'too_many_redirects', transient: false });
    expect(server.requests('/loop')).toBe(6);
  });

  it('maps 404 to a permanent http_404 and 500/429 to transient errors', async () => {
    server = await startFeedServer({
      '/gone': { status: 404, body: 'no' },
      '/broken': { status: 500, body: 'oops' },
      '/busy': { status: 429, body: 'slow down' },
    });
    expect(await fetchFeed(server.url('/gone'), {}, options)).toMatchObject({ kind: 'error', code: 'http_404', transient: false, status: 404 });
    expect(await fetchFeed(server.url('/broken'), {}, options)).toMatchObject({ kind: 'error', code: 'http_500', transient: true, status: 500 });
    expect(await fetchFeed(server.url('/busy'), {}, options)).toMatchObject({ kind: 'error', code: 'http_429', transient: true });
  });

  it('times out on a silent server within the time budget', async () => {
    server = await startFeedServer({ '/silent': { hang: true } });
    const started = Date.now();
    const result = await fetchFeed(server.url('/silent'), {}, { ...options, timeoutMs: 400 });
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ kind: 'error', code: 'timeout', transient: true });
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(2500);
  });

  it('times out on a server that answers too slowly', async () => {
    server = await startFeedServer({ '/slow': { file: GUARDIAN, delayMs: 2000 } });
    const result = await fetchFeed(server.url('/slow'), {}, { ...options, timeoutMs: 300 });
    expect(result).toMatchObject({ kind: 'error', code: 'timeout' });
  });

  it('rejects bodies over maxBytes: declared, chunked, and after decompression', async () => {
    const big = Buffer.alloc(200_000, 'a');
    server = await startFeedServer({
      '/declared': { body: big },
      '/chunked': { body: big, chunkSize: 16_384 },
      '/bomb': { body: Buffer.alloc(5_000_000, 'a'), gzip: true },
    });
    const small = { ...options, maxBytes: 100_000 };
    for (const path of ['/declared', '/chunked', '/bomb']) {
      expect(await fetchFeed(server.url(path), {}, small), path).toMatchObject({ kind: 'error', code: 'too_large', transient: false });
    }
    expect((await fetchFeed(server.url('/declared'), {}, options)).kind).toBe('ok');
  });

  it('reports a refused connection as a transient connection error', async () => {
    server = await startFeedServer({});
    const url = server.url('/feed.xml');
    await server.close();
    expect(await fetchFeed(url, {}, options)).toMatchObject({ kind: 'error', code: 'connection', transient: true });
  });

  it('reports an unknown name as a transient dns error', async () => {
    const resolver: Resolver = async (host) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    };
    expect(await fetchFeed('http://no-such-host.test/feed.xml', {}, { ...options, resolver })).toMatchObject({
      kind: 'error',
      code: 'dns',
      transient: true,
    });
  });

  it('rejects a non-http URL as bad_url without fetching', async () => {
    expect(await fetchFeed('file:///etc/passwd', {}, options)).toMatchObject({ kind: 'error', code: 'bad_url', transient: false });
  });

  it('reports a corrupt gzip body as bad_encoding', async () => {
    server = await startFeedServer({ '/bad': { body: Buffer.from('definitely not gzip'), headers: { 'content-encoding': 'gzip' } } });
    expect(await fetchFeed(server.url('/bad'), {}, options)).toMatchObject({ kind: 'error', code: 'bad_encoding', transient: false });
  });

  it('cuts a silent server at the headers deadline, separately from the total one', async () => {
    server = await startFeedServer({ '/silent': { hang: true } });
    const started = Date.now();
    const result = await fetchFeed(server.url('/silent'), {}, { ...options, timeoutMs: 10_000, headersTimeoutMs: 500 });
    expect(result).toMatchObject({ kind: 'error', code: 'timeout', transient: true });
    expect(result.kind === 'error' && result.message).toContain('no response headers within 500 ms');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('cuts a connection that never gets established (DNS included) at the connect deadline', async () => {
    const hanging: Resolver = () => new Promise(() => undefined);
    const started = Date.now();
    const result = await fetchFeed('http://never.test/feed.xml', {}, { ...options, timeoutMs: 10_000, connectTimeoutMs: 300, resolver: hanging });
    expect(result).toMatchObject({ kind: 'error', code: 'timeout', transient: true });
    expect(result.kind === 'error' && result.message).toContain('no connection within 300 ms');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('cuts a body that trickles forever at the total deadline, though it never goes idle', async () => {
    const timers: NodeJS.Timeout[] = [];
    server = await startFeedServer({
      '/trickle': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        timers.push(setInterval(() => res.write(' '), 100));
      },
    });
    const started = Date.now();
    const result = await fetchFeed(server.url('/trickle'), {}, { ...options, timeoutMs: 800, headersTimeoutMs: 2000 });
    const elapsed = Date.now() - started;
    for (const t of timers) clearInterval(t);
    expect(result).toMatchObject({ kind: 'error', code: 'timeout' });
    expect(result.kind === 'error' && result.message).toContain('total deadline');
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(elapsed).toBeLessThan(2500);
  });

  it('undoes nested encodings (gzip, br) and raw deflate; refuses unknown codings', async () => {
    const raw = readFileSync(GUARDIAN);
    server = await startFeedServer({
      '/nested': { body: zlib.brotliCompressSync(zlib.gzipSync(raw)), headers: { 'content-encoding': 'gzip, br' } },
      '/raw-deflate': { body: zlib.deflateRawSync(raw), headers: { 'content-encoding': 'deflate' } },
      '/identity': { body: raw, headers: { 'content-encoding': 'identity' } },
      '/compress': { body: raw, headers: { 'content-encoding': 'compress' } },
    });
    for (const path of ['/nested', '/raw-deflate', '/identity']) {
      const result = await fetchFeed(server.url(path), {}, options);
      expect(result.kind === 'ok' && result.body.equals(raw), path).toBe(true);
    }
    expect(await fetchFeed(server.url('/compress'), {}, options)).toMatchObject({ kind: 'error', code: 'bad_encoding' });
  });

  it('applies the cap after every decoding step (deflate and nested bombs)', async () => {
    const zeros = Buffer.alloc(8_000_000);
    server = await startFeedServer({
      '/deflate': { body: zlib.deflateSync(zeros), headers: { 'content-encoding': 'deflate' } },
      '/raw': { body: zlib.deflateRawSync(zeros), headers: { 'content-encoding': 'deflate' } },
      '/br': { body: zlib.brotliCompressSync(zeros), headers: { 'content-encoding': 'br' } },
      '/nested': { body: zlib.brotliCompressSync(zlib.gzipSync(zeros)), headers: { 'content-encoding': 'gzip, br' } },
    });
    for (const path of ['/deflate', '/raw', '/br', '/nested']) {
      expect(await fetchFeed(server.url(path), {}, { ...options, maxBytes: 1_000_000 }), path).toMatchObject({ kind: 'error', code: 'too_large' });
    }
  });

  it('reports 301/308 chains as permanentRedirect, stopping at the first temporary hop', async () => {
    server = await startFeedServer({
      '/a': { redirect: '/b', redirectStatus: 301 },
      '/b': { redirect: '/feed.xml', redirectStatus: 308 },
      '/c': { redirect: '/d', redirectStatus: 301 },
      '/d': { redirect: '/feed.xml', redirectStatus: 302 },
      '/e': { redirect: '/f', redirectStatus: 307 },
      '/f': { redirect: '/feed.xml', redirectStatus: 301 },
      '/g': { redirect: '/etag.xml', redirectStatus: 301 },
      '/feed.xml': { file: GUARDIAN },
      '/etag.xml': { file: GUARDIAN, etag: '"e1"' },
    });
    expect(await fetchFeed(server.url('/a'), {}, options)).toMatchObject({ kind: 'ok', permanentRedirect: server.url('/feed.xml') });
    expect(await fetchFeed(server.url('/c'), {}, options)).toMatchObject({ kind: 'ok', permanentRedirect: server.url('/d'), finalUrl: server.url('/feed.xml') });
    const temporaryFirst = await fetchFeed(server.url('/e'), {}, options);
    expect(temporaryFirst.kind === 'ok' && temporaryFirst.permanentRedirect).toBeUndefined();
    expect(await fetchFeed(server.url('/g'), { etag: '"e1"' }, options)).toEqual({ kind: 'not_modified', permanentRedirect: server.url('/etag.xml') });
    const direct = await fetchFeed(server.url('/feed.xml'), {}, options);
    expect(direct.kind === 'ok' && 'permanentRedirect' in direct).toBe(false);
  });

  it('exposes Retry-After (seconds or HTTP-date) on 429 and 503, and 410 as permanent', async () => {
    server = await startFeedServer({
      '/busy': { status: 429, body: 'x', headers: { 'retry-after': '120' } },
      '/down': (_req, res) => {
        res.writeHead(503, { date: 'Wed, 01 May 2024 12:00:00 GMT', 'retry-after': 'Wed, 01 May 2024 12:05:00 GMT' });
        res.end();
      },
      '/gone': { status: 410, body: 'gone' },
    });
    expect(await fetchFeed(server.url('/busy'), {}, options)).toMatchObject({ kind: 'error', code: 'http_429', transient: true, retryAfterSeconds: 120 });
    expect(await fetchFeed(server.url('/down'), {}, options)).toMatchObject({ kind: 'error', code: 'http_503', transient: true, retryAfterSeconds: 300 });
    const gone = await fetchFeed(server.url('/gone'), {}, options);
    expect(gone).toMatchObject({ kind: 'error', code: 'http_410', transient: false, status: 410 });
    expect(gone.kind === 'error' && 'retryAfterSeconds' in gone).toBe(false);
  });

  it('exposes how long the response stays fresh', async () => {
    server = await startFeedServer({
      '/cc': { file: GUARDIAN, headers: { 'cache-control': 'public, max-age=600' } },
      '/none': { file: GUARDIAN },
    });
    expect(await fetchFeed(server.url('/cc'), {}, options)).toMatchObject({ kind: 'ok', freshnessSeconds: 600 });
    const none = await fetchFeed(server.url('/none'), {}, options);
    expect(none.kind === 'ok' && 'freshnessSeconds' in none).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  it('reads delay-seconds and HTTP-dates, against the server clock when given', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 May 2024 12:01:30 GMT', now)).toBe(90);
    // The server's clock is 10 minutes ahead of ours: its date means "in 90 s", not "in 690 s".
    expect(parseRetryAfter('Wed, 01 May 2024 12:11:30 GMT', now, 'Wed, 01 May 2024 12:10:00 GMT')).toBe(90);
    expect(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', now)).toBe(0);
  });
  it('returns null for absent or unparseable values', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
  });
});

describe('parseFreshness', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  it('prefers max-age, then Expires − Date', () => {
    expect(parseFreshness('max-age=300, must-revalidate', 'Wed, 01 May 2024 13:00:00 GMT', null, now)).toBe(300);
    expect(parseFreshness(null, 'Wed, 01 May 2024 13:00:00 GMT', null, now)).toBe(3600);
    expect(parseFreshness(null, 'Wed, 01 May 2024 13:00:00 GMT', 'Wed, 01 May 2024 12:30:00 GMT', now)).toBe(1800);
    expect(parseFreshness('no-cache', null, null, now)).toBe(0);
    expect(parseFreshness(null, '0', null, now)).toBe(0);
    expect(parseFreshness('public', null, null, now)).toBeNull();
    expect(parseFreshness(null, null, null, now)).toBeNull();
  });
});
