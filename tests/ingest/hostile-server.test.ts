/**
 * The fetcher against a hostile local server: every attack ends in bounded time and memory with the right
 * error code, no canary is ever reached, and in one poll cycle of 200 feeds (20 hostile) through the real
 * poller and a real SQLite catalog, all 180 healthy feeds are ingested and each hostile one is recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFeed, type FetchOptions, type FetchResult } from '../../ingest/fetch-feed.ts';
import { FeedParseError, parseFeed, type ParsedFeed } from '../../ingest/parse-feed.ts';
import { createPoller } from '../../ingest/poller.ts';
import type { Resolver } from '../../ingest/ssrf-guard.ts';
import { openSqliteStores } from '../../store/sqlite/open-database.ts';
import { createCollectingQueue } from '../helpers/collecting-queue.ts';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.ts';
import { HOSTILE, smallFeed, startHostileServer, type HostileServer } from '../helpers/hostile-server.ts';
import { silentLogger } from '../helpers/silent-logger.ts';

const MB = 1024 * 1024;

// Every *.test name is this machine; nx.feeds.test does not exist. Nothing ever leaves 127.0.0.1.
const resolver: Resolver = async (host) => {
  if (host === 'nx.feeds.test') throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return [{ address: '127.0.0.1', family: 4 }];
};

// Private addresses are refused; only the feed hosts are allowlisted, so canary.test stays closed.
const options: FetchOptions = {
  timeoutMs: 2500,
  connectTimeoutMs: 1000,
  headersTimeoutMs: 1500,
  maxBytes: 16 * MB,
  userAgent: 'NarrativeMonitor/test (+https://example.org/contact)',
  allowPrivate: false,
  allowlist: ['hostile.test', '*.feeds.test'],
  resolver,
};

let hostile: HostileServer;
let canary: FeedServer;

beforeAll(async () => {
  canary = await startFeedServer({ '/canary': { body: 'root:x:0:0:canary' }, '/feed.xml': { body: smallFeed('canary') } });
  hostile = await startHostileServer({
    canaryUrl: canary.url('/canary'),
    privateTarget: `http://canary.test:${canary.port}/feed.xml`,
    trickleIntervalMs: 1000,
  });
}, 60_000);

afterAll(async () => {
  await hostile?.close();
  await canary?.close();
});

const url = (p: string): string => `http://hostile.test:${hostile.port}${p}`;

interface Measured<T> {
  value: T;
  ms: number;
  /** Largest RSS rise above the level at the start, sampled every 5 ms. */
  rssGrowthMb: number;
}

async function measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const started = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, ms: performance.now() - started, rssGrowthMb: (peak - base) / MB };
  } finally {
    clearInterval(sampler);
  }
}

type Parsed = { kind: 'feed'; feed: ParsedFeed } | { kind: 'parse_error'; code: string } | { kind: 'fetch'; result: FetchResult };

/** Fetch, then parse what came back, as the poller does. */
async function fetchAndParse(p: string): Promise<Parsed> {
  const result = await fetchFeed(url(p), {}, options);
  if (result.kind !== 'ok') return { kind: 'fetch', result };
  try {
    return { kind: 'feed', feed: await parseFeed(result.body, result.contentType, result.finalUrl) };
  } catch (err) {
    if (err instanceof FeedParseError) return { kind: 'parse_error', code: err.code };
    throw err;
  }
}

