/**
 * Response handling of the Elasticsearch store, driven by canned responses through the real client: hits and
 * highlights to SearchHits, aggregations to series and term counts, per-item bulk outcomes (duplicates, dead
 * letters, 429 retried with backoff), title dedupe claims, alert-event repair and the delivery state machine.
 */
import { describe, expect, it } from 'vitest';
import { NotFoundError, TransientError } from '../../core/errors.ts';
import type { EnrichedArticle } from '../../core/types.ts';
import { backoffDelay, bulkCreate } from '../../store/elastic/bulk.ts';
import { fragmentToSnippet, HIGHLIGHT_POST as POST, HIGHLIGHT_PRE as PRE } from '../../store/elastic/document.ts';
import {
  createElasticArticleStore,
  deadLetterId,
  titleBucket,
  titleClaimId,
  type ElasticArticleStoreOptions,
} from '../../store/elastic/elastic-article-store.ts';
import { RECORD_DELIVERY_SCRIPT, toTrendSeries } from '../../store/elastic/requests.ts';
import { decodeCursor } from '../../store/sqlite/cursor.ts';
import { alertEventId, titleKey } from '../../store/sqlite/sqlite-article-store.ts';
import { canned, recordingClient, type Route } from './elastic-recording-connection.ts';

const NOW = new Date('2024-04-02T10:00:00.000Z');

function storeWith(routes: Route[], extra: Partial<ElasticArticleStoreOptions> = {}) {
  const { client, requests } = recordingClient(routes);
  const sleeps: number[] = [];
  const store = createElasticArticleStore({
    client,
    manageIndices: false,
    alertWebhook: async (id) => (id === 'chem' ? 'http://127.0.0.1:9/hook' : null),
    retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 1, baseDelayMs: 200, maxAttempts: 5 },
    now: () => NOW,
    ...extra,
  });
  return { store, requests, sleeps };
}

function article(n: number, over: Partial<EnrichedArticle> = {}): EnrichedArticle {
  const id = n.toString(16).padStart(32, '0');
  return {
    id, url: `https://x.example/${n}`, canonicalUrl: `https://x.example/${n}`, feedId: 'feed-x', outletId: 'x', guid: null,
    title: `Short ${n}`, text: 'Body.', publishedAt: '2024-03-04T10:00:00.000Z', firstSeenAt: '2024-03-04T10:00:00.000Z',
    author: null, language: 'en', languageConfidence: 1, keywords: [], entities: [], actors: [], themes: [],
    ...over,
  };
}

const emptySearch: Route = ['POST', /^\/articles\/_search$/, () => canned.emptySearch()];

describe('search responses', () => {
  const source = (id: string, date: string, title: string) => ({
    id, title, url: `https://x.example/${id}`, outletId: 'rt', feedId: 'feed-rt', publishedAt: null, firstSeenAt: date,
    date, dateIsFallback: true, language: 'en', actors: ['a'], themes: [], keywords: ['k'],
  });

  it('maps hits, turns highlights into escaped snippets with <mark>, and encodes the cursor of the last hit', async () => {
    const hits = [
      {
        _id: 'h1', _source: source('h1', '2024-03-11T12:00:00.000Z', 'Western media'), sort: [1710158400000, 'h1'],
        highlight: {
          text: [`Analysts say <script>alert(1)</script> &\n other tricks hide the ${PRE}chemical${POST} truth.`],
          title: ['Western media'],
        },
      },
      {
        _id: 'h2', _source: source('h2', '2024-03-10T09:00:00.000Z', 'Weather <report>'), sort: [1710061200000, 'h2'],
        highlight: { text: ['Sunny skies with a chance'], title: [`${PRE}Weather${POST} <report>`] },
      },
      { _id: 'h3', _source: source('h3', '2024-03-09T09:00:00.000Z', 'Tom & Jerry'), sort: [1709974800000, 'h3'] },
    ];
    const { store } = storeWith([
      ['POST', /^\/articles\/_search$/, () => ({ body: { hits: { total: { value: 7, relation: 'eq' }, hits } } })],
    ]);
    const r = await store.search({ kind: 'term', field: 'text', value: 'chemical' }, { limit: 2 });
    expect(r.total).toBe(7);
    expect(r.hits.map((h) => h.id)).toEqual(['h1', 'h2']);
    expect(r.hits[0]).toEqual({
      ...source('h1', '2024-03-11T12:00:00.000Z', 'Western media'),
      snippet: 'Analysts say &lt;script&gt;alert(1)&lt;/script&gt; &amp; other tricks hide the <mark>chemical</mark> truth.',
    });
    // No mark in the body fragment (a no_match_size fragment): the title fragment with its mark wins.
    expect(r.hits[1]?.snippet).toBe('<mark>Weather</mark> &lt;report&gt;');
    expect(decodeCursor(r.nextCursor ?? '')).toMatchObject({ date: '2024-03-10T09:00:00.000Z', id: 'h2' });

    const last = await store.search({ kind: 'all' }, { limit: 3 });
    expect(last.nextCursor).toBeNull();
    // No highlight at all (empty body, nothing matched): the escaped title.
    expect(last.hits[2]?.snippet).toBe('Tom &amp; Jerry');
  });

  it('fragmentToSnippet keeps only balanced <mark> markup', () => {
    expect(fragmentToSnippet(`a ${POST}b${PRE}c${PRE}d${POST} e ${PRE}f`)).toBe('a b<mark>cd</mark> e <mark>f</mark>');
    expect(fragmentToSnippet(`  x\t\ny  `)).toBe('x y');
    expect(fragmentToSnippet(`${PRE}${POST}"q"`)).toBe('&quot;q&quot;');
  });
});

