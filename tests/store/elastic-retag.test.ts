/**
 * The Elasticsearch side of the theme re-tagger, through the real client and a recording connection: the scan
 * walk (storedAt, id with search_after), locating each document's concrete index, and bulk update scripts that
 * add or remove one theme, with per-item outcomes counted and refusals surfaced as transient errors.
 */
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../core/errors.ts';
import { createElasticArticleStore } from '../../store/elastic/elastic-article-store.ts';
import { golden, recordingClient, type CannedResponse, type Route } from './elastic-recording-connection.ts';

function storeWith(routes: Route[]) {
  const { client, requests } = recordingClient(routes);
  return { store: createElasticArticleStore({ client, manageIndices: false }), requests };
}

const doc = (id: string, themes: string[]) => ({
  id, title: `T ${id}`, text: 'Body', outletId: 'rt', language: 'en', actors: ['who'], themes,
  date: '2024-04-02T10:00:00.000Z', keywords: ['k'], entities: [{ text: 'WHO', type: 'ORG', start: 0, end: 3 }],
});

const scanPage = (ids: string[], sortBase: number): CannedResponse => ({
  body: {
    hits: { hits: ids.map((id, i) => ({ _index: 'articles-000001', _id: id, _source: doc(id, []), sort: [sortBase + i, id] })) },
  },
});

describe('Elasticsearch scan and theme tags', () => {
  it('walks in storedAt/id order with search_after, and reports the end on a short page', async () => {
    const goldens = (await golden('elastic-retag-requests.json')) as Record<string, unknown>;
    const { store, requests } = storeWith([
      ['POST', /^\/articles\/_search$/, (_req, nth) => (nth === 1 ? scanPage(['a', 'b'], 1712051999999) : scanPage(['c'], 1712052000001))],
    ]);
    const first = await store.scanArticles(null, 2);
    expect(first.end).toBe(false);
    expect(first.cursor).toBe(JSON.stringify([1712052000000, 'b']));
    expect(first.articles[0]).toEqual(doc('a', []));
    const second = await store.scanArticles(first.cursor, 2);
    expect(second.end).toBe(true);
    expect(second.articles.map((a) => a.id)).toEqual(['c']);
    expect(requests.map((r) => r.body)).toEqual([goldens['first scan page'], goldens['next scan page']]);
    await expect(store.scanArticles('[1,2,3]', 2)).rejects.toThrow(/scan cursor/);
  });

  it('updates each document in its own index with an add or remove script and counts real changes', async () => {
    const goldens = (await golden('elastic-retag-requests.json')) as Record<string, unknown>;
    const { store, requests } = storeWith([
      // 'b' is not stored any more: it is located nowhere and never updated.
      ['POST', /^\/articles\/_search$/, () => ({
        body: { hits: { hits: [{ _index: 'articles-000002', _id: 'a' }, { _index: 'articles-000001', _id: 'c' }] } },
      })],
      ['POST', /^\/_bulk$/, () => ({
        body: {
          errors: false,
          items: [
            { update: { _index: 'articles-000002', _id: 'a', status: 200, result: 'updated' } },
            { update: { _index: 'articles-000001', _id: 'c', status: 200, result: 'noop' } },
          ],
        },
      })],
    ]);
    expect(await store.setThemeTag('five-g', { add: ['a', 'b'], remove: ['c'] })).toEqual({ added: 1, removed: 0 });
    expect(requests[0]?.body).toEqual(goldens['locate']);
    expect(requests[1]?.body).toEqual(goldens['bulk update']);
    expect(requests[1]?.querystring).toContain('refresh=wait_for');
    // Nothing to change: no request at all.
    expect(await store.setThemeTag('five-g', { add: [], remove: [] })).toEqual({ added: 0, removed: 0 });
    expect(requests).toHaveLength(2);
  });

  it('ignores a document deleted since it was located and raises a transient error for a refused update', async () => {
    const located = (): CannedResponse => ({ body: { hits: { hits: [{ _index: 'articles-000001', _id: 'a' }, { _index: 'articles-000001', _id: 'c' }] } } });
    const { store } = storeWith([
      ['POST', /^\/articles\/_search$/, located],
      ['POST', /^\/_bulk$/, (_req, nth) => ({
        body: {
          errors: true,
          items: [
            { update: { _id: 'a', status: 404, error: { type: 'document_missing_exception', reason: 'missing' } } },
            nth === 1
              ? { update: { _id: 'c', status: 200, result: 'updated' } }
              : { update: { _id: 'c', status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } },
          ],
        },
      })],
    ]);
    expect(await store.setThemeTag('x', { add: ['a'], remove: ['c'] })).toEqual({ added: 0, removed: 1 });
    const refused = store.setThemeTag('x', { add: ['a'], remove: ['c'] });
    await expect(refused).rejects.toBeInstanceOf(TransientError);
    await expect(refused).rejects.toThrow(/es_rejected_execution_exception/);
  });
});
