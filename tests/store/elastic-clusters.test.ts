/**
 * Syndication clusters in the Elasticsearch store without a server: golden request bodies, candidate matching on
 * insert (stored and same-call candidates), the paged unique-story count, cluster sizes on hits and the cluster reads.
 */
import { describe, expect, it } from 'vitest';
import type { QueryNode } from '../../core/query/ast.ts';
import type { EnrichedArticle } from '../../core/types.ts';
import {
  bucketLabel,
  candidatesRequest,
  clusterMembersRequest,
  clusterSizesRequest,
  storiesRequest,
  toStorySeries,
} from '../../store/elastic/clusters.ts';
import { minhashSignatureOf, toMinhashField } from '../../store/elastic/document.ts';
import { createElasticArticleStore } from '../../store/elastic/elastic-article-store.ts';
import { fingerprintArticle } from '../../worker/enrich/syndication.ts';
import { canned, golden, recordingClient, type RecordedRequest, type Route } from './elastic-recording-connection.ts';

const TEXT =
  'Rescue teams searched through the night for survivors after a strong earthquake struck the coastal town early on ' +
  'Sunday, destroying dozens of homes and cutting power to thousands of residents. Local officials said at least ' +
  'twelve people were killed and more than a hundred injured, and warned that the toll could rise as crews reached ' +
  'remote villages in the hills.';
const OTHER =
  'The central bank left interest rates unchanged on Thursday and signalled that it expects inflation to fall back ' +
  'towards its target by the end of next year, as energy prices ease and wage growth slows. The governor told ' +
  'reporters that the committee had discussed a cut but judged it too early.';

function article(n: number, outletId: string, text: string, publishedAt: string): EnrichedArticle {
  const id = n.toString(16).padStart(32, '0');
  return {
    id, url: `https://${outletId}.example/${n}`, canonicalUrl: `https://${outletId}.example/${n}`, feedId: `feed-${outletId}`,
    outletId, guid: null, title: 'Short', text, publishedAt, firstSeenAt: publishedAt, author: null, language: 'en',
    languageConfidence: 1, keywords: [], entities: [], actors: [], themes: [],
  };
}

function storeWith(routes: Route[]) {
  const { client, requests } = recordingClient(routes);
  return { store: createElasticArticleStore({ client, manageIndices: false }), requests };
}

const bodyOf = (r: RecordedRequest) => r.body as Record<string, unknown>;
const isCandidates = (r: RecordedRequest) => JSON.stringify(r.body).includes('minhash.bands');

describe('cluster request goldens', () => {
  it('candidates, members, sizes and story pages', async () => {
    const g = (await golden('elastic-clusters.json')) as Record<string, unknown>;
    const q: QueryNode = { kind: 'tag', field: 'actor', value: 'white-helmets' };
    expect(candidatesRequest([5, 4294967301])).toEqual(g.candidates);
    expect(clusterMembersRequest('00000000000000000000000000000001', 200)).toEqual(g['cluster members']);
    expect(clusterSizesRequest(['00000000000000000000000000000001', '00000000000000000000000000000002'])).toEqual(g['cluster sizes']);
    expect(storiesRequest(q, { from: '2024-03-01', to: '2024-04-01' }, ['rt'])).toEqual(g['stories first page, filtered']);
    expect(storiesRequest({ kind: 'all' }, {}, undefined, { cluster: '00000000000000000000000000000001' })).toEqual(g['stories next page']);
  });

  it('round-trips a signature through the stored base64 form', () => {
    const fp = fingerprintArticle({ text: TEXT });
    if (!fp) throw new Error('expected a fingerprint');
    const field = toMinhashField(fp);
    expect(field.bands).toEqual(fp.bandKeys);
    expect(minhashSignatureOf(field)).toEqual(fp.signature);
  });
});

