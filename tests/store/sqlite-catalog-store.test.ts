/**
 * SQLite catalog store against a real temp-file database: outlets, feed health bookkeeping, watchlist
 * entities, and article counts joined from the archive in the same file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../core/errors.ts';
import { feedId } from '../../core/ids.ts';
import type { EnrichedArticle } from '../../core/types.ts';
import { openSqliteStores, type SqliteStores } from '../../store/sqlite/open-database.ts';

let dir: string;
let stores: SqliteStores;
const T0 = new Date('2024-05-01T12:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nm-catalog-'));
  stores = openSqliteStores(path.join(dir, 'catalog.db'));
});
afterEach(async () => {
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('outlets', () => {
  it('upserts, lists by id and gets one, leaving unset optional fields absent', async () => {
    const { catalog } = stores;
    await catalog.upsertOutlet({ id: 'rt', name: 'RT', country: 'RU', language: 'ru', tags: ['state-affiliated'] });
    await catalog.upsertOutlet({ id: 'bbc', name: 'BBC', homepage: 'https://www.bbc.co.uk/', tags: [] });
    expect((await catalog.listOutlets()).map((o) => o.id)).toEqual(['bbc', 'rt']);
    expect(await catalog.getOutlet('bbc')).toEqual({ id: 'bbc', name: 'BBC', homepage: 'https://www.bbc.co.uk/', tags: [] });
    expect(await catalog.getOutlet('nope')).toBeNull();

    await catalog.upsertOutlet({ id: 'rt', name: 'RT International', tags: ['state-affiliated', 'tv'] });
    expect(await catalog.getOutlet('rt')).toEqual({ id: 'rt', name: 'RT International', tags: ['state-affiliated', 'tv'] });
    expect(await catalog.listOutlets()).toHaveLength(2);
  });
});

describe('feeds', () => {
  it('adds a feed as new and due now, with the id of its normalized URL', async () => {
    const url = 'https://www.rt.com/rss/news/';
    const feed = await stores.catalog.addFeed(url, 'rt', T0);
    expect(feed).toEqual({
      id: feedId(url),
      url,
      outletId: 'rt',
      title: null,
      etag: null,
      lastModified: null,
      lastFetchAt: null,
      lastSuccessAt: null,
      lastStatus: 'new',
      lastErrorCode: null,
      lastError: null,
      consecutiveFailures: 0,
      nextCheckAt: T0.toISOString(),
      lastHttpStatus: null,
      intervalMinutes: null,
      articleCount: 0,
      articlesPerDay: 0,
      previousUrl: null,
      lastProblems: [],
      bodyHash: null,
      lastFullFetchAt: null,
    });
    expect(await stores.catalog.getFeed(feed.id)).toEqual(feed);
  });

  it('is idempotent: the same feed URL (modulo normalization) returns the stored feed unchanged', async () => {
    const first = await stores.catalog.addFeed('https://www.rt.com/rss/news/', 'rt', T0);
    await stores.catalog.recordFeedOutcome(first.id, { status: 'ok', at: minutes(1), nextCheckAt: minutes(30), etag: '"v1"' });
    const again = await stores.catalog.addFeed('HTTPS://WWW.RT.COM/rss/news?utm_source=x#top', 'other-outlet', minutes(5));
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ url: 'https://www.rt.com/rss/news/', outletId: 'rt', etag: '"v1"', lastStatus: 'ok' });
    expect(await stores.catalog.listFeeds()).toHaveLength(1);
  });

  it('two connections adding the same feed create one row', async () => {
    const other = openSqliteStores(path.join(dir, 'catalog.db'));
    try {
      const a = await stores.catalog.addFeed('https://example.org/feed.xml', 'ex', T0);
      const b = await other.catalog.addFeed('https://example.org/feed.xml', 'ex', minutes(1));
      expect(b).toEqual(a);
      expect(await other.catalog.listFeeds()).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('dueFeeds returns feeds with nextCheckAt <= now, oldest first, limited', async () => {
    const { catalog } = stores;
    const a = await catalog.addFeed('https://a.example/feed', 'a', minutes(10));
    const b = await catalog.addFeed('https://b.example/feed', 'b', minutes(0));
    const c = await catalog.addFeed('https://c.example/feed', 'c', minutes(5));
    const d = await catalog.addFeed('https://d.example/feed', 'd', minutes(60));
    expect((await catalog.dueFeeds(minutes(10), 10)).map((f) => f.id)).toEqual([b.id, c.id, a.id]);
    expect((await catalog.dueFeeds(minutes(10), 2)).map((f) => f.id)).toEqual([b.id, c.id]);
    expect(await catalog.dueFeeds(minutes(-1), 10)).toEqual([]);
    await catalog.recordFeedOutcome(b.id, { status: 'ok', at: minutes(10), nextCheckAt: minutes(70) });
    expect((await catalog.dueFeeds(minutes(65), 10)).map((f) => f.id)).toEqual([c.id, a.id, d.id]);
  });

  it('records health: errors accumulate, success resets them and keeps validators', async () => {
    const { catalog } = stores;
    const feed = await catalog.addFeed('https://lemonde.example/rss', 'lemonde', T0);

    await catalog.recordFeedOutcome(feed.id, {
      status: 'ok', at: minutes(1), nextCheckAt: minutes(31),
      title: 'Le Monde', etag: '"abc"', lastModified: 'Wed, 01 May 2024 12:00:00 GMT',
    });
    let got = await catalog.getFeed(feed.id);
    expect(got).toMatchObject({
      lastStatus: 'ok', title: 'Le Monde', etag: '"abc"', lastModified: 'Wed, 01 May 2024 12:00:00 GMT',
      lastFetchAt: minutes(1).toISOString(), lastSuccessAt: minutes(1).toISOString(),
      nextCheckAt: minutes(31).toISOString(), consecutiveFailures: 0,
    });

    await catalog.recordFeedOutcome(feed.id, {
      status: 'error', at: minutes(31), nextCheckAt: minutes(41), errorCode: 'http_503', errorMessage: 'fetch-feed: 503',
    });
    await catalog.recordFeedOutcome(feed.id, {
      status: 'error', at: minutes(41), nextCheckAt: minutes(61), errorCode: 'timeout', errorMessage: 'fetch-feed: timeout',
    });
    got = await catalog.getFeed(feed.id);
    expect(got).toMatchObject({
      lastStatus: 'error', consecutiveFailures: 2, lastErrorCode: 'timeout', lastError: 'fetch-feed: timeout',
      lastFetchAt: minutes(41).toISOString(), lastSuccessAt: minutes(1).toISOString(),
      etag: '"abc"', title: 'Le Monde', nextCheckAt: minutes(61).toISOString(),
    });

    // not_modified is a success: it resets the failure streak; omitted validators are kept.
    await catalog.recordFeedOutcome(feed.id, { status: 'not_modified', at: minutes(61), nextCheckAt: minutes(91) });
    got = await catalog.getFeed(feed.id);
    expect(got).toMatchObject({
      lastStatus: 'not_modified', consecutiveFailures: 0, lastErrorCode: null, lastError: null,
      lastSuccessAt: minutes(61).toISOString(), etag: '"abc"', lastModified: 'Wed, 01 May 2024 12:00:00 GMT',
    });

    // An explicit null clears a validator the server stopped sending.
    await catalog.recordFeedOutcome(feed.id, { status: 'ok', at: minutes(91), nextCheckAt: minutes(121), etag: null });
    expect((await catalog.getFeed(feed.id))?.etag).toBeNull();
  });

  it('an error without a code is recorded with the generic code', async () => {
    const feed = await stores.catalog.addFeed('https://x.example/rss', 'x', T0);
    await stores.catalog.recordFeedOutcome(feed.id, { status: 'error', at: T0, nextCheckAt: minutes(10) });
    expect(await stores.catalog.getFeed(feed.id)).toMatchObject({ lastErrorCode: 'error', lastError: null, consecutiveFailures: 1 });
  });

  it('recordFeedOutcome of an unknown feed is a NotFoundError', async () => {
    await expect(
      stores.catalog.recordFeedOutcome('0123456789abcdef', { status: 'ok', at: T0, nextCheckAt: T0 }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('listFeeds carries the number of stored articles per feed', async () => {
    const { catalog, articles } = stores;
    const rt = await catalog.addFeed('https://rt.example/rss', 'rt', T0);
    const bbc = await catalog.addFeed('https://bbc.example/rss', 'bbc', T0);
    const article = (n: number, feed: string): EnrichedArticle => ({
      id: n.toString(16).padStart(32, '0'),
      url: `https://rt.example/${n}`,
      canonicalUrl: `https://rt.example/${n}`,
      feedId: feed,
      outletId: 'rt',
      guid: null,
      title: `Story ${n}`,
      text: 'Body text.',
      publishedAt: null,
      firstSeenAt: T0.toISOString(),
      author: null,
      language: 'en',
      languageConfidence: 1,
      keywords: [],
      entities: [],
      actors: [],
      themes: [],
    });
    await articles.insertArticles([1, 2, 3].map((n) => ({ article: article(n, rt.id), alertIds: [] })), T0);
    const feeds = await catalog.listFeeds();
    expect(feeds.find((f) => f.id === rt.id)?.articleCount).toBe(3);
    expect(feeds.find((f) => f.id === bbc.id)?.articleCount).toBe(0);
    expect((await catalog.getFeed(rt.id))?.articleCount).toBe(3);
    expect((await catalog.dueFeeds(T0, 10)).find((f) => f.id === rt.id)?.articleCount).toBe(3);
  });
});

describe('feed schedule and health fields', () => {
  it('records HTTP status, interval, problems, body hash and full-fetch time; undefined keeps, null clears', async () => {
    const { catalog } = stores;
    const feed = await catalog.addFeed('https://tass.example/rss', 'tass', T0);
    await catalog.recordFeedOutcome(feed.id, {
      status: 'ok', at: minutes(1), nextCheckAt: minutes(11), httpStatus: 200, intervalMinutes: 10,
      problems: ['unescaped & escaped', '2 dates unparseable'], bodyHash: 'ab'.repeat(32), fullFetch: true,
    });
    expect(await catalog.getFeed(feed.id)).toMatchObject({
      lastHttpStatus: 200, intervalMinutes: 10, lastProblems: ['unescaped & escaped', '2 dates unparseable'],
      bodyHash: 'ab'.repeat(32), lastFullFetchAt: minutes(1).toISOString(),
    });
    // A 304 keeps problems, hash and full-fetch time; the status is overwritten.
    await catalog.recordFeedOutcome(feed.id, { status: 'not_modified', at: minutes(11), nextCheckAt: minutes(21), httpStatus: 304 });
    expect(await catalog.getFeed(feed.id)).toMatchObject({
      lastStatus: 'not_modified', lastHttpStatus: 304, intervalMinutes: 10, lastProblems: ['unescaped & escaped', '2 dates unparseable'],
      bodyHash: 'ab'.repeat(32), lastFullFetchAt: minutes(1).toISOString(),
    });
    // No response at all: the HTTP status is cleared.
    await catalog.recordFeedOutcome(feed.id, { status: 'error', at: minutes(21), nextCheckAt: minutes(31), errorCode: 'dns' });
    expect(await catalog.getFeed(feed.id)).toMatchObject({ lastHttpStatus: null, lastErrorCode: 'dns', intervalMinutes: 10, bodyHash: 'ab'.repeat(32) });
    await catalog.recordFeedOutcome(feed.id, { status: 'ok', at: minutes(31), nextCheckAt: minutes(41), problems: [], bodyHash: null });
    expect(await catalog.getFeed(feed.id)).toMatchObject({ lastProblems: [], bodyHash: null, consecutiveFailures: 0 });
  });

  it('moves a feed to its new URL keeping the id, and remembers the old URL', async () => {
    const { catalog } = stores;
    const feed = await catalog.addFeed('http://old.example/feed', 'x', T0);
    await catalog.recordFeedOutcome(feed.id, { status: 'ok', at: minutes(1), nextCheckAt: minutes(2), newUrl: 'https://new.example/feed' });
    expect(await catalog.getFeed(feed.id)).toMatchObject({ id: feed.id, url: 'https://new.example/feed', previousUrl: 'http://old.example/feed' });
    // The same URL again is not a move.
    await catalog.recordFeedOutcome(feed.id, { status: 'ok', at: minutes(2), nextCheckAt: minutes(3), newUrl: 'https://new.example/feed' });
    expect((await catalog.getFeed(feed.id))?.previousUrl).toBe('http://old.example/feed');
  });

  it('a gone feed is recorded like an error, kept, and never due', async () => {
    const { catalog } = stores;
    const feed = await catalog.addFeed('https://gone.example/feed', 'x', T0);
    await catalog.recordFeedOutcome(feed.id, { status: 'gone', at: minutes(1), nextCheckAt: minutes(2), httpStatus: 410, errorMessage: 'fetch-feed: 410' });
    expect(await catalog.getFeed(feed.id)).toMatchObject({ lastStatus: 'gone', lastErrorCode: 'http_410', lastHttpStatus: 410, consecutiveFailures: 1 });
    expect(await catalog.dueFeeds(minutes(10_000), 10)).toEqual([]);
    expect((await catalog.listFeeds()).map((f) => f.id)).toEqual([feed.id]);
  });

  it('articlesPerDay averages the 7 days before the last fetch, by article date', async () => {
    const { catalog, articles } = stores;
    const feed = await catalog.addFeed('https://rate.example/rss', 'rate', T0);
    const make = (n: number, publishedAt: string | null): EnrichedArticle => ({
      id: n.toString(16).padStart(32, '0'), url: `https://rate.example/${n}`, canonicalUrl: `https://rate.example/${n}`,
      feedId: feed.id, outletId: 'rate', guid: null, title: `Rate story ${n}`, text: 'Body.', publishedAt,
      firstSeenAt: T0.toISOString(), author: null, language: 'en', languageConfidence: 1, keywords: [], entities: [], actors: [], themes: [],
    });
    const days = (d: number) => new Date(T0.getTime() - d * 86_400_000).toISOString();
    // 14 articles in the last week (one undated, placed at firstSeenAt = T0), 5 older ones.
    const recent = Array.from({ length: 13 }, (_, i) => make(i + 1, days(i * 0.5)));
    const old = Array.from({ length: 5 }, (_, i) => make(100 + i, days(8 + i)));
    await articles.insertArticles([...recent, make(50, null), ...old].map((article) => ({ article, alertIds: [] })), T0);
    await catalog.recordFeedOutcome(feed.id, { status: 'ok', at: T0, nextCheckAt: minutes(10) });
    const got = await catalog.getFeed(feed.id);
    expect(got?.articleCount).toBe(19);
    expect(got?.articlesPerDay).toBe(2);
    expect((await catalog.listFeeds())[0]?.articlesPerDay).toBe(2);
  });

  it('stores the outlet fullText option, absent when off', async () => {
    const { catalog } = stores;
    await catalog.upsertOutlet({ id: 'sum', name: 'Summaries', tags: [], fullText: true });
    expect(await catalog.getOutlet('sum')).toEqual({ id: 'sum', name: 'Summaries', tags: [], fullText: true });
    await catalog.upsertOutlet({ id: 'sum', name: 'Summaries', tags: [], fullText: false });
    expect(await catalog.getOutlet('sum')).toEqual({ id: 'sum', name: 'Summaries', tags: [] });
  });
});

describe('watchlist entities', () => {
  it('upserts and lists actors with their aliases', async () => {
    const { catalog } = stores;
    await catalog.upsertActor({ id: 'white-helmets', name: 'White Helmets', type: 'organization', aliases: ['Белые каски', 'الخوذ البيضاء'] });
    await catalog.upsertActor({ id: 'assad', name: 'Bashar al-Assad', type: 'person', aliases: [] });
    await catalog.upsertActor({ id: 'white-helmets', name: 'White Helmets (SCD)', type: 'group', aliases: ['Syria Civil Defence'] });
    expect(await catalog.listActors()).toEqual([
      { id: 'assad', name: 'Bashar al-Assad', type: 'person', aliases: [] },
      { id: 'white-helmets', name: 'White Helmets (SCD)', type: 'group', aliases: ['Syria Civil Defence'] },
    ]);
  });

  it('upserts and lists themes', async () => {
    const { catalog } = stores;
    await catalog.upsertTheme({ id: 'staged', name: 'Staged attack', query: '"staged attack"' });
    await catalog.upsertTheme({ id: 'staged', name: 'Staged chemical attack', query: '"staged attack" AND chemical' });
    expect(await catalog.listThemes()).toEqual([
      { id: 'staged', name: 'Staged chemical attack', query: '"staged attack" AND chemical' },
    ]);
  });

  it('upserts, lists and gets alerts; webhookUrl absent when unset', async () => {
    const { catalog } = stores;
    const hooked = { id: 'chem', name: 'Chem', query: 'chemical', webhookUrl: 'http://127.0.0.1:9/x', createdAt: T0.toISOString() };
    const quiet = { id: 'quiet', name: 'Quiet', query: 'helmets', createdAt: T0.toISOString() };
    await catalog.upsertAlert(hooked);
    await catalog.upsertAlert(quiet);
    expect(await catalog.listAlerts()).toEqual([hooked, quiet]);
    expect(await catalog.getAlert('quiet')).toEqual(quiet);
    expect(await catalog.getAlert('missing')).toBeNull();
    const { webhookUrl: _dropped, ...unhooked } = hooked;
    await catalog.upsertAlert(unhooked);
    expect(await catalog.getAlert('chem')).toEqual(unhooked);
  });
});