describe('aggregation responses', () => {
  const histogram = (keys: [string, number][], fallback: number, total: number) => ({
    hits: { total: { value: total, relation: 'eq' } },
    aggregations: {
      over_time: { buckets: keys.map(([day, n]) => ({ key: Date.parse(`${day}T00:00:00Z`), key_as_string: day, doc_count: n })) },
      fallback_dates: { doc_count: fallback },
    },
  });

  it('maps date_histogram buckets to points, skipping empty ones, with the fallback count', async () => {
    const body = histogram([['2024-02-26', 1], ['2024-03-04', 3], ['2024-03-11', 0]], 1, 4);
    const { store } = storeWith([['POST', /^\/articles\/_search$/, () => ({ body })]]);
    expect(await store.countOverTime({ kind: 'all' }, { interval: 'week' })).toEqual({
      points: [{ t: '2024-02-26', count: 1 }, { t: '2024-03-04', count: 3 }],
      total: 4,
      fallbackDateCount: 1,
    });
  });

  it('refuses week buckets that do not start on Monday and month buckets not on the 1st', () => {
    // 2024-03-03 is a Sunday: what a Sunday-based week would give.
    expect(() => toTrendSeries(histogram([['2024-03-03', 2]], 0, 2), 'week')).toThrow(/not a UTC week start/);
    expect(() => toTrendSeries(histogram([['2024-03-02', 2]], 0, 2), 'month')).toThrow(/not a UTC month start/);
    expect(() =>
      toTrendSeries({ aggregations: { over_time: { buckets: [{ key: Date.parse('2024-03-04T05:00:00Z'), doc_count: 1 }] } } }, 'day'),
    ).toThrow(/not a UTC day start/);
    expect(toTrendSeries(histogram([['2024-03-01', 2]], 0, 2), 'month').points).toEqual([{ t: '2024-03-01', count: 2 }]);
  });

  it('maps terms buckets to term counts in order', async () => {
    const { store } = storeWith([
      ['POST', /^\/articles\/_search$/, () => ({
        body: { hits: { total: { value: 9, relation: 'eq' }, hits: [] }, aggregations: { top: { buckets: [{ key: 'rt', doc_count: 4 }, { key: 'bbc', doc_count: 3 }] } } },
      })],
    ]);
    expect(await store.topTerms({ kind: 'all' }, { field: 'outlet', limit: 2 })).toEqual([
      { term: 'rt', count: 4 },
      { term: 'bbc', count: 3 },
    ]);
    await expect(store.topTerms({ kind: 'all' }, { field: 'outlet', limit: 1001 })).rejects.toThrow(/limit/);
  });
});