describe('insert assigns clusters', () => {
  it('joins a stored candidate, then lets a later copy in the same call join it too; unrelated bodies stay apart', async () => {
    const stored = article(1, 'wire', TEXT, '2024-05-05T06:00:00.000Z');
    const storedPrint = fingerprintArticle(stored);
    if (!storedPrint) throw new Error('expected a fingerprint');
    const copy = article(2, 'proxy', TEXT, '2024-05-05T08:00:00.000Z');
    const other = article(3, 'proxy', OTHER, '2024-05-05T09:00:00.000Z');
    const { store, requests } = storeWith([
      ['POST', /^\/articles\/_search$/, (req) =>
        isCandidates(req)
          ? {
              body: {
                hits: {
                  total: { value: 1, relation: 'eq' },
                  hits: [{ _id: stored.id, _source: { id: stored.id, clusterId: 'c'.repeat(32), outletId: 'wire', minhash: toMinhashField(storedPrint) } }],
                },
              },
            }
          : canned.emptySearch()],
      ['POST', /^\/articles-write\/_bulk$/, () => canned.bulkStatuses([201, 201])],
    ]);
    const result = await store.insertArticles(
      [copy, other].map((a) => ({ article: a, alertIds: [], fingerprint: fingerprintArticle(a) })),
      new Date('2024-05-06T00:00:00.000Z'),
    );
    expect(result.syndicated).toEqual([copy.id]);
    const candidateRequest = requests.find(isCandidates);
    expect(candidateRequest?.body).toMatchObject({ size: 10_000 });
    const bulk = requests.find((r) => r.path === '/articles-write/_bulk')?.body as Record<string, unknown>[];
    const docs = bulk.filter((line) => 'id' in line);
    expect(docs.map((d) => [d.id, d.clusterId])).toEqual([
      [copy.id, 'c'.repeat(32)],
      [other.id, other.id],
    ]);
    expect((docs[0]?.minhash as { bands: number[] }).bands).toHaveLength(32);
  });

  it('sends no candidate request when no article has a fingerprint', async () => {
    const { store, requests } = storeWith([
      ['POST', /^\/articles\/_search$/, () => canned.emptySearch()],
      ['POST', /^\/articles-write\/_bulk$/, () => canned.bulkStatuses([201])],
    ]);
    const r = await store.insertArticles([{ article: article(4, 'wire', '', '2024-05-05T06:00:00.000Z'), alertIds: [] }], new Date());
    expect(r.syndicated).toBeUndefined();
    expect(requests.some(isCandidates)).toBe(false);
  });
});

