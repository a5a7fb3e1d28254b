/**
 * The poller end to end without fakes: a real SQLite catalog (and article store) in a temp dir, real HTTP
 * servers on 127.0.0.1, and a collecting queue standing in for the worker side. Politeness is observed on
 * the server side, from request timestamps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Feed } from '../../core/types.ts';
import { createPoller, interleaveByHost, type PollerDeps } from '../../ingest/poller.ts';
import type { Resolver } from '../../ingest/ssrf-guard.ts';
import { openSqliteStores, type SqliteStores } from '../../store/sqlite/open-database.ts';
import { createArticleProcessor } from '../../worker/processors/process-articles.ts';
import { createCollectingQueue, type CollectingQueue } from '../helpers/collecting-queue.ts';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.ts';
import { silentLogger } from '../helpers/silent-logger.ts';

const FEEDS = fileURLToPath(new URL('../../../shared/fixtures/feeds/', import.meta.url));
const GUARDIAN = `${FEEDS}rss-parser/input/guardian.rss`;
const T0 = new Date('2024-05-01T12:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const FETCH = { timeoutMs: 3000, maxBytes: 5_000_000, userAgent: 'nm-test', allowPrivate: true };
// Every *.feeds.test name is this machine: lets one local server play many hosts.
const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];

let dir: string;
let stores: SqliteStores;
let server: FeedServer;
let queue: CollectingQueue;
let clock: Date;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nm-poller-'));
  stores = openSqliteStores(path.join(dir, 'nm.db'));
  await stores.catalog.upsertOutlet({ id: 'guardian', name: 'The Guardian', tags: [] });
  queue = createCollectingQueue();
  clock = T0;
});
afterEach(async () => {
  await server?.close();
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
});

function poller(overrides: Partial<PollerDeps> = {}) {
  return createPoller({
    catalog: stores.catalog,
    queue,
    logger: silentLogger,
    now: () => clock,
    fetchOptions: FETCH,
    intervalMinutes: 15,
    random: () => 0.5,
    concurrency: 4,
    minHostGapMs: 0,
    ...overrides,
  });
}

interface Item {
  title: string;
  link: string;
  guid?: string;
  date?: Date | null;
  /** A pubDate written as is (e.g. an unparseable one). */
  rawDate?: string;
  description?: string;
}

function rss(items: Item[], extra = ''): string {
  const body = items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>${i.link}</link>` +
        (i.guid ? `<guid isPermaLink="false">${i.guid}</guid>` : '') +
        (i.date ? `<pubDate>${i.date.toUTCString()}</pubDate>` : '') +
        (i.rawDate ? `<pubDate>${i.rawDate}</pubDate>` : '') +
        `<description>${i.description ?? `About ${i.title}`}</description></item>`,
    )
    .join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Generated</title><link>https://news.test/</link>${extra}${body}</channel></rss>`;
}

/** `n` items one every `gapMinutes` before `at`. */
function recentItems(n: number, gapMinutes: number, at: Date, prefix = 'story'): Item[] {
  return Array.from({ length: n }, (_, i) => ({
    title: `The ${prefix} number ${i} of this week`,
    link: `https://news.test/${prefix}/${i}`,
    date: new Date(at.getTime() - i * gapMinutes * MIN),
  }));
}

async function unreachableUrl(): Promise<string> {
  const gone = await startFeedServer();
  const url = gone.url('/feed.xml');
  await gone.close();
  return url;
}

async function feed(id: string): Promise<Feed> {
  const f = await stores.catalog.getFeed(id);
  if (!f) throw new Error(`feed ${id} missing`);
  return f;
}

