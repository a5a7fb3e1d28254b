/** The API through app.request against real SQLite stores: search, errors, terms, articles, feeds, watchlist. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ActorsResponse,
  AlertEventsResponse,
  AlertsResponse,
  AlertView,
  ErrorResponse,
  FeedsResponse,
  FeedView,
  HealthResponse,
  OutletsResponse,
  SearchResponse,
  ThemesResponse,
  TopTermsResponse,
} from '../../dashboard/api/schemas.ts';
import { pino } from 'pino';
import type { Article } from '../../core/types.ts';
import { createApp } from '../../dashboard/api/app.ts';
import type { ArticleStore } from '../../store/article-store.ts';
import { ARTICLES, FIXED_NOW, postJson, setupApi, type TestEnv } from './api-fixtures.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await setupApi();
});
afterEach(async () => {
  await env.cleanup();
});

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await env.app.request(url);
  return { status: res.status, body: (await res.json()) as T };
}

describe('GET /api/health', () => {
  it('counts stored articles and feeds', async () => {
    await env.stores.catalog.addFeed('https://rt.example/rss', 'rt', FIXED_NOW);
    const { status, body } = await getJson<HealthResponse>('/api/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', store: 'sqlite', queue: 'embedded', articles: 4, feeds: 1 });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('GET /api/search', () => {
  it('finds articles and marks the matched words in escaped snippets', async () => {
    const { status, body } = await getJson<SearchResponse>('/api/search?q=chemical');
    expect(status).toBe(200);
    expect(body.query).toBe('chemical');
    expect(body.total).toBe(2);
    expect(body.hits.map((h) => h.id).sort()).toEqual([ARTICLES[0]!.id, ARTICLES[2]!.id].sort());
    for (const hit of body.hits) expect(hit.snippet.toLowerCase()).toContain('<mark>chemical</mark>');
  });

  it('resolves actor names and aliases, case-insensitively, to ids', async () => {
    const byName = await getJson<SearchResponse>(`/api/search?q=${encodeURIComponent('actor:"white helmets"')}`);
    const byAlias = await getJson<SearchResponse>(`/api/search?q=${encodeURIComponent('actor:"Белые каски"')}`);
    const expected = [ARTICLES[0]!.id, ARTICLES[3]!.id].sort();
    expect(byName.body.hits.map((h) => h.id).sort()).toEqual(expected);
    expect(byAlias.body.hits.map((h) => h.id).sort()).toEqual(expected);
  });

  it('filters by outlet (name or id) and date range', async () => {
    const { body } = await getJson<SearchResponse>('/api/search?q=syria&outlet=BBC%20News&from=2018-02-01&to=2018-03-01');
    expect(body.hits.map((h) => h.id)).toEqual([ARTICLES[2]!.id]);
    const early = await getJson<SearchResponse>('/api/search?q=syria&to=2018-02-06');
    expect(early.body.hits.map((h) => h.id)).toEqual([ARTICLES[0]!.id]);
  });

  it('pages with the cursor', async () => {
    const first = await getJson<SearchResponse>('/api/search?limit=3');
    expect(first.body.hits).toHaveLength(3);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await getJson<SearchResponse>(`/api/search?limit=3&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    const ids = [...first.body.hits, ...second.body.hits].map((h) => h.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('answers 400 with the position for an unclosed parenthesis', async () => {
    const { status, body } = await getJson<ErrorResponse>(`/api/search?q=${encodeURIComponent('syria AND (chemical')}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('query_syntax');
    expect(body.error.param).toBe('q');
    expect(typeof body.error.position).toBe('number');
    // The error points at the "(" that is never closed, or at the end of the text where ")" is missing.
    expect([10, 19]).toContain(body.error.position);
  });

  it('answers 400 with the position of an unterminated quote', async () => {
    const { status, body } = await getJson<ErrorResponse>(`/api/search?q=${encodeURIComponent('syria "chemical attack')}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('query_syntax');
    expect(body.error.position).toBe(6);
    expect(body.error.message).toMatch(/quote/i);
  });

  it('answers 400 naming an unknown actor', async () => {
    const { status, body } = await getJson<ErrorResponse>('/api/search?q=actor:nobody-known');
    expect(status).toBe(400);
    expect(body.error.code).toBe('unknown_actor');
    expect(body.error.message).toContain('nobody-known');
    // The position points at the value after "actor:".
    expect(body.error.position).toBe(6);
  });

  it('answers 400 invalid_request naming a bad parameter', async () => {
    const { status, body } = await getJson<ErrorResponse>('/api/search?q=syria&limit=500');
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.param).toBe('limit');
    expect(body.error.message).toMatch(/^limit: /);
    const badDate = await getJson<ErrorResponse>('/api/search?from=2018-02-31');
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.param).toBe('from');
    const unknownOutlet = await getJson<ErrorResponse>('/api/search?outlet=nope');
    expect(unknownOutlet.status).toBe(400);
    expect(unknownOutlet.body.error).toMatchObject({ code: 'unknown_outlet', param: 'outlet' });
  });
});

describe('GET /api/terms and /api/articles/:id', () => {
  it('counts top terms of a query', async () => {
    const { status, body } = await getJson<TopTermsResponse>('/api/terms?field=outlet&q=syria');
    expect(status).toBe(200);
    expect(body.field).toBe('outlet');
    expect(body.terms).toEqual(expect.arrayContaining([{ term: 'rt', count: 2 }, { term: 'bbc', count: 1 }]));
  });

  it('returns a stored article and 404 for an unknown one', async () => {
    const a = ARTICLES[3]!;
    const { status, body } = await getJson<Article>(`/api/articles/${a.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: a.id, title: a.title, date: a.firstSeenAt, dateIsFallback: true });
    const missing = await getJson<ErrorResponse>(`/api/articles/${'0'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('answers 500 with a generic message and logs the cause', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });
    const failing: ArticleStore = Object.create(env.stores.articles, {
      count: { value: async () => Promise.reject(new Error('disk on fire')) },
    });
    const app = createApp({ ...env.deps, logger, articles: failing });
    const res = await app.request('/api/health');
    expect(res.status).toBe(500);
    const body = (await res.json()) as ErrorResponse;
    expect(body.error.code).toBe('internal');
    expect(body.error.message).not.toContain('disk on fire');
    expect(lines.join('')).toContain('disk on fire');
  });

  it('answers unknown endpoints with a JSON 404', async () => {
    const { status, body } = await getJson<ErrorResponse>('/api/nothing-here');
    expect(status).toBe(404);
    expect(body.error.code).toBe('not_found');
  });
});

describe('feeds', () => {
  it('refuses a URL the checker refuses, without adding anything', async () => {
    const res = await postJson(env.app, '/api/feeds', { url: 'http://10.0.0.1/feed.xml', outlet: 'rt' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorResponse;
    expect(body.error).toMatchObject({ code: 'url_refused', param: 'url' });
    expect(body.error.message).toContain('private address');
    expect(await env.stores.catalog.listFeeds()).toEqual([]);
  });

  it('adds an allowed feed to a new outlet and lists it with its health', async () => {
    const res = await postJson(env.app, '/api/feeds', { url: 'https://news.example/world/rss.xml', outlet: 'Example News' });
    expect(res.status).toBe(201);
    const feed = (await res.json()) as FeedView;
    expect(feed).toMatchObject({ outletId: 'example-news', outletName: 'Example News', lastStatus: 'new', consecutiveFailures: 0 });

    const outlets = await getJson<OutletsResponse>('/api/outlets');
    expect(outlets.body.outlets.map((o) => o.id).sort()).toEqual(['bbc', 'example-news', 'rt']);

    const list = await getJson<FeedsResponse>('/api/feeds');
    expect(list.status).toBe(200);
    expect(list.body.feeds).toHaveLength(1);
    const listed = list.body.feeds[0]!;
    expect(listed).toMatchObject({ id: feed.id, url: feed.url, outletName: 'Example News', lastErrorCode: null, articleCount: 0 });
    expect(listed).toHaveProperty('nextCheckAt');
    expect(listed).toHaveProperty('lastSuccessAt', null);

    const again = await postJson(env.app, '/api/feeds', { url: 'https://news.example/world/rss.xml', outlet: 'Example News' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as FeedView).id).toBe(feed.id);
  });

  it('finds an existing outlet by name, case-insensitively', async () => {
    const res = await postJson(env.app, '/api/feeds', { url: 'https://bbc.example/rss', outlet: 'bbc news' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ outletId: 'bbc', outletName: 'BBC News' });
    expect((await env.stores.catalog.listOutlets()).length).toBe(2);
  });

  it('passes the health fields through, counts every state and filters with ?status=', async () => {
    const { catalog } = env.stores;
    const at = new Date('2018-03-01T11:00:00.000Z');
    const nextCheckAt = new Date('2018-03-01T12:30:00.000Z');
    const ok = await catalog.addFeed('https://ok.example/rss', 'rt', FIXED_NOW);
    const failing = await catalog.addFeed('https://failing.example/rss', 'rt', FIXED_NOW);
    const gone = await catalog.addFeed('https://gone.example/rss', 'bbc', FIXED_NOW);
    const fresh = await catalog.addFeed('https://new.example/rss', 'bbc', FIXED_NOW);
    await catalog.recordFeedOutcome(ok.id, { status: 'ok', at, nextCheckAt, httpStatus: 200, intervalMinutes: 30 });
    await catalog.recordFeedOutcome(failing.id, {
      status: 'error',
      at,
      nextCheckAt,
      httpStatus: 503,
      errorCode: 'http_503',
      errorMessage: 'fetch-feed: 503 from failing.example',
    });
    await catalog.recordFeedOutcome(gone.id, { status: 'gone', at, nextCheckAt, httpStatus: 410, errorCode: 'http_410', errorMessage: 'fetch-feed: 410 from gone.example' });

    const all = await getJson<FeedsResponse>('/api/feeds');
    expect(all.status).toBe(200);
    expect(all.body.counts).toEqual({ total: 4, new: 1, ok: 1, not_modified: 0, error: 1, gone: 1 });
    const byId = new Map(all.body.feeds.map((f) => [f.id, f]));
    expect(byId.get(ok.id)).toMatchObject({ lastStatus: 'ok', lastHttpStatus: 200, intervalMinutes: 30, lastErrorCode: null, consecutiveFailures: 0 });
    expect(byId.get(failing.id)).toMatchObject({
      lastStatus: 'error',
      lastHttpStatus: 503,
      lastErrorCode: 'http_503',
      lastError: 'fetch-feed: 503 from failing.example',
      consecutiveFailures: 1,
      nextCheckAt: nextCheckAt.toISOString(),
      outletName: 'RT',
    });
    expect(byId.get(gone.id)).toMatchObject({ lastStatus: 'gone', lastHttpStatus: 410, lastErrorCode: 'http_410', outletName: 'BBC News' });
    expect(byId.get(fresh.id)).toMatchObject({ lastStatus: 'new', lastHttpStatus: null });
    for (const f of all.body.feeds) expect(typeof f.articlesPerDay).toBe('number');

    const failingOnly = await getJson<FeedsResponse>('/api/feeds?status=error');
    expect(failingOnly.body.feeds.map((f) => f.id)).toEqual([failing.id]);
    // The counts stay those of all feeds, so a filtered page still knows how many fail in total.
    expect(failingOnly.body.counts.total).toBe(4);
    expect((await getJson<FeedsResponse>('/api/feeds?status=gone')).body.feeds.map((f) => f.id)).toEqual([gone.id]);
    expect((await getJson<FeedsResponse>('/api/feeds?status=not_modified')).body.feeds).toEqual([]);

    const bad = await getJson<ErrorResponse>('/api/feeds?status=broken');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_request', param: 'status' });
  });

  it('reports a body that is not valid', async () => {
    const res = await postJson(env.app, '/api/feeds', { url: 'not a url', outlet: 'rt' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorResponse;
    expect(body.error).toMatchObject({ code: 'invalid_request', param: 'url' });
    const malformed = await env.app.request('/api/feeds', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ErrorResponse).error.code).toBe('invalid_request');
  });
});

describe('actors, themes, alerts', () => {
  it('round-trips an actor with a default id and tells the worker', async () => {
    const res = await postJson(env.app, '/api/actors', { name: 'Sergei Lavrov', type: 'person', aliases: ['Сергей Лавров'] });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: 'sergei-lavrov', name: 'Sergei Lavrov', type: 'person', aliases: ['Сергей Лавров'] });
    expect(env.watchlistChanges.count).toBe(1);
    const { body } = await getJson<ActorsResponse>('/api/actors');
    expect(body.actors.find((a) => a.id === 'sergei-lavrov')).toMatchObject({ name: 'Sergei Lavrov', aliases: ['Сергей Лавров'] });

    const update = await postJson(env.app, '/api/actors', { id: 'sergei-lavrov', name: 'Sergey Lavrov', type: 'person' });
    expect(update.status).toBe(200);
    expect((await getJson<ActorsResponse>('/api/actors')).body.actors.find((a) => a.id === 'sergei-lavrov')?.name).toBe('Sergey Lavrov');
    // The new alias resolves in queries right away.
    const search = await getJson<SearchResponse>(`/api/search?q=${encodeURIComponent('actor:"Sergey Lavrov"')}`);
    expect(search.status).toBe(200);
  });

  it('round-trips a theme and rejects one whose query does not parse', async () => {
    const ok = await postJson(env.app, '/api/themes', { name: 'Staged attacks', query: 'staged AND actor:"White Helmets"' });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ id: 'staged-attacks', name: 'Staged attacks', query: 'staged AND actor:"White Helmets"' });
    const { body } = await getJson<ThemesResponse>('/api/themes');
    expect(body.themes.map((t) => t.id).sort()).toEqual(['chemical', 'staged-attacks']);

    const bad = await postJson(env.app, '/api/themes', { name: 'Broken', query: 'syria AND (chemical' });
    expect(bad.status).toBe(400);
    const err = (await bad.json()) as ErrorResponse;
    expect(err.error.code).toBe('query_syntax');
    expect(err.error.param).toBe('query');
    expect(typeof err.error.position).toBe('number');

    const selfRef = await postJson(env.app, '/api/themes', { name: 'Nested', query: 'theme:chemical' });
    expect(selfRef.status).toBe(400);
    expect(env.watchlistChanges.count).toBe(1);
  });

  it('round-trips an alert with createdAt from the clock and a checked webhook', async () => {
    const refused = await postJson(env.app, '/api/alerts', { name: 'Sochi', query: 'sochi', webhookUrl: 'http://10.0.0.1/hook' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorResponse).error).toMatchObject({ code: 'url_refused', param: 'webhookUrl' });

    const unknownActor = await postJson(env.app, '/api/alerts', { name: 'X', query: 'actor:nobody' });
    expect(unknownActor.status).toBe(400);
    expect(((await unknownActor.json()) as ErrorResponse).error.code).toBe('unknown_actor');

    const res = await postJson(env.app, '/api/alerts', { name: 'Sochi', query: 'sochi', webhookUrl: 'https://hooks.example/nm' });
    expect(res.status).toBe(201);
    const created = (await res.json()) as AlertView;
    expect(created).toEqual({
      id: 'sochi',
      name: 'Sochi',
      query: 'sochi',
      webhookUrl: 'https://hooks.example/nm',
      createdAt: FIXED_NOW.toISOString(),
      eventCount: 0,
    });
    const { body } = await getJson<AlertsResponse>('/api/alerts');
    expect(body.alerts.find((a) => a.id === 'sochi')).toEqual(created);
    expect(body.alerts.find((a) => a.id === 'helmets-alert')?.eventCount).toBe(2);
    expect(env.watchlistChanges.count).toBe(1);
  });

  it('lists alert events newest first with their articles, and 404 for an unknown alert', async () => {
    const { status, body } = await getJson<AlertEventsResponse>('/api/alerts/helmets-alert/events?limit=10');
    expect(status).toBe(200);
    expect(body.events).toHaveLength(2);
    expect(body.events.map((e) => e.article?.id).sort()).toEqual([ARTICLES[0]!.id, ARTICLES[3]!.id].sort());
    expect(body.events[0]).toMatchObject({ alertId: 'helmets-alert', deliveryStatus: 'none' });
    expect(body.events[0]!.article).toMatchObject({ title: expect.any(String), outletId: expect.any(String) });

    const limited = await getJson<AlertEventsResponse>('/api/alerts/helmets-alert/events?limit=1');
    expect(limited.body.events).toHaveLength(1);

    const missing = await getJson<ErrorResponse>('/api/alerts/no-such-alert/events');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });
});
