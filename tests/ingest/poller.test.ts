/**
 * The poller end to end without fakes: a real SQLite catalog in a temp dir, real HTTP servers on
 * 127.0.0.1, and a collecting queue standing in for the worker side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Feed } from '../../core/types.ts';
import { createPoller, type PollerDeps } from '../../ingest/poller.ts';
import { openSqliteStores, type SqliteStores } from '../../store/sqlite/open-database.ts';
import { createCollectingQueue, type CollectingQueue } from '../helpers/collecting-queue.ts';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.ts';
import { silentLogger } from '../helpers/silent-logger.ts';

const FEEDS = fileURLToPath(new URL('../../../shared/fixtures/feeds/', import.meta.url));
const GUARDIAN = `${FEEDS}rss-parser/input/guardian.rss`;
const T0 = new Date('2024-05-01T12:00:00.000Z');
const MIN = 60_000;

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
    fetchOptions: { timeoutMs: 3000, maxBytes: 5_000_000, userAgent: 'nm-test', allowPrivate: true },
    intervalMinutes: 15,
    random: () => 0.5,
    concurrency: 2,
    ...overrides,
  });
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

describe('poller', () => {
  it('enqueues the healthy feed, records failures on their own feeds, and enqueues 0 on a 304 re-poll', async () => {
    server = await startFeedServer({
      '/guardian.rss': { file: GUARDIAN, contentType: 'application/rss+xml', etag: '"g1"' },
      '/broken.rss': { status: 500, body: 'internal error' },
    });
    const healthy = await stores.catalog.addFeed(server.url('/guardian.rss'), 'guardian', T0);
    const broken = await stores.catalog.addFeed(server.url('/broken.rss'), 'guardian', T0);
    const unreachable = await stores.catalog.addFeed(await unreachableUrl(), 'guardian', T0);
    const p = poller();

    const first = await p.pollDue();
    const byId = new Map(first.feeds.map((f) => [f.feedId, f]));
    expect(byId.get(healthy.id)).toEqual({ feedId: healthy.id, url: healthy.url, status: 'ok', items: 55, enqueued: 55 });
    expect(byId.get(broken.id)).toMatchObject({ status: 'error', errorCode: 'http_500', enqueued: 0 });
    expect(byId.get(unreachable.id)).toMatchObject({ status: 'error', errorCode: 'connection', enqueued: 0 });
    expect(first.totals).toEqual({ feeds: 3, ok: 1, notModified: 0, errors: 2, items: 55, enqueued: 55 });

    expect(queue.articles).toHaveLength(55);
    expect(new Set(queue.articles.map((a) => a.feedId))).toEqual(new Set([healthy.id]));
    expect(queue.articles[0]).toMatchObject({ outletId: 'guardian', firstSeenAt: T0.toISOString() });

    const h = await feed(healthy.id);
    expect(h).toMatchObject({ lastStatus: 'ok', etag: '"g1"', title: 'The Guardian', consecutiveFailures: 0, lastErrorCode: null });
    expect(Date.parse(h.nextCheckAt)).toBe(T0.getTime() + 15 * MIN);
    const b = await feed(broken.id);
    expect(b).toMatchObject({ lastStatus: 'error', lastErrorCode: 'http_500', consecutiveFailures: 1 });
    expect(b.lastError).toContain('500');
    expect(Date.parse(b.nextCheckAt)).toBe(T0.getTime() + 15 * MIN);
    expect(await feed(unreachable.id)).toMatchObject({ lastStatus: 'error', lastErrorCode: 'connection', consecutiveFailures: 1 });

    // Nothing is due yet: no request goes out.
    clock = new Date(T0.getTime() + 5 * MIN);
    expect((await p.pollDue()).totals.feeds).toBe(0);
    expect(server.requests('/guardian.rss')).toBe(1);

    clock = new Date(T0.getTime() + 20 * MIN);
    const second = await p.pollDue();
    const again = new Map(second.feeds.map((f) => [f.feedId, f]));
    expect(again.get(healthy.id)).toMatchObject({ status: 'not_modified', items: 0, enqueued: 0 });
    expect(server.lastRequestHeaders('/guardian.rss')?.['if-none-match']).toBe('"g1"');
    expect(queue.articles).toHaveLength(55);
    const b2 = await feed(broken.id);
    expect(b2.consecutiveFailures).toBe(2);
    // Linear backoff: 2 failures in a row → twice the interval.
    expect(Date.parse(b2.nextCheckAt)).toBe(clock.getTime() + 30 * MIN);
    expect((await feed(healthy.id)).lastStatus).toBe('not_modified');
  });

  it('pollAll polls every feed even when none is due', async () => {
    server = await startFeedServer({ '/guardian.rss': { file: GUARDIAN, etag: '"g1"' } });
    await stores.catalog.addFeed(server.url('/guardian.rss'), 'guardian', T0);
    const p = poller();
    await p.pollDue();
    expect((await p.pollDue()).totals.feeds).toBe(0);
    const all = await p.pollAll();
    expect(all.totals).toMatchObject({ feeds: 1, notModified: 1 });
    expect(server.requests('/guardian.rss')).toBe(2);
  });

  it('does not save validators when enqueueing fails, so the next poll refetches everything', async () => {
    server = await startFeedServer({ '/guardian.rss': { file: GUARDIAN, etag: '"g1"' } });
    const f = await stores.catalog.addFeed(server.url('/guardian.rss'), 'guardian', T0);
    const p = poller();
    queue.failNext(1);
    const first = await p.pollAll();
    expect(first.feeds[0]).toMatchObject({ status: 'error', errorCode: 'enqueue_failed', items: 55, enqueued: 0 });
    expect(await feed(f.id)).toMatchObject({ etag: null, lastErrorCode: 'enqueue_failed' });

    const second = await p.pollAll();
    expect(second.feeds[0]).toMatchObject({ status: 'ok', enqueued: 55 });
    expect(server.lastRequestHeaders('/guardian.rss')?.['if-none-match']).toBeUndefined();
    expect(queue.articles).toHaveLength(55);
    expect(await feed(f.id)).toMatchObject({ etag: '"g1"', consecutiveFailures: 0 });
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
    expect(m).toMatchObject({ lastStatus: 'error', lastErrorCode: 'not_a_feed' });
    expect(Date.parse(m.nextCheckAt)).toBe(T0.getTime() + 24 * 60 * MIN);
    expect(await feed(empty.id)).toMatchObject({ lastErrorCode: 'empty' });
  });

  it('refuses a private feed when allowPrivate is false and records ssrf_blocked', async () => {
    server = await startFeedServer({ '/guardian.rss': { file: GUARDIAN } });
    const f = await stores.catalog.addFeed(server.url('/guardian.rss'), 'guardian', T0);
    const p = poller({ fetchOptions: { timeoutMs: 3000, maxBytes: 5_000_000, userAgent: 'nm-test', allowPrivate: false } });
    const summary = await p.pollDue();
    expect(summary.feeds[0]).toMatchObject({ status: 'error', errorCode: 'ssrf_blocked' });
    expect(server.connections()).toBe(0);
    expect(await feed(f.id)).toMatchObject({ lastErrorCode: 'ssrf_blocked' });
  });

  it('respects the concurrency limit', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    server = await startFeedServer();
    for (let i = 0; i < 6; i++) {
      server.setRoute(`/f${i}`, (_req, res) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          res.writeHead(200, { 'content-type': 'application/rss+xml' });
          res.end(`<rss version="2.0"><channel><title>f${i}</title><item><link>https://news.test/${i}</link></item></channel></rss>`);
        }, 50);
      });
      await stores.catalog.addFeed(server.url(`/f${i}`), 'guardian', T0);
    }
    const summary = await poller({ concurrency: 2 }).pollDue();
    expect(summary.totals).toMatchObject({ feeds: 6, ok: 6, enqueued: 6 });
    expect(maxInFlight).toBe(2);
  });

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
    // The loop was sleeping (nothing due for 15 min of the frozen clock) and woke up on abort at once.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests('/guardian.rss')).toBe(1);
  });
});