describe('bulk item outcomes', () => {
  it('409 is a duplicate, 429 is retried with backoff, a mapping error is dead-lettered; events only for created', async () => {
    const [a, b, c, d] = [article(1), article(2), article(3), article(4)];
    let articleBulks = 0;
    const { store, requests, sleeps } = storeWith([
      emptySearch,
      ['POST', /^\/articles-write\/_bulk$/, () => {
        articleBulks += 1;
        return articleBulks === 1
          ? canned.bulkStatuses([201, 409, { status: 429, type: 'es_rejected_execution_exception', reason: 'queue full' },
              { status: 400, type: 'document_parsing_exception', reason: 'failed to parse field [date]' }])
          : canned.bulkStatuses([201]);
      }],
      ['POST', /^\/article-dead-letters\/_bulk$/, () => canned.bulkStatuses([201])],
      ['POST', /^\/alert-events\/_bulk$/, (req) => canned.bulkStatuses(((req.body as unknown[]).length / 2 === 2 ? [201, 201] : [201]))],
    ]);
    const result = await store.insertArticlesDetailed(
      [a, b, c, d].map((article) => ({ article, alertIds: ['chem'] })),
      NOW,
    );
    expect(result.inserted).toEqual([a.id, c.id]);
    expect(result.duplicates).toEqual([b.id]);
    expect(result.deadLettered).toEqual([
      { id: d.id, status: 400, errorType: 'document_parsing_exception', reason: 'failed to parse field [date]', attempts: 1 },
    ]);
    // One retry, after base delay (random pinned to 1 -> the full ceiling of 200 ms).
    expect(sleeps).toEqual([200]);

    const bulks = requests.filter((r) => r.path.endsWith('/_bulk'));
    expect(bulks.map((r) => r.path)).toEqual(['/articles-write/_bulk', '/articles-write/_bulk', '/article-dead-letters/_bulk', '/alert-events/_bulk']);
    // The retry carries only the rejected item.
    expect(bulks[1]?.body).toEqual([{ create: { _id: c.id } }, expect.objectContaining({ id: c.id })]);
    const [action, record] = bulks[2]?.body as [unknown, Record<string, unknown>];
    expect(action).toEqual({ create: { _id: deadLetterId(d.id, 'document_parsing_exception') } });
    expect(record).toMatchObject({
      articleId: d.id, targetIndex: 'articles-write', failedAt: NOW.toISOString(), status: 400,
      errorType: 'document_parsing_exception', reason: 'failed to parse field [date]', attempts: 1,
      document: expect.objectContaining({ id: d.id, title: d.title }),
    });
    const eventIds = (bulks[3]?.body as { create?: { _id: string } }[]).flatMap((l) => (l.create ? [l.create._id] : []));
    expect(eventIds).toEqual([alertEventId('chem', a.id), alertEventId('chem', c.id)]);
    expect(result.alertEvents.map((e) => e.articleId)).toEqual([a.id, c.id]);
  });

  it('gives up with a TransientError when 429s outlast the retries, after exponential delays', async () => {
    const { client, requests } = recordingClient([
      ['POST', /^\/w\/_bulk$/, () => canned.bulkStatuses([{ status: 429, type: 'es_rejected_execution_exception', reason: 'busy' }])],
    ]);
    const sleeps: number[] = [];
    const attempt = bulkCreate(client, 'w', [{ id: 'x', doc: {} }], {
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250, random: () => 1, sleep: async (ms) => void sleeps.push(ms) },
    });
    await expect(attempt).rejects.toBeInstanceOf(TransientError);
    await expect(attempt).rejects.toThrow(/still rejected by w after 4 attempts/);
    expect(requests).toHaveLength(4);
    expect(sleeps).toEqual([100, 200, 250]);
  });

  it('retries a whole bulk request answered 429, and fails fast on other request errors', async () => {
    let calls = 0;
    const { client } = recordingClient([
      ['POST', /^\/w\/_bulk$/, () => (++calls === 1 ? { status: 429, body: { error: { type: 'circuit_breaking_exception', reason: 'memory' }, status: 429 } } : canned.bulkStatuses([201]))],
      ['POST', /^\/bad\/_bulk$/, () => ({ status: 400, body: { error: { type: 'illegal_argument_exception', reason: 'no write index' }, status: 400 } })],
    ]);
    const sleeps: number[] = [];
    const retry = { random: () => 0, sleep: async (ms: number) => void sleeps.push(ms) };
    expect(await bulkCreate(client, 'w', [{ id: 'x', doc: {} }], { retry })).toEqual({ created: ['x'], conflicts: [], failed: [] });
    expect(sleeps).toEqual([100]); // random 0 -> half of the 200 ms ceiling
    await expect(bulkCreate(client, 'bad', [{ id: 'x', doc: {} }], { retry })).rejects.toBeInstanceOf(TransientError);
  });

  it('backoff doubles up to the cap, with half of it jittered', () => {
    const policy = { baseDelayMs: 200, maxDelayMs: 1000, random: () => 0.5 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy))).toEqual([150, 300, 600, 750, 750]);
  });

  it('throws instead of dropping when the dead-letter record cannot be written', async () => {
    const { store } = storeWith([
      emptySearch,
      ['POST', /^\/articles-write\/_bulk$/, () => canned.bulkStatuses([{ status: 400, type: 'strict_dynamic_mapping_exception', reason: 'x' }])],
      ['POST', /^\/article-dead-letters\/_bulk$/, () => ({ status: 500, body: { error: { type: 'x', reason: 'down' }, status: 500 } })],
    ]);
    await expect(store.insertArticles([{ article: article(9), alertIds: [] }], NOW)).rejects.toBeInstanceOf(TransientError);
  });
});

