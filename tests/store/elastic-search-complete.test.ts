/**
 * Golden request bodies of a complete Elasticsearch search: relevance sort with its search_after, facet
 * aggregations (and their fold into country and tag), and the export's keyset paging. The real client serializes
 * into a recording Connection (no server); bodies must equal tests/store/golden/elastic-search-complete.json.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { QueryNode, TagField, TextField } from '../../core/query/ast.ts';
import type { ExportRow, OutletGroups } from '../../store/article-store.ts';
import { createElasticArticleStore } from '../../store/elastic/elastic-article-store.ts';
import { encodeCursor, encodeRelevanceCursor } from '../../store/sqlite/cursor.ts';
import { canned, golden, recordingClient, type CannedResponse, type Route } from './elastic-recording-connection.ts';

const term = (value: string, field: TextField = 'text'): QueryNode => ({ kind: 'term', field, value });
const phrase = (words: string[], field: TextField = 'text'): QueryNode => ({ kind: 'phrase', field, words });
const tag = (field: TagField, value: string): QueryNode => ({ kind: 'tag', field, value });
const and = (...children: QueryNode[]): QueryNode => ({ kind: 'and', children });
const not = (child: QueryNode): QueryNode => ({ kind: 'not', child });

function storeWith(routes: Route[]) {
  const { client, requests } = recordingClient(routes);
  return { store: createElasticArticleStore({ client, manageIndices: false }), requests };
}

const GROUPS: OutletGroups = new Map([
  ['rt', { country: 'RU', tags: ['state-affiliated'] }],
  ['bbc', { country: 'GB', tags: ['public-broadcaster'] }],
  ['sputnik', { country: 'RU', tags: ['state-affiliated', 'wire'] }],
]);

function hit(id: string, date: string, sort: unknown[]): Record<string, unknown> {
  return {
    _id: id,
    _source: { id, date, title: `Title ${id}`, url: `https://x.example/${id}`, outletId: 'rt', feedId: 'feed-rt', firstSeenAt: date, publishedAt: date, dateIsFallback: false, language: 'en', actors: [], themes: [], keywords: [], clusterId: id },
    sort,
  };
}

function searchAnswer(hits: Record<string, unknown>[], aggregations?: Record<string, unknown>): CannedResponse {
  return { body: { took: 1, timed_out: false, hits: { total: { value: hits.length, relation: 'eq' }, hits }, ...(aggregations ? { aggregations } : {}) } };
}

describe('complete search request goldens', () => {
  let goldens: Record<string, unknown>;
  beforeEach(async () => {
    goldens = (await golden('elastic-search-complete.json')) as Record<string, unknown>;
  });

  it('relevance: _score then date then id, a title boost clause, search_after from a relevance cursor', async () => {
    const { store, requests } = storeWith([['POST', /^\/articles\/_search$/, () => canned.emptySearch()]]);
    const query = and(phrase(['white', 'helmets']), not(term('idlib')), term('chemical', 'title'), tag('lang', 'en'));
    await store.search(query, { limit: 20, sort: 'relevance' });
    await store.search(query, {
      limit: 20,
      sort: 'relevance',
      from: '2024-03-01',
      cursor: encodeRelevanceCursor({ score: 7.25, date: '2024-03-04T10:00:00.000Z', id: 'abc' }),
    });
    // Tags only: nothing to boost, the filtered query as is.
    await store.search(tag('actor', 'white-helmets'), { limit: 5, sort: 'relevance' });
    expect(requests.map((r) => r.body)).toEqual([
      goldens['relevance, first page'],
      goldens['relevance, next page from a cursor'],
      goldens['relevance, tags only'],
    ]);
  });

  it('relevance: the next cursor carries the score Elasticsearch sorted by', async () => {
    const { store, requests } = storeWith([
      ['POST', /^\/articles\/_search$/, () => searchAnswer([hit('a', '2024-03-05T00:00:00.000Z', [3.5, 1709596800000, 'a']), hit('b', '2024-03-04T00:00:00.000Z', [1.25, 1709510400000, 'b'])])],
    ]);
    const r = await store.search(term('x'), { limit: 1, sort: 'relevance' });
    expect(r.nextCursor).toBe(encodeRelevanceCursor({ score: 3.5, date: '2024-03-05T00:00:00.000Z', id: 'a' }));
    await store.search(term('x'), { limit: 1, sort: 'relevance', cursor: r.nextCursor ?? '' });
    // The second page request is the one with search_after (the other requests count cluster sizes).
    const paged = requests.map((q) => q.body as { search_after?: unknown } | null).filter((b) => b?.search_after !== undefined);
    expect(paged.map((b) => b?.search_after)).toEqual([[3.5, 1709596800000, 'a']]);
    // A date cursor is not a relevance cursor.
    await expect(store.search(term('x'), { limit: 1, sort: 'relevance', cursor: encodeCursor({ date: '2024-03-05T00:00:00.000Z', id: 'a' }) })).rejects.toThrow(/cursor/);
  });

  it('facets: one terms aggregation per field, the outlet-group aggregation restricted to the catalog outlets', async () => {
    const { store, requests } = storeWith([['POST', /^\/articles\/_search$/, () => canned.emptySearch()]]);
    await store.search(term('chemical'), {
      limit: 20,
      facets: ['outlet', 'language', 'country', 'actor', 'theme', 'tag'],
      outletGroups: GROUPS,
    });
    await store.search({ kind: 'all' }, { limit: 1, facets: ['actor', 'theme'], facetLimit: 3 });
    expect(requests.map((r) => r.body)).toEqual([goldens['facets, all six'], goldens['facets, actor and theme, limit 3']]);
  });

  it('facets: buckets become counts; countries and tags fold the outlet-group buckets through the catalog', async () => {
    const aggregations = {
      facet_outlet: { buckets: [{ key: 'rt', doc_count: 5 }, { key: 'unknown-outlet', doc_count: 4 }, { key: 'bbc', doc_count: 2 }] },
      facet_language: { buckets: [{ key: 'en', doc_count: 9 }, { key: 'ru', doc_count: 2 }] },
      facet_outlet_groups: { buckets: [{ key: 'rt', doc_count: 5 }, { key: 'bbc', doc_count: 2 }, { key: 'sputnik', doc_count: 2 }] },
    };
    const { store } = storeWith([['POST', /^\/articles\/_search$/, () => searchAnswer([], aggregations)]]);
    const r = await store.search(term('chemical'), { limit: 20, facets: ['outlet', 'language', 'country', 'tag'], outletGroups: GROUPS });
    expect(r.facets).toEqual({
      outlet: [{ value: 'rt', count: 5 }, { value: 'unknown-outlet', count: 4 }, { value: 'bbc', count: 2 }],
      language: [{ value: 'en', count: 9 }, { value: 'ru', count: 2 }],
      country: [{ value: 'RU', count: 7 }, { value: 'GB', count: 2 }],
      tag: [{ value: 'state-affiliated', count: 7 }, { value: 'public-broadcaster', count: 2 }, { value: 'wire', count: 2 }],
    });
  });

  it('export: keyset pages with search_after from the last sort values, until a short page', async () => {
    const pages = [
      [hit('c', '2024-03-06T00:00:00.000Z', [1709683200000, 'c']), hit('b', '2024-03-05T00:00:00.000Z', [1709596800000, 'b'])],
      [hit('a', '2024-03-05T00:00:00.000Z', [1709596800000, 'a'])],
    ];
    const { store, requests } = storeWith([['POST', /^\/articles\/_search$/, (_req, nth) => searchAnswer(pages[nth - 1] ?? [])]]);
    const rows: ExportRow[] = [];
    for await (const row of store.exportArticles(tag('lang', 'en'), { pageSize: 2, from: '2024-03-01', outlets: ['rt'] })) rows.push(row);
    expect(rows.map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(rows[0]).toEqual({
      id: 'c', date: '2024-03-06T00:00:00.000Z', dateIsFallback: false, publishedAt: '2024-03-06T00:00:00.000Z',
      firstSeenAt: '2024-03-06T00:00:00.000Z', outletId: 'rt', language: 'en', title: 'Title c', url: 'https://x.example/c',
      actors: [], themes: [], keywords: [], clusterId: 'c',
    });
    expect(requests.map((r) => r.body)).toEqual([goldens['export, first page'], goldens['export, next page']]);
  });

  it('export: a full last page costs one more (empty) request, and nothing is sent for a bad page size', async () => {
    const pages = [[hit('b', '2024-03-05T00:00:00.000Z', [1709596800000, 'b'])], []];
    const { store, requests } = storeWith([['POST', /^\/articles\/_search$/, (_req, nth) => searchAnswer(pages[nth - 1] ?? [])]]);
    const ids: string[] = [];
    for await (const row of store.exportArticles({ kind: 'all' }, { pageSize: 1 })) ids.push(row.id);
    expect(ids).toEqual(['b']);
    expect(requests).toHaveLength(2);
    const bad = store.exportArticles({ kind: 'all' }, { pageSize: 0 })[Symbol.asyncIterator]();
    await expect(bad.next()).rejects.toThrow(/pageSize/);
    expect(requests).toHaveLength(2);
  });
});