describe('hostile server, one attack at a time', () => {
  it('silent server (accepts, never answers): timeout at the headers deadline', async () => {
    const m = await measure(() => fetchFeed(url(HOSTILE.silent), {}, options));
    expect(m.value).toMatchObject({ kind: 'error', code: 'timeout', transient: true });
    expect(m.value.kind === 'error' && m.value.message).toContain('no response headers');
    expect(m.ms).toBeLessThan(4000);
  });

  it('slow-loris trickle (1 byte/s, never idle long enough for the body timeout): cut by the total deadline', async () => {
    const m = await measure(() => fetchFeed(url(HOSTILE.trickle), {}, options));
    expect(m.value).toMatchObject({ kind: 'error', code: 'timeout', transient: true });
    expect(m.value.kind === 'error' && m.value.message).toContain('total deadline');
    expect(m.ms).toBeGreaterThanOrEqual(2400);
    expect(m.ms).toBeLessThan(4500);
  });

  it('endless body: too_large at the cap, bounded memory', async () => {
    const m = await measure(() => fetchFeed(url(HOSTILE.endless), {}, options));
    expect(m.value).toMatchObject({ kind: 'error', code: 'too_large', transient: false });
    expect(m.ms).toBeLessThan(5000);
    expect(m.rssGrowthMb).toBeLessThan(100);
  });

  it.each([
    ['gzip', HOSTILE.gzipBomb],
    ['raw deflate', HOSTILE.deflateBomb],
    ['nested gzip, br', HOSTILE.nestedBomb],
  ])('%s bomb (~1 MB inflating to 1 GiB): too_large at the 16 MiB cap, bounded time and memory', async (_name, p) => {
    expect(hostile.bombBytes).toBeLessThan(2 * MB);
    expect(hostile.bombInflatedBytes).toBe(1024 * MB);
    const m = await measure(() => fetchFeed(url(p), {}, options));
    expect(m.value).toMatchObject({ kind: 'error', code: 'too_large', transient: false });
    expect(m.value.kind === 'error' && m.value.message).toContain('after decompression');
    expect(m.ms).toBeLessThan(5000);
    expect(m.rssGrowthMb).toBeLessThan(100);
  });

  it('billion laughs: no expansion, no hang — an error code or a feed with short titles', async () => {
    const m = await measure(() => fetchAndParse(HOSTILE.billionLaughs));
    expect(m.ms).toBeLessThan(5000);
    expect(m.rssGrowthMb).toBeLessThan(100);
    if (m.value.kind === 'feed') {
      for (const item of m.value.feed.items) expect((item.title ?? '').length).toBeLessThan(10_000);
      expect((m.value.feed.title ?? '').length).toBeLessThan(10_000);
    } else {
      expect(m.value).toMatchObject({ kind: 'parse_error', code: expect.stringMatching(/^(parse_error|not_a_feed)$/) });
    }
  });

  it.each([
    ['file:///etc/passwd', HOSTILE.xxeFile],
    ['an http URL to a loopback canary', HOSTILE.xxeHttp],
  ])('external entity (%s) stays inert: nothing read, canary sees nothing', async (_name, p) => {
    const m = await measure(() => fetchAndParse(p));
    expect(m.ms).toBeLessThan(5000);
    if (m.value.kind === 'feed') {
      const text = JSON.stringify(m.value.feed);
      expect(text).not.toContain('root:x:0:0');
    } else {
      expect(m.value.kind).toBe('parse_error');
    }
    expect(canary.requests('/canary')).toBe(0);
    expect(canary.connections()).toBe(0);
  });

  it('redirect loop: too_many_redirects after 5 hops', async () => {
    const before = hostile.requests(HOSTILE.redirectLoop);
    const m = await measure(() => fetchFeed(url(HOSTILE.redirectLoop), {}, options));
    expect(m.value).toMatchObject({ kind: 'error', code: 'too_many_redirects', transient: false });
    expect(hostile.requests(HOSTILE.redirectLoop) - before).toBe(6);
    expect(m.ms).toBeLessThan(3000);
  });

  it('redirect to a name resolving to a private address: ssrf_blocked, the canary sees 0 connections', async () => {
    const m = await measure(() => fetchFeed(url(HOSTILE.redirectPrivate), {}, options));
    expect(m.value).toMatchObject({ kind: 'error', code: 'ssrf_blocked', transient: false });
    expect(m.value.kind === 'error' && m.value.message).toContain('canary.test resolves to 127.0.0.1, a loopback address; set FEED_ALLOWLIST=canary.test');
    expect(canary.connections()).toBe(0);
  });

  it('429 with Retry-After in seconds and as an HTTP-date; 503 with Retry-After', async () => {
    expect(await fetchFeed(url(HOSTILE.tooManyRequestsSeconds), {}, options)).toMatchObject({
      kind: 'error',
      code: 'http_429',
      transient: true,
      retryAfterSeconds: 120,
    });
    const dated = await fetchFeed(url(HOSTILE.tooManyRequestsDate), {}, options);
    expect(dated).toMatchObject({ kind: 'error', code: 'http_429', transient: true });
    expect(dated.kind === 'error' && dated.retryAfterSeconds).toBeGreaterThanOrEqual(89);
    expect(dated.kind === 'error' && dated.retryAfterSeconds).toBeLessThanOrEqual(91);
    expect(await fetchFeed(url(HOSTILE.unavailable), {}, options)).toMatchObject({
      kind: 'error',
      code: 'http_503',
      transient: true,
      retryAfterSeconds: 30,
    });
  });

  it('304 with ETag', async () => {
    const first = await fetchFeed(url(HOSTILE.etag), {}, options);
    expect(first).toMatchObject({ kind: 'ok', etag: '"v1"' });
    expect(await fetchFeed(url(HOSTILE.etag), { etag: '"v1"' }, options)).toEqual({ kind: 'not_modified' });
  });

  it.each([
    ['301', HOSTILE.moved301],
    ['308', HOSTILE.moved308],
  ])('%s: the feed, with permanentRedirect set to the new URL', async (_name, p) => {
    const result = await fetchFeed(url(p), {}, options);
    expect(result).toMatchObject({ kind: 'ok', finalUrl: url(HOSTILE.healthy), permanentRedirect: url(HOSTILE.healthy) });
    const temporary = await fetchFeed(url(HOSTILE.temporary), {}, options);
    expect(temporary.kind === 'ok' && temporary.permanentRedirect).toBeUndefined();
  });

  it('410: http_410, permanent', async () => {
    expect(await fetchFeed(url(HOSTILE.gone), {}, options)).toMatchObject({ kind: 'error', code: 'http_410', transient: false, status: 410 });
  });

  it('lying charset header: valid UTF-8 wins over a Latin-1 claim', async () => {
    const parsed = await fetchAndParse(HOSTILE.lyingCharset);
    expect(parsed.kind).toBe('feed');
    expect(parsed.kind === 'feed' && parsed.feed.title).toBe('Новости дня');
    expect(parsed.kind === 'feed' && parsed.feed.items[0]?.title).toBe('Главная новость');
  });

  it('an HTML page instead of a feed: not_a_feed', async () => {
    expect(await fetchAndParse(HOSTILE.html)).toEqual({ kind: 'parse_error', code: 'not_a_feed' });
  });

  it('empty body: empty', async () => {
    expect(await fetchAndParse(HOSTILE.empty)).toEqual({ kind: 'parse_error', code: 'empty' });
  });

  it('truncated XML: a recovered feed or parse_error, never a hang or crash', async () => {
    const m = await measure(() => fetchAndParse(HOSTILE.truncated));
    expect(m.ms).toBeLessThan(3000);
    if (m.value.kind === 'feed') expect(m.value.feed.items.length).toBeGreaterThanOrEqual(1);
    else expect(m.value).toEqual({ kind: 'parse_error', code: 'parse_error' });
  });
});