describe('poller: outcomes as data', () => {
  it('enqueues the healthy feed and records failures on their own feeds, with HTTP status and schedule', async () => {
    server = await startFeedServer({
      '/guardian.rss': { file: GUARDIAN, contentType: 'application/rss+xml', etag: '"g1"' },
      '/broken.rss': { status: 500, body: 'internal error' },
    });
    const healthy = await stores.catalog.addFeed(server.url('/guardian.rss'), 'guardian', T0);
    const broken = await stores.catalog.addFeed(server.url('/broken.rss'), 'guardian', T0);
    const unreachable = await stores.catalog.addFeed(await unreachableUrl(), 'guardian', T0);
    const p = poller();
    const dueOrder = (await stores.catalog.dueFeeds(T0, 10)).map((f) => f.id);

    const first = await p.pollDue();
    const byId = new Map(first.feeds.map((f) => [f.feedId, f]));
    expect(byId.get(healthy.id)).toEqual({ feedId: healthy.id, url: healthy.url, status: 'ok', items: 55, enqueued: 55 });
    expect(byId.get(broken.id)).toMatchObject({ status: 'error', errorCode: 'http_500', enqueued: 0 });
    expect(byId.get(unreachable.id)).toMatchObject({ status: 'error', errorCode: 'connection', enqueued: 0 });
    expect(first.totals).toEqual({ feeds: 3, ok: 1, notModified: 0, errors: 2, gone: 0, items: 55, enqueued: 55 });
    // Results come back in the catalog's order whatever order the hosts were polled in.
    expect(first.feeds.map((f) => f.feedId)).toEqual(dueOrder);

    expect(queue.articles).toHaveLength(55);
    expect(new Set(queue.articles.map((a) => a.feedId))).toEqual(new Set([healthy.id]));
    expect(queue.articles[0]).toMatchObject({ outletId: 'guardian', firstSeenAt: T0.toISOString() });

    const h = await feed(healthy.id);
    expect(h).toMatchObject({
      lastStatus: 'ok', etag: '"g1"', title: 'The Guardian', consecutiveFailures: 0, lastErrorCode: null,
      lastHttpStatus: 200, lastFullFetchAt: T0.toISOString(), lastProblems: [],
    });
    expect(h.bodyHash).toMatch(/^[0-9a-f]{64}$/);
    // The fixture's items are from 2018: a feed that quiet is checked once a day.
    expect(h.intervalMinutes).toBe(24 * 60);
    expect(Date.parse(h.nextCheckAt)).toBe(T0.getTime() + DAY);
    const b = await feed(broken.id);
    expect(b).toMatchObject({ lastStatus: 'error', lastErrorCode: 'http_500', consecutiveFailures: 1, lastHttpStatus: 500 });
    expect(b.lastError).toContain('500');
    expect(Date.parse(b.nextCheckAt)).toBe(T0.getTime() + 15 * MIN);
    expect(await feed(unreachable.id)).toMatchObject({ lastStatus: 'error', lastErrorCode: 'connection', consecutiveFailures: 1, lastHttpStatus: null });

    // Nothing is due yet: no request goes out.
    clock = new Date(T0.getTime() + 5 * MIN);
    expect((await p.pollDue()).totals.feeds).toBe(0);
    expect(server.requests('/guardian.rss')).toBe(1);

    clock = new Date(T0.getTime() + 20 * MIN);
    const second = await p.pollDue();
    expect(second.feeds.map((f) => f.feedId).sort()).toEqual([broken.id, unreachable.id].sort());
    const b2 = await feed(broken.id);
    expect(b2.consecutiveFailures).toBe(2);
    // Linear backoff: 2 failures in a row → twice the interval.
    expect(Date.parse(b2.nextCheckAt)).toBe(clock.getTime() + 30 * MIN);
    expect(b2.lastSuccessAt).toBeNull();
  });

  it('sends validators and records not_modified on a 304, keeping the interval', async () => {
    server = await startFeedServer({ '/f': { body: rss(recentItems(10, 10, T0)), etag: '"v1"', lastModified: 'Wed, 01 May 2024 11:00:00 GMT' } });
    const f = await stores.catalog.addFeed(server.url('/f'), 'guardian', T0);
    const p = poller();
    await p.pollDue();
    const after = await feed(f.id);
    // 10 items, one every 10 minutes, the newest now: (90 min) / 10 items = 9 min.
    expect(after.intervalMinutes).toBe(9);
    expect(Date.parse(after.nextCheckAt)).toBe(T0.getTime() + 9 * MIN);

    clock = new Date(T0.getTime() + 10 * MIN);
    const second = await p.pollDue();
    expect(second.feeds[0]).toMatchObject({ status: 'not_modified', items: 0, enqueued: 0 });
    expect(server.lastRequestHeaders('/f')?.['if-none-match']).toBe('"v1"');
    expect(server.lastRequestHeaders('/f')?.['if-modified-since']).toBe('Wed, 01 May 2024 11:00:00 GMT');
    expect(queue.articles).toHaveLength(10);
    expect(queue.enqueueCalls).toBe(1);
    const nm = await feed(f.id);
    expect(nm).toMatchObject({ lastStatus: 'not_modified', lastHttpStatus: 304, intervalMinutes: 9, lastSuccessAt: clock.toISOString(), lastFullFetchAt: T0.toISOString() });
    expect(Date.parse(nm.nextCheckAt)).toBe(clock.getTime() + 9 * MIN);
  });

  it('skips parsing and enqueueing when the body is byte-identical (no validators from the server)', async () => {
    server = await startFeedServer({ '/f': { body: rss(recentItems(5, 60, T0)) } });
    const f = await stores.catalog.addFeed(server.url('/f'), 'guardian', T0);
    const p = poller();
    await p.pollAll();
    expect(queue.enqueueCalls).toBe(1);
    clock = new Date(T0.getTime() + HOUR);
    const second = await p.pollAll();
    expect(second.feeds[0]).toMatchObject({ status: 'not_modified', items: 0, enqueued: 0 });
    expect(second.totals.notModified).toBe(1);
    expect(queue.enqueueCalls).toBe(1);
    expect(await feed(f.id)).toMatchObject({ lastStatus: 'not_modified', lastHttpStatus: 200, lastFullFetchAt: clock.toISOString() });

    // A changed body is parsed and enqueued again.
    server.setRoute('/f', { body: rss(recentItems(6, 60, clock)) });
    clock = new Date(T0.getTime() + 2 * HOUR);
    expect((await p.pollAll()).feeds[0]).toMatchObject({ status: 'ok', items: 6 });
    expect(queue.enqueueCalls).toBe(2);
  });

  it('fetches without validators once the last full response is 12 h old (false 304s)', async () => {
    let body = rss(recentItems(3, 600, T0, 'old'));
    server = await startFeedServer({
      // A broken server: any conditional request gets 304, even after the feed changed.
      '/f': (req: http.IncomingMessage, res: http.ServerResponse) => {
        if (req.headers['if-none-match']) {
          res.writeHead(304, { etag: '"stale"' });
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"stale"' });
        res.end(body);
      },
    });
    const f = await stores.catalog.addFeed(server.url('/f'), 'guardian', T0);
    const p = poller();
    await p.pollAll();
    expect(queue.articles).toHaveLength(3);
    body = rss([...recentItems(2, 60, new Date(T0.getTime() + 6 * HOUR), 'new'), ...recentItems(3, 600, T0, 'old')]);

    clock = new Date(T0.getTime() + 6 * HOUR);
    expect((await p.pollAll()).feeds[0]).toMatchObject({ status: 'not_modified' });
    expect(server.lastRequestHeaders('/f')?.['if-none-match']).toBe('"stale"');
    expect(queue.articles).toHaveLength(3);

    clock = new Date(T0.getTime() + 12 * HOUR);
    expect((await p.pollAll()).feeds[0]).toMatchObject({ status: 'ok', enqueued: 5 });
    expect(server.lastRequestHeaders('/f')?.['if-none-match']).toBeUndefined();
    expect(queue.articles).toHaveLength(5);
    expect((await feed(f.id)).lastFullFetchAt).toBe(clock.toISOString());
  });

  it('saves validators and the body hash only after the queue accepted the items', async () => {
    server = await startFeedServer({ '/guardian.rss': { file: GUARDIAN, etag: '"g1"' } });
    const f = await stores.catalog.addFeed(server.url('/guardian.rss'), 'guardian', T0);
    const p = poller();
    queue.failNext(1);
    const first = await p.pollAll();
    expect(first.feeds[0]).toMatchObject({ status: 'error', errorCode: 'enqueue_failed', items: 55, enqueued: 0 });
    expect(await feed(f.id)).toMatchObject({ etag: null, bodyHash: null, lastFullFetchAt: null, lastErrorCode: 'enqueue_failed', lastHttpStatus: 200 });
    // A transient failure: retried at the normal interval, not in a day.
    expect(Date.parse((await feed(f.id)).nextCheckAt)).toBe(T0.getTime() + 15 * MIN);

    const second = await p.pollAll();
    expect(second.feeds[0]).toMatchObject({ status: 'ok', enqueued: 55 });
    expect(server.lastRequestHeaders('/guardian.rss')?.['if-none-match']).toBeUndefined();
    expect(queue.articles).toHaveLength(55);
    expect(await feed(f.id)).toMatchObject({ etag: '"g1"', consecutiveFailures: 0 });
    expect((await feed(f.id)).bodyHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records parse failures with their stable code and waits a day', async () => {
    server = await startFeedServer({
      '/moved': { file: `${FEEDS}rss-parser/input/unrecognized.rss`, contentType: 'text/html' },
      '/empty': { body: '' },
    });
    const moved = await stores.catalog.addFeed(server.url('/moved'), 'guardian', T0);
    const empty = await stores.catalog.addFeed(server.url('/empty'), 'guardian', T0);
    const summary = await poller().pollDue();
    expect(summary.totals.errors).toBe(2);
    const m = await feed(moved.id);
    expect(m).toMatchObject({ lastStatus: 'error', lastErrorCode: 'not_a_feed', lastHttpStatus: 200 });
    expect(Date.parse(m.nextCheckAt)).toBe(T0.getTime() + DAY);
    expect(await feed(empty.id)).toMatchObject({ lastErrorCode: 'empty' });
  });

  it('follows a 301 to the new URL, keeping the feed id and the old URL as previousUrl', async () => {
    server = await startFeedServer({
      '/old.xml': { redirect: '/new.xml', redirectStatus: 301 },
      '/new.xml': { body: rss(recentItems(3, 60, T0)) },
    });
    const f = await stores.catalog.addFeed(server.url('/old.xml'), 'guardian', T0);
    const p = poller();
    expect((await p.pollAll()).feeds[0]).toMatchObject({ status: 'ok', enqueued: 3 });
    const moved = await feed(f.id);
    expect(moved).toMatchObject({ id: f.id, url: server.url('/new.xml'), previousUrl: server.url('/old.xml'), lastStatus: 'ok' });
    expect(await stores.catalog.listFeeds()).toHaveLength(1);

    clock = new Date(T0.getTime() + HOUR);
    await p.pollAll();
    expect(server.requests('/old.xml')).toBe(1);
    expect(server.requests('/new.xml')).toBe(2);
  });

  it('a temporary redirect does not move the feed', async () => {
    server = await startFeedServer({
      '/old.xml': { redirect: '/new.xml', redirectStatus: 302 },
      '/new.xml': { body: rss(recentItems(3, 60, T0)) },
    });
    const f = await stores.catalog.addFeed(server.url('/old.xml'), 'guardian', T0);
    await poller().pollAll();
    expect(await feed(f.id)).toMatchObject({ url: server.url('/old.xml'), previousUrl: null });
  });

  it('marks a 410 feed gone: shown, not deleted, skipped by pollDue and pollAll unless asked', async () => {
    server = await startFeedServer({ '/gone': { status: 410, body: 'gone' } });
    const f = await stores.catalog.addFeed(server.url('/gone'), 'guardian', T0);
    const p = poller();
    const first = await p.pollDue();
    expect(first.feeds[0]).toMatchObject({ status: 'gone', errorCode: 'http_410' });
    expect(first.totals).toMatchObject({ errors: 1, gone: 1 });
    expect(await feed(f.id)).toMatchObject({ lastStatus: 'gone', lastErrorCode: 'http_410', lastHttpStatus: 410, consecutiveFailures: 1 });

    clock = new Date(T0.getTime() + 30 * DAY);
    expect((await p.pollDue()).totals.feeds).toBe(0);
    expect((await p.pollAll()).totals.feeds).toBe(0);
    expect(server.requests('/gone')).toBe(1);
    expect(await stores.catalog.listFeeds()).toHaveLength(1);

    // The feed came back: an explicit re-check revives it.
    server.setRoute('/gone', { body: rss(recentItems(2, 60, clock)) });
    expect((await p.pollAll({ includeGone: true })).feeds[0]).toMatchObject({ status: 'ok', enqueued: 2 });
    expect(await feed(f.id)).toMatchObject({ lastStatus: 'ok', consecutiveFailures: 0 });
    expect((await stores.catalog.dueFeeds(new Date(clock.getTime() + 2 * DAY), 10)).map((x) => x.id)).toEqual([f.id]);
  });

  it('treats 404 as a soft failure retried slowly, and honours Retry-After of a 429 (seconds and date)', async () => {
    const later = new Date(Date.now() + 2 * HOUR);
    server = await startFeedServer({
      '/missing': { status: 404, body: 'no' },
      '/busy': { status: 429, body: 'slow down', headers: { 'retry-after': '3600' } },
      '/busy-date': {
        status: 503,
        body: 'maintenance',
        headers: { 'retry-after': later.toUTCString(), date: new Date(later.getTime() - 2 * HOUR).toUTCString() },
      },
    });
    const missing = await stores.catalog.addFeed(server.url('/missing'), 'guardian', T0);
    const busy = await stores.catalog.addFeed(server.url('/busy'), 'guardian', T0);
    const busyDate = await stores.catalog.addFeed(server.url('/busy-date'), 'guardian', T0);
    await poller().pollDue();
    const m = await feed(missing.id);
    expect(m).toMatchObject({ lastStatus: 'error', lastErrorCode: 'http_404', lastHttpStatus: 404 });
    expect(Date.parse(m.nextCheckAt)).toBe(T0.getTime() + 4 * HOUR);
    const b = await feed(busy.id);
    expect(b).toMatchObject({ lastErrorCode: 'http_429', lastHttpStatus: 429 });
    // Backoff alone would be 15 min; the server asked for an hour.
    expect(Date.parse(b.nextCheckAt)).toBe(T0.getTime() + HOUR);
    const d = await feed(busyDate.id);
    expect(d).toMatchObject({ lastErrorCode: 'http_503' });
    // Measured against the response's own Date header: 2 h (± 1 s of header rounding).
    expect(Math.abs(Date.parse(d.nextCheckAt) - (T0.getTime() + 2 * HOUR))).toBeLessThanOrEqual(1000);
  });

  it('records recovered problems, date flags and passes Content-Location to the parser', async () => {
    const items = recentItems(2, 60, T0);
    const body = rss([
      { ...items[0]!, title: 'Salt & pepper in the kitchen today', link: 'a/1' },
      { ...items[1]!, date: null, rawDate: 'not a date at all', link: 'a/2' },
    ]);
    server = await startFeedServer({ '/f': { body, headers: { 'content-location': 'https://mirror.test/base/' } } });
    const f = await stores.catalog.addFeed(server.url('/f'), 'guardian', T0);
    await poller().pollAll();
    const got = await feed(f.id);
    expect(got.lastProblems).toContain('unescaped & escaped');
    expect(got.lastProblems).toContain('1 date unparseable');
    expect(queue.articles.map((a) => a.url).sort()).toEqual(['https://mirror.test/base/a/1', 'https://mirror.test/base/a/2']);
  });
});

describe('poller: politeness', () => {
  /** Routes that record request start times and answer after `delayMs`. */
  function timedRoutes(paths: string[], delayMs: number) {
    const starts: Array<{ host: string; at: number }> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const perHost = new Map<string, number>();
    let maxPerHost = 0;
    for (const p of paths) {
      server.setRoute(p, (req, res) => {
        const host = req.headers.host ?? '';
        starts.push({ host, at: Date.now() });
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        perHost.set(host, (perHost.get(host) ?? 0) + 1);
        maxPerHost = Math.max(maxPerHost, perHost.get(host)!);
        setTimeout(() => {
          inFlight--;
          perHost.set(host, perHost.get(host)! - 1);
          res.writeHead(200, { 'content-type': 'application/rss+xml' });
          res.end(rss([{ title: `Only item of ${p} here`, link: `https://news.test${p}` }]));
        }, delayMs);
      });
    }
    return { starts, max: () => maxInFlight, maxPerHost: () => maxPerHost };
  }

  it('respects the global concurrency limit across hosts', async () => {
    server = await startFeedServer();
    const paths = Array.from({ length: 6 }, (_, i) => `/f${i}`);
    const seen = timedRoutes(paths, 50);
    for (const [i, p] of paths.entries()) await stores.catalog.addFeed(`http://h${i}.feeds.test:${server.port}${p}`, 'guardian', T0);
    const summary = await poller({ concurrency: 2, fetchOptions: { ...FETCH, resolver } }).pollDue();
    expect(summary.totals).toMatchObject({ feeds: 6, ok: 6, enqueued: 6 });
    expect(seen.max()).toBe(2);
  });

  it('keeps at most perHostConcurrency requests on one host and a minimum gap between their starts', async () => {
    server = await startFeedServer();
    const paths = Array.from({ length: 8 }, (_, i) => `/p${i}`);
    const seen = timedRoutes(paths, 250);
    // Two hosts, four feeds each.
    for (const [i, p] of paths.entries()) await stores.catalog.addFeed(`http://${i % 2 ? 'a' : 'b'}.feeds.test:${server.port}${p}`, 'guardian', T0);
    const gapMs = 150;
    const started = Date.now();
    const summary = await poller({ concurrency: 8, perHostConcurrency: 2, minHostGapMs: gapMs, fetchOptions: { ...FETCH, resolver } }).pollDue();
    expect(summary.totals).toMatchObject({ feeds: 8, ok: 8 });
    expect(seen.maxPerHost()).toBe(2);
    // Both hosts were served at the same time: the global limit (8) was not the bottleneck.
    expect(seen.max()).toBe(4);
    for (const host of new Set(seen.starts.map((s) => s.host))) {
      const times = seen.starts.filter((s) => s.host === host).map((s) => s.at);
      expect(times).toHaveLength(4);
      // Seen on arrival at the server: a new connection's handshake can delay one request a little more than
      // the next (reused socket), so allow 20 ms; without the gap two starts would be ~0 ms apart.
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(gapMs - 20);
    }
    // 4 requests per host, 2 at a time, 250 ms each: at least two rounds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('keeps the gap across consecutive polls of the same host', async () => {
    server = await startFeedServer();
    const seen = timedRoutes(['/one'], 0);
    await stores.catalog.addFeed(`http://a.feeds.test:${server.port}/one`, 'guardian', T0);
    const p = poller({ minHostGapMs: 300, fetchOptions: { ...FETCH, resolver } });
    await p.pollAll();
    clock = new Date(T0.getTime() + HOUR);
    await p.pollAll();
    expect(seen.starts).toHaveLength(2);
    expect(seen.starts[1]!.at - seen.starts[0]!.at).toBeGreaterThanOrEqual(280);
  });

  it('exempts loopback literals (the operator\'s own machine) unless told otherwise', async () => {
    server = await startFeedServer();
    const paths = Array.from({ length: 4 }, (_, i) => `/l${i}`);
    const seen = timedRoutes(paths, 150);
    for (const p of paths) await stores.catalog.addFeed(server.url(p), 'guardian', T0);
    await poller({ concurrency: 4, perHostConcurrency: 2, minHostGapMs: 1000 }).pollAll();
    expect(seen.max()).toBe(4);
    clock = new Date(T0.getTime() + DAY);
    const limited = timedRoutes(paths, 150);
    await poller({ concurrency: 4, perHostConcurrency: 2, minHostGapMs: 0, politenessExempt: () => false }).pollAll();
    expect(limited.starts).toHaveLength(4);
    expect(limited.max()).toBe(2);
  });

  it('interleaves feeds by host so one busy host does not queue the others behind it', () => {
    const mk = (url: string) => ({ id: url, url }) as Feed;
    const order = interleaveByHost(['http://a/1', 'http://a/2', 'http://a/3', 'http://b/1', 'http://c/1', 'http://b/2'].map(mk));
    expect(order.map((f) => f.url)).toEqual(['http://a/1', 'http://b/1', 'http://c/1', 'http://a/2', 'http://b/2', 'http://a/3']);
  });

  it('fetches feeds whose last attempt was too_large one at a time', async () => {
    server = await startFeedServer();
    const paths = Array.from({ length: 4 }, (_, i) => `/big${i}`);
    const seen = timedRoutes(paths, 100);
    const ids: string[] = [];
    for (const [i, p] of paths.entries()) ids.push((await stores.catalog.addFeed(`http://h${i}.feeds.test:${server.port}${p}`, 'guardian', T0)).id);
    for (const id of ids) {
      await stores.catalog.recordFeedOutcome(id, { status: 'error', at: T0, nextCheckAt: T0, errorCode: 'too_large', errorMessage: 'bomb' });
    }
    const summary = await poller({ concurrency: 4, fetchOptions: { ...FETCH, resolver } }).pollDue();
    expect(summary.totals.ok).toBe(4);
    expect(seen.max()).toBe(1);
  });
});

describe('poller: GUID-rewriting feeds', () => {
  it('a feed that changes every GUID and link on each poll produces no duplicate articles', async () => {
    await stores.catalog.upsertOutlet({ id: 'rewriter', name: 'Rewriter', tags: [] });
    let poll = 0;
    server = await startFeedServer({
      '/f': (_req, res) => {
        poll++;
        const items: Item[] = [
          { title: 'Ministry denies the reports of shelling', link: `https://rw.test/a?session=${poll}`, guid: `a-${poll}`, date: new Date(T0.getTime() - HOUR) },
          { title: 'Ministry   denies the reports of SHELLING!', link: `https://rw.test/a2?session=${poll}`, guid: `a2-${poll}` },
          { title: 'Talks resume in Geneva after a pause', link: `https://rw.test/b?s=${poll}`, guid: `b-${poll}`, date: new Date(T0.getTime() - 2 * HOUR) },
          // Too short to identify a story: never deduplicated by title.
          { title: 'Live updates', link: `https://rw.test/live?s=${poll}`, guid: `live-${poll}` },
        ];
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.end(rss(items));
      },
    });
    await stores.catalog.addFeed(server.url('/f'), 'rewriter', T0);
    const process = createArticleProcessor({ store: stores.articles, catalog: stores.catalog, logger: silentLogger, now: () => clock });
    const p = poller();
    const inserted: string[] = [];
    const duplicates: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock = new Date(T0.getTime() + i * 6 * HOUR);
      const before = queue.articles.length;
      expect((await p.pollAll()).feeds[0]).toMatchObject({ status: 'ok', enqueued: 4 });
      const r = await process(queue.articles.slice(before));
      inserted.push(...r.inserted);
      duplicates.push(...r.duplicates);
    }
    expect(poll).toBe(3);
    expect(queue.articles).toHaveLength(12);
    // Two stories once each, plus one "Live updates" per poll.
    expect(inserted).toHaveLength(5);
    expect(duplicates).toHaveLength(7);
    expect(await stores.articles.count()).toBe(5);
    const titles = (await Promise.all(inserted.map((id) => stores.articles.getArticle(id)))).map((a) => a?.title);
    expect(titles.filter((t) => t === 'Live updates')).toHaveLength(3);
    expect(titles.filter((t) => t?.startsWith('Ministry'))).toHaveLength(1);
  });
});

describe('poller: loop', () => {
  it('runLoop polls due feeds and stops on abort', async () => {
    server = await startFeedServer({ '/guardian.rss': { file: GUARDIAN, etag: '"g1"' } });
    await stores.catalog.addFeed(server.url('/guardian.rss'), 'guardian', T0);
    const controller = new AbortController();
    const loop = poller().runLoop(controller.signal);
    const deadline = Date.now() + 5000;
    while (queue.articles.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(queue.articles).toHaveLength(55);
    const started = Date.now();
    controller.abort();
    await loop;
    // The loop was sleeping (nothing due for a day of the frozen clock) and woke up on abort at once.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests('/guardian.rss')).toBe(1);
  });

  it('refuses a private feed when allowPrivate is false and records ssrf_blocked', async () => {
    server = await startFeedServer({ '/guardian.rss': { file: GUARDIAN } });
    const f = await stores.catalog.addFeed(server.url('/guardian.rss'), 'guardian', T0);
    const p = poller({ fetchOptions: { ...FETCH, allowPrivate: false } });
    const summary = await p.pollDue();
    expect(summary.feeds[0]).toMatchObject({ status: 'error', errorCode: 'ssrf_blocked' });
    expect(server.connections()).toBe(0);
    expect(await feed(f.id)).toMatchObject({ lastErrorCode: 'ssrf_blocked' });
  });
});