describe('title dedupe claims', () => {
  const title = 'Security Council meets on Syria tonight';
  const key = titleKey(title) ?? '';

  it('a stored claim of another article within 7 days makes a duplicate; a new title claims its bucket first', async () => {
    const dup = article(1, { title, publishedAt: '2024-03-10T10:00:00.000Z' });
    const fresh = article(2, { title: 'Another story entirely about the weather', publishedAt: '2024-03-10T10:00:00.000Z' });
    const dupBucket = titleBucket(Date.parse('2024-03-10T10:00:00.000Z'));
    // The earlier copy sits in the previous bucket, 6 days before.
    const earlierClaimId = titleClaimId('x', key, dupBucket - 1);
    const { store, requests } = storeWith([
      emptySearch,
      ['POST', /^\/article-title-claims\/_mget$/, (req) => ({
        body: {
          docs: ((req.body as { ids: string[] }).ids).map((id) =>
            id === earlierClaimId
              ? { _index: 'c', _id: id, found: true, _source: { outletId: 'x', titleKey: key, bucket: dupBucket - 1, articleId: 'f'.repeat(32), date: '2024-03-04T10:00:00.000Z' } }
              : { _index: 'c', _id: id, found: false }),
        },
      })],
      ['POST', /^\/article-title-claims\/_bulk$/, () => canned.bulkStatuses([201])],
      ['POST', /^\/articles-write\/_bulk$/, () => canned.bulkStatuses([201])],
    ]);
    const r = await store.insertArticles([{ article: dup, alertIds: [] }, { article: fresh, alertIds: [] }], NOW);
    expect(r).toEqual({ inserted: [fresh.id], duplicates: [dup.id], alertEvents: [] });

    const mget = requests.find((q) => q.path === '/article-title-claims/_mget');
    expect((mget?.body as { ids: string[] }).ids).toContain(earlierClaimId);
    const claimBulk = requests.find((q) => q.path === '/article-title-claims/_bulk');
    const freshKey = titleKey(fresh.title) ?? '';
    expect(claimBulk?.body).toEqual([
      { create: { _id: titleClaimId('x', freshKey, dupBucket) } },
      { outletId: 'x', titleKey: freshKey, bucket: dupBucket, articleId: fresh.id, date: '2024-03-10T10:00:00.000Z' },
    ]);
    const articleBulk = requests.find((q) => q.path === '/articles-write/_bulk');
    expect((articleBulk?.body as unknown[])[0]).toEqual({ create: { _id: fresh.id } });
    expect(articleBulk?.body as unknown[]).toHaveLength(2);
  });

  it('claims more than 7 days apart do not count; two copies in one call: the second is a duplicate', async () => {
    const a = article(1, { title, publishedAt: '2024-03-20T10:00:00.000Z' });
    const b = article(2, { title, publishedAt: '2024-03-21T10:00:00.000Z' });
    const bucket = titleBucket(Date.parse(a.publishedAt ?? ''));
    const { store, requests } = storeWith([
      emptySearch,
      ['POST', /^\/article-title-claims\/_mget$/, (req) => ({
        body: {
          docs: ((req.body as { ids: string[] }).ids).map((id) =>
            id === titleClaimId('x', key, bucket - 1)
              ? { _index: 'c', _id: id, found: true, _source: { outletId: 'x', titleKey: key, bucket: bucket - 1, articleId: 'e'.repeat(32), date: '2024-03-13T09:59:59.999Z' } }
              : { _index: 'c', _id: id, found: false }),
        },
      })],
      ['POST', /^\/article-title-claims\/_bulk$/, () => canned.bulkStatuses([201])],
      ['POST', /^\/articles-write\/_bulk$/, () => canned.bulkStatuses([201])],
    ]);
    const r = await store.insertArticles([{ article: a, alertIds: [] }, { article: b, alertIds: [] }], NOW);
    expect(r.inserted).toEqual([a.id]);
    expect(r.duplicates).toEqual([b.id]);
    expect((requests.find((q) => q.path === '/article-title-claims/_bulk')?.body as unknown[])).toHaveLength(2);
  });

  it('a claim lost to a concurrent writer (409) makes the article a duplicate', async () => {
    const a = article(1, { title, publishedAt: '2024-03-20T10:00:00.000Z' });
    const claimId = titleClaimId('x', key, titleBucket(Date.parse('2024-03-20T10:00:00.000Z')));
    let mgets = 0;
    const { store, requests } = storeWith([
      emptySearch,
      ['POST', /^\/article-title-claims\/_mget$/, (req) => {
        mgets += 1;
        if (mgets === 1) return canned.mgetNotFound(req);
        return { body: { docs: [{ _index: 'c', _id: claimId, found: true, _source: { outletId: 'x', titleKey: key, bucket: 0, articleId: 'd'.repeat(32), date: '2024-03-20T10:00:01.000Z' } }] } };
      }],
      ['POST', /^\/article-title-claims\/_bulk$/, () => canned.bulkStatuses([409])],
    ]);
    expect(await store.insertArticles([{ article: a, alertIds: [] }], NOW)).toEqual({ inserted: [], duplicates: [a.id], alertEvents: [] });
    expect(requests.some((q) => q.path === '/articles-write/_bulk')).toBe(false);
  });
});