describe('one poll cycle: 200 feeds, 20 hostile', () => {
  it('ingests all 180 healthy feeds and records each hostile one with its code, within a bound', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nm-hostile-'));
    const stores = openSqliteStores(path.join(dir, 'nm.db'));
    const gone = await startFeedServer();
    const closedPort = gone.port;
    await gone.close();
    try {
      const t0 = new Date('2024-05-01T12:00:00.000Z');
      await stores.catalog.upsertOutlet({ id: 'outlet', name: 'Outlet', tags: [] });
      const healthy = new Map<string, string>();
      for (let i = 0; i < 180; i++) {
        hostile.setRoute(`/feeds/${i}`, { body: smallFeed(`f${i}`), contentType: 'application/rss+xml' });
        const f = await stores.catalog.addFeed(`http://site-${i}.feeds.test:${hostile.port}/feeds/${i}`, 'outlet', t0);
        healthy.set(f.id, `f${i}`);
      }
      const host = (k: number): string => `http://h-${k}.feeds.test:${hostile.port}`;
      const hostileFeeds: Array<[string, string]> = [
        [`${host(0)}${HOSTILE.silent}`, 'timeout'],
        [`${host(1)}${HOSTILE.trickle}`, 'timeout'],
        [`${host(2)}${HOSTILE.endless}`, 'too_large'],
        [`${host(3)}${HOSTILE.gzipBomb}`, 'too_large'],
        [`${host(4)}${HOSTILE.deflateBomb}`, 'too_large'],
        [`${host(5)}${HOSTILE.nestedBomb}`, 'too_large'],
        [`${host(6)}${HOSTILE.redirectLoop}`, 'too_many_redirects'],
        [`${host(7)}${HOSTILE.redirectPrivate}`, 'ssrf_blocked'],
        [`${host(8)}${HOSTILE.tooManyRequestsSeconds}`, 'http_429'],
        [`${host(9)}${HOSTILE.tooManyRequestsDate}`, 'http_429'],
        [`${host(10)}${HOSTILE.unavailable}`, 'http_503'],
        [`${host(11)}${HOSTILE.gone}`, 'http_410'],
        [`${host(12)}${HOSTILE.html}`, 'not_a_feed'],
        [`${host(13)}${HOSTILE.empty}`, 'empty'],
        [`${host(14)}/no-such-feed.xml`, 'http_404'],
        [`${host(15)}${HOSTILE.badEncoding}`, 'bad_encoding'],
        [`${host(16)}${HOSTILE.serverError}`, 'http_500'],
        [`http://h-17.feeds.test:${closedPort}/feed.xml`, 'connection'],
        [`http://nx.feeds.test:${hostile.port}/feed.xml`, 'dns'],
        // Refused on the literal, before any connection is attempted.
        ['http://10.0.0.5/feed.xml', 'ssrf_blocked'],
      ];
      const expected = new Map<string, string>();
      for (const [u, code] of hostileFeeds) expected.set((await stores.catalog.addFeed(u, 'outlet', t0)).id, code);
      expect(expected.size).toBe(20);

      const queue = createCollectingQueue();
      const poller = createPoller({
        catalog: stores.catalog,
        queue,
        logger: silentLogger,
        now: () => t0,
        fetchOptions: options,
        random: () => 0.5,
        concurrency: 16,
      });
      const m = await measure(() => poller.pollDue());
      const summary = m.value;

      expect(summary.totals).toMatchObject({ feeds: 200, ok: 180, errors: 20 });
      const results = new Map(summary.feeds.map((f) => [f.feedId, f]));
      for (const [id, name] of healthy) {
        expect(results.get(id), name).toMatchObject({ status: 'ok', items: 3, enqueued: 3 });
      }
      expect(queue.articles).toHaveLength(540);
      expect(new Set(queue.articles.map((a) => a.feedId))).toEqual(new Set(healthy.keys()));
      for (const [id, code] of expected) {
        expect(results.get(id)?.errorCode, results.get(id)?.url).toBe(code);
        const stored = await stores.catalog.getFeed(id);
        // 410 is recorded like an error but marks the feed gone (no longer due).
        expect(stored, stored?.url).toMatchObject({ lastStatus: code === 'http_410' ? 'gone' : 'error', lastErrorCode: code, consecutiveFailures: 1 });
      }
      for (const id of healthy.keys()) {
        expect(await stores.catalog.getFeed(id)).toMatchObject({ lastStatus: 'ok', lastErrorCode: null, consecutiveFailures: 0 });
      }
      expect(canary.connections()).toBe(0);
      // Hostile feeds cost at most one total deadline (2.5 s) each and run 16 at a time.
      expect(m.ms).toBeLessThan(20_000);
      expect(m.rssGrowthMb).toBeLessThan(250);
    } finally {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
