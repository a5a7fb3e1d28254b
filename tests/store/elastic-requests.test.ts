/**
 * Golden request bodies of the Elasticsearch store: the real client serializes every request into a recording
 * Connection (no server), and the bodies must equal the hand-written JSON under tests/store/golden/.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { QueryNode, TagField, TextField } from '../../core/query/ast.ts';
import type { EnrichedArticle } from '../../core/types.ts';
import type { TermField } from '../../store/article-store.ts';
import { createElasticArticleStore, type ElasticArticleStore } from '../../store/elastic/elastic-article-store.ts';
import { encodeCursor } from '../../store/sqlite/cursor.ts';
import { canned, golden, recordingClient, type RecordedRequest, type Route } from './elastic-recording-connection.ts';

const term = (value: string, field: TextField = 'text'): QueryNode => ({ kind: 'term', field, value });
const phrase = (words: string[], field: TextField = 'text'): QueryNode => ({ kind: 'phrase', field, words });
const tag = (field: TagField, value: string): QueryNode => ({ kind: 'tag', field, value });
const and = (...children: QueryNode[]): QueryNode => ({ kind: 'and', children });
const or = (...children: QueryNode[]): QueryNode => ({ kind: 'or', children });
const not = (child: QueryNode): QueryNode => ({ kind: 'not', child });

function storeWith(routes: Route[]): { store: ElasticArticleStore; requests: RecordedRequest[] } {
  const { client, requests } = recordingClient(routes);
  const store = createElasticArticleStore({
    client,
    manageIndices: false,
    alertWebhook: async (id) => (id === 'chem' ? 'http://127.0.0.1:9/hook' : null),
  });
  return { store, requests };
}

const searchRoute: Route = ['POST', /^\/articles\/_search$/, () => canned.emptySearch()];

describe('query compiler goldens (through store.search)', () => {
  const cases: [string, QueryNode][] = [
    ['all', { kind: 'all' }],
    ['term', term('helmets')],
    ['title term', term('chemical', 'title')],
    ['Arabic term', term('إدلب')],
    ['term with query-syntax characters stays one literal value', term('a:b OR "c"* (d)')],
    ['phrase', phrase(['white', 'helmets'])],
    ['title phrase', phrase(['security', 'council'], 'title')],
    ['empty phrase', phrase([])],
    ['phrase with an empty word', phrase(['white', ''])],
    ['tag outlet', tag('outlet', 'rt')],
    ['tag lang', tag('lang', 'ar')],
    ['tag actor', tag('actor', 'white-helmets')],
    ['tag theme', tag('theme', 'staged-chemical-attack')],
    ['and', and(term('chemical'), tag('actor', 'white-helmets'))],
    ['or', or(tag('theme', 'staged-chemical-attack'), term('idlib', 'title'))],
    ['not', not(tag('lang', 'fr'))],
    ['nested and/or/not', and(or(term('council'), term('conseil')), not(and(tag('lang', 'fr'), term('urgence'))))],
    ['empty and', and()],
    ['empty or', or()],
    ['proximity', { kind: 'proximity', field: 'text', words: ['white', 'helmets'], distance: 3 }],
    ['title proximity of three words', { kind: 'proximity', field: 'title', words: ['chemical', 'attack', 'douma'], distance: 0 }],
    ['proximity with an impossible word', { kind: 'proximity', field: 'text', words: ['white', 'a b'], distance: 3 }],
    ['wildcard', { kind: 'prefix', field: 'text', value: 'idl' }],
    ['title wildcard', { kind: 'prefix', field: 'title', value: 'хим' }],
    ['date range', { kind: 'date', gte: '2018-02-01T00:00:00.000Z', lt: '2018-03-02T00:00:00.000Z' }],
    ['open date range', { kind: 'date', lt: '2018-03-01T00:00:00.000Z' }],
    ['unbounded date range', { kind: 'date' }],
    ['tag entity', tag('entity', 'jabhat al nusra')],
    ['tag keyword', tag('keyword', 'white helmets')],
    ['outlet group (collection:/country:)', or(tag('outlet', 'rt'), tag('outlet', 'tass'))],
    ['outlet group or text', or(tag('outlet', 'rt'), term('idlib'), tag('outlet', 'tass'))],
    [
      'nested new constructs',
      and(
        { kind: 'proximity', field: 'text', words: ['white', 'helmets'], distance: 5 },
        not({ kind: 'prefix', field: 'title', value: 'stag' }),
        { kind: 'date', gte: '2018-02-01T00:00:00.000Z' },
      ),
    ],
  ];

  let goldens: Record<string, unknown>;
  beforeEach(async () => {
    goldens = (await golden('elastic-query-constructs.json')) as Record<string, unknown>;
  });

  it('has a golden for every case and no stale golden', () => {
    expect(Object.keys(goldens).sort()).toEqual(cases.map(([name]) => name).sort());
  });

  it.each(cases)('%s', async (name, query) => {
    const { store, requests } = storeWith([searchRoute]);
    await store.search(query, { limit: 10 });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.method).toBe('POST');
    expect(requests[0]?.path).toBe('/articles/_search');
    expect((requests[0]?.body as { query?: unknown }).query).toEqual(goldens[name]);
  });

  it('never sends query_string or simple_query_string', async () => {
    const { store, requests } = storeWith([searchRoute]);
    for (const [, query] of cases) await store.search(query, { limit: 10 });
    const all = JSON.stringify(requests.map((r) => r.body));
    expect(all).not.toMatch(/query_string/);
  });
});

describe('search request goldens', () => {
  it('sort, search_after, highlight, outlets and date range', async () => {
    const goldens = (await golden('elastic-search-requests.json')) as Record<string, unknown>;
    const { store, requests } = storeWith([searchRoute]);
    await store.search(and(phrase(['white', 'helmets']), not(term('idlib')), term('chemical', 'title')), {
      limit: 20,
      from: '2024-03-01',
      to: '2024-03-31T12:00:00+02:00',
      outlets: ['rt', 'bbc'],
      cursor: encodeCursor({ date: '2024-03-04T10:00:00.000Z', id: 'abc' }),
    });
    await store.search(tag('lang', 'ar'), { limit: 5, outlets: [] });
    expect(requests.map((r) => [r.method, r.path, r.querystring])).toEqual([
      ['POST', '/articles/_search', ''],
      ['POST', '/articles/_search', ''],
    ]);
    expect(requests[0]?.body).toEqual(goldens['phrase AND NOT term AND title term, with cursor, date range and outlets']);
    expect(requests[1]?.body).toEqual(goldens['tag only, first page']);
  });

  it('rejects bad limits, cursors and dates before sending anything', async () => {
    const { store, requests } = storeWith([searchRoute]);
    await expect(store.search({ kind: 'all' }, { limit: 0 })).rejects.toThrow(/limit/);
    await expect(store.search({ kind: 'all' }, { limit: 101 })).rejects.toThrow(/limit/);
    await expect(store.search({ kind: 'all' }, { limit: 5, cursor: 'not a cursor!' })).rejects.toThrow(/cursor/);
    await expect(store.search({ kind: 'all' }, { limit: 5, from: 'yesterday' })).rejects.toThrow(/from is not an ISO date/);
    expect(requests).toEqual([]);
  });
});

describe('aggregation goldens', () => {
  let goldens: Record<string, unknown>;
  beforeEach(async () => {
    goldens = (await golden('elastic-aggregations.json')) as Record<string, unknown>;
  });
  const emptyAgg: Route = [
    'POST',
    /^\/articles\/_search$/,
    () => ({ body: { hits: { total: { value: 0, relation: 'eq' }, hits: [] }, aggregations: {} } }),
  ];

  it('countOverTime: date_histogram per interval plus the fallback filter', async () => {
    const { store, requests } = storeWith([emptyAgg]);
    await store.countOverTime(or(tag('actor', 'white-helmets'), term('conseil')), {
      interval: 'week', from: '2024-03-01', to: '2024-03-31', outlets: ['lemonde'],
    });
    await store.countOverTime({ kind: 'all' }, { interval: 'day' });
    await store.countOverTime({ kind: 'all' }, { interval: 'month' });
    expect(requests.map((r) => r.body)).toEqual([
      goldens['countOverTime week, filtered'],
      goldens['countOverTime day, everything'],
      goldens['countOverTime month'],
    ]);
  });

  it('topTerms: a terms aggregation on the keyword field of each TermField', async () => {
    const { store, requests } = storeWith([emptyAgg]);
    await store.topTerms(tag('actor', 'white-helmets'), { field: 'entities', limit: 10, from: '2024-03-04' });
    expect(requests[0]?.body).toEqual(goldens['topTerms entities, from']);

    const fields = goldens['topTerms fields'] as Record<TermField, string>;
    for (const field of Object.keys(fields) as TermField[]) {
      await store.topTerms({ kind: 'all' }, { field, limit: 3 });
      const body = requests[requests.length - 1]?.body as { aggs: { top: { terms: { field: string; size: number } } } };
      expect(body.aggs.top.terms).toMatchObject({ field: fields[field], size: 3 });
    }
  });

  it('articleCountsByFeed pages through a composite aggregation', async () => {
    const pages = [
      { buckets: [{ key: { feed: 'feed-a' }, doc_count: 3 }, { key: { feed: 'feed-b' }, doc_count: 1 }], after_key: { feed: 'feed-b' } },
      { buckets: [] },
    ];
    const { store, requests } = storeWith([
      ['POST', /^\/articles\/_search$/, (_req, nth) => ({ body: { hits: { total: { value: 4, relation: 'eq' }, hits: [] }, aggregations: { feeds: pages[nth - 1] } } })],
    ]);
    expect(await store.articleCountsByFeed()).toEqual(new Map([['feed-a', 3], ['feed-b', 1]]));
    expect(requests.map((r) => r.body)).toEqual([goldens['articleCountsByFeed first page'], goldens['articleCountsByFeed next page']]);
  });
});

describe('insert request goldens', () => {
  const base = {
    feedId: 'feed-rt', outletId: 'rt', author: null, keywords: [], entities: [], actors: [], themes: [],
  };
  const first: EnrichedArticle = {
    ...base,
    id: '00000000000000000000000000000001',
    url: 'https://rt.example/a?utm_source=x',
    canonicalUrl: 'https://rt.example/a',
    guid: 'g1',
    title: "Élysée: L'été",
    text: "Don't panic — 1,200 réfugiés <b>",
    publishedAt: '2024-03-04T12:00:00+02:00',
    firstSeenAt: '2024-03-04T10:05:00.000Z',
    author: 'Staff',
    language: 'fr',
    languageConfidence: 0.8,
    keywords: ['réfugiés'],
    themes: ['t1'],
    entities: [{ text: 'Élysée', type: 'ORG', start: 0, end: 6 }],
  };
  const second: EnrichedArticle = {
    ...base,
    id: '00000000000000000000000000000002',
    url: 'https://rt.example/b',
    canonicalUrl: 'https://rt.example/b',
    guid: null,
    title: 'Белые каски',
    text: '',
    summary: 'Кратко',
    publishedAt: null,
    firstSeenAt: '2024-03-05T08:00:00.000Z',
    language: 'ru',
    languageConfidence: 0.5,
    actors: ['white-helmets'],
  };

  it('checks existing ids, bulk-creates by id on the write alias, then creates alert events by id', async () => {
    const expected = (await golden('elastic-insert-requests.json')) as { requests: RecordedRequest[] };
    const { store, requests } = storeWith([
      searchRoute,
      ['POST', /^\/articles-write\/_bulk$/, () => canned.bulkStatuses([201, 201])],
      ['POST', /^\/alert-events\/_bulk$/, () => canned.bulkStatuses([201])],
    ]);
    const result = await store.insertArticles(
      [
        { article: first, alertIds: ['chem', 'chem'] },
        { article: second, alertIds: [] },
        { article: { ...first, title: 'A second copy of the same id' }, alertIds: ['chem'] },
      ],
      new Date('2024-04-02T10:00:00.000Z'),
    );
    expect(requests).toEqual(expected.requests);
    expect(result.inserted).toEqual([first.id, second.id]);
    expect(result.duplicates).toEqual([first.id]);
    expect(result.alertEvents).toEqual([
      {
        id: '0412a2f21ced5e4a5e041c1af3d1f8d4', alertId: 'chem', articleId: first.id, createdAt: '2024-04-02T10:00:00.000Z',
        deliveryStatus: 'pending', deliveryAttempts: 0, lastDeliveryError: null, nextDeliveryAt: '2024-04-02T10:00:00.000Z',
      },
    ]);
  });
});

describe('highlight queries of the new constructs', () => {
  it('highlights a proximity with span_near and a wildcard with prefix on the raw field', async () => {
    const { highlightQuery } = await import('../../store/elastic/query-to-elastic.ts');
    const q = and(
      { kind: 'proximity', field: 'text', words: ['white', 'helmets'], distance: 2 },
      { kind: 'prefix', field: 'title', value: 'idl' },
      not({ kind: 'prefix', field: 'text', value: 'rus' }),
      { kind: 'date', gte: '2018-01-01T00:00:00.000Z' },
    );
    expect(highlightQuery(q, 'text')).toEqual({
      span_near: { clauses: [{ span_term: { text: 'white' } }, { span_term: { text: 'helmets' } }], slop: 2, in_order: false },
    });
    expect(highlightQuery(q, 'title')).toEqual({
      bool: {
        should: [
          { span_near: { clauses: [{ span_term: { title: 'white' } }, { span_term: { title: 'helmets' } }], slop: 2, in_order: false } },
          { prefix: { title: { value: 'idl' } } },
        ],
        minimum_should_match: 1,
      },
    });
  });
});