describe('replays and alert events', () => {
  it('a replayed id is a duplicate; events are re-created from the stored alert ids only when missing', async () => {
    const a = article(1);
    const { store, requests } = storeWith([
      ['POST', /^\/articles\/_search$/, () => ({
        body: { hits: { total: { value: 1, relation: 'eq' }, hits: [{ _id: a.id, _source: { alertIds: ['chem', 'quiet'] } }] } },
      })],
      // 'chem' existed already (409); 'quiet' was lost in a crash and is created now.
      ['POST', /^\/alert-events\/_bulk$/, () => canned.bulkStatuses([409, 201])],
    ]);
    const r = await store.insertArticles([{ article: a, alertIds: ['other'] }], NOW);
    expect(r.inserted).toEqual([]);
    expect(r.duplicates).toEqual([a.id]);
    expect(r.alertEvents).toEqual([
      {
        id: alertEventId('quiet', a.id), alertId: 'quiet', articleId: a.id, createdAt: NOW.toISOString(),
        deliveryStatus: 'none', deliveryAttempts: 0, lastDeliveryError: null, nextDeliveryAt: null,
      },
    ]);
    expect(requests.map((q) => q.path)).toEqual(['/articles/_search', '/alert-events/_bulk']);
  });

  it('lists events and due deliveries with the agreed sort, and records delivery with a guarded script', async () => {
    const { store, requests } = storeWith([
      ['POST', /^\/alert-events\/_search$/, () => canned.emptySearch()],
      ['POST', /^\/alert-events\/_update\/ev1$/, () => ({ body: { result: 'updated' } })],
      ['POST', /^\/alert-events\/_update\/missing$/, () => ({ status: 404, body: { error: { type: 'document_missing_exception', reason: 'missing' }, status: 404 } })],
    ]);
    await store.listAlertEvents('chem', 10);
    await store.dueDeliveries(NOW, 5);
    await store.recordDelivery('ev1', { ok: false, error: 'HTTP 503', retryAt: new Date('2024-04-02T10:01:00.000Z') }, NOW);
    await expect(store.recordDelivery('missing', { ok: true }, NOW)).rejects.toBeInstanceOf(NotFoundError);
    expect(requests[0]?.body).toEqual({
      query: { term: { alertId: 'chem' } }, sort: [{ createdAt: { order: 'desc' } }, { id: { order: 'desc' } }], size: 10,
    });
    expect(requests[1]?.body).toEqual({
      query: { bool: { filter: [{ term: { deliveryStatus: 'pending' } }, { range: { nextDeliveryAt: { lte: NOW.toISOString() } } }] } },
      sort: [{ nextDeliveryAt: { order: 'asc' } }, { id: { order: 'asc' } }],
      size: 5,
    });
    expect(requests[2]?.querystring).toBe('retry_on_conflict=3&refresh=wait_for');
    expect(requests[2]?.body).toEqual({
      script: { source: RECORD_DELIVERY_SCRIPT, lang: 'painless', params: { status: 'pending', error: 'HTTP 503', next: '2024-04-02T10:01:00.000Z' } },
    });
    expect(requests[3]?.body).toMatchObject({ script: { params: { status: 'delivered', error: null, next: null } } });
    expect(RECORD_DELIVERY_SCRIPT).toContain("if (ctx._source.deliveryStatus != 'pending') { ctx.op = 'noop'; return; }");
  });
});