describe('reads', () => {
  it('counts one story per cluster in the bucket of its earliest matching article, over every composite page', async () => {
    const page = (items: [string, boolean][], after: Record<string, unknown> | null) => ({
      body: {
        aggregations: {
          stories: {
            ...(after ? { after_key: after } : {}),
            buckets: items.map(([date, dateIsFallback], i) => ({
              key: { cluster: `k${i}` }, doc_count: 3,
              first: { hits: { hits: [{ _source: { date, dateIsFallback } }] } },
            })),
          },
        },
      },
    });
    const { store, requests } = storeWith([
      ['POST', /^\/articles\/_search$/, (_req, nth) =>
        nth === 1
          ? page([['2024-03-03T23:30:00.000Z', false], ['2024-03-04T10:00:00.000Z', true]], { cluster: 'k1' })
          : nth === 2
            ? page([['2024-03-05T08:00:00.000Z', false]], { cluster: 'k2' })
            : page([], null)],
    ]);
    const got = await store.countOverTime({ kind: 'all' }, { interval: 'week', count: 'stories' });
    expect(got).toEqual({ points: [{ t: '2024-02-26', count: 1 }, { t: '2024-03-04', count: 2 }], total: 3, fallbackDateCount: 1 });
    expect(requests.map((r) => (bodyOf(r).aggs as { stories: { composite: { after?: unknown } } }).stories.composite.after)).toEqual([
      undefined, { cluster: 'k1' }, { cluster: 'k2' },
    ]);
  });

  it('labels buckets like the SQLite store', () => {
    expect(bucketLabel('2024-03-03T23:30:00.000Z', 'week')).toBe('2024-02-26');
    expect(bucketLabel('2024-03-04T00:00:00.000Z', 'week')).toBe('2024-03-04');
    expect(bucketLabel('2024-02-29T12:00:00.000Z', 'month')).toBe('2024-02-01');
    expect(toStorySeries([], 'day')).toEqual({ points: [], total: 0, fallbackDateCount: 0 });
  });

  it('adds cluster sizes to hits that have a cluster id', async () => {
    const src = (id: string, clusterId?: string) => ({
      id, title: id, url: `https://x.example/${id}`, outletId: 'x', feedId: 'f', publishedAt: null, firstSeenAt: '2024-01-01T00:00:00.000Z',
      date: '2024-01-01T00:00:00.000Z', dateIsFallback: true, language: 'en', actors: [], themes: [], keywords: [],
      ...(clusterId ? { clusterId } : {}),
    });
    const { store, requests } = storeWith([
      ['POST', /^\/articles\/_search$/, (_req, nth) =>
        nth === 1
          ? { body: { hits: { total: { value: 3, relation: 'eq' }, hits: [{ _source: src('a', 'c1') }, { _source: src('b', 'c1') }, { _source: src('old') }] } } }
          : { body: { hits: { total: { value: 0 }, hits: [] }, aggregations: { sizes: { buckets: [{ key: 'c1', doc_count: 4 }] } } } }],
    ]);
    const { hits } = await store.search({ kind: 'all' }, { limit: 10 });
    expect(hits.map((h) => [h.id, h.clusterId, h.clusterSize])).toEqual([['a', 'c1', 4], ['b', 'c1', 4], ['old', undefined, undefined]]);
    expect(requests[1]?.body).toEqual(clusterSizesRequest(['c1']));
  });

  it('reads a cluster in origin order with delays, and the cluster of an article', async () => {
    const member = (id: string, date: string) => ({
      _source: { id, title: `t-${id}`, url: `https://x.example/${id}`, outletId: `o-${id}`, date, dateIsFallback: false, firstSeenAt: date },
    });
    const { store } = storeWith([
      ['POST', /^\/articles\/_search$/, (req) => {
        const body = bodyOf(req);
        if ('query' in body && JSON.stringify(body.query).includes('"ids"')) {
          return { body: { hits: { total: { value: 1 }, hits: [{ _source: { clusterId: 'c1' } }] } } };
        }
        return { body: { hits: { total: { value: 5, relation: 'eq' }, hits: [member('a', '2024-05-05T06:00:00.000Z'), member('b', '2024-05-05T16:30:00.000Z')] } } };
      }],
    ]);
    expect(await store.getCluster('c1', 2)).toEqual({
      id: 'c1',
      originId: 'a',
      size: 5,
      members: [
        { id: 'a', title: 't-a', url: 'https://x.example/a', outletId: 'o-a', date: '2024-05-05T06:00:00.000Z', dateIsFallback: false, firstSeenAt: '2024-05-05T06:00:00.000Z', delayHours: 0 },
        { id: 'b', title: 't-b', url: 'https://x.example/b', outletId: 'o-b', date: '2024-05-05T16:30:00.000Z', dateIsFallback: false, firstSeenAt: '2024-05-05T16:30:00.000Z', delayHours: 10.5 },
      ],
    });
    expect(await store.getArticleCluster('b')).toEqual({ clusterId: 'c1', size: 5, originId: 'a' });
  });

  it('answers null for an unknown cluster or article', async () => {
    const { store } = storeWith([['POST', /^\/articles\/_search$/, () => canned.emptySearch()]]);
    expect(await store.getCluster('nope')).toBeNull();
    expect(await store.getArticleCluster('nope')).toBeNull();
    await expect(store.getCluster('c1', 1001)).rejects.toThrow();
  });
});
