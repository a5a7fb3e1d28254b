/**
 * Syndication in the API against real SQLite stores: GET /api/clusters/:id, the cluster fields of
 * GET /api/articles/:id and of search hits, and GET /api/trends?count=stories|copies.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnrichedArticle } from '../../core/types.ts';
import type { ArticleResponse, ClusterResponse, ErrorResponse, SearchResponse, TrendsResponse } from '../../dashboard/api/schemas.ts';
import { fingerprintArticle } from '../../worker/enrich/syndication.ts';
import { FIXED_NOW, makeArticle, setupApi, type TestEnv } from './api-fixtures.ts';

const STORY =
  'Officials in Idlib said on Monday that a convoy carrying food and medicine reached the besieged district after ' +
  'weeks of negotiations, the first delivery since the winter offensive began. Aid workers unloaded flour, baby milk ' +
  'and antibiotics at a warehouse near the main hospital while volunteers kept watch for aircraft. The United ' +
  'Nations said the supplies would feed about twenty thousand people for a month and called for regular access. ' +
  'Residents told reporters that prices in the market had fallen as soon as the trucks arrived.';

const origin = makeArticle({ slug: 'convoy', title: 'Aid convoy reaches Idlib', text: STORY, outletId: 'bbc', publishedAt: '2018-02-26T08:00:00.000Z' });
const copy = makeArticle({ slug: 'convoy-copy', title: 'Western aid arrives under escort', text: STORY, outletId: 'rt', publishedAt: '2018-02-27T14:00:00.000Z' });

describe('syndication in the API', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await setupApi();
    // The copy is stored first: its id is the cluster id, the earlier BBC article still becomes the origin.
    await env.stores.articles.insertArticles(
      [copy, origin].map((a: EnrichedArticle) => ({ article: a, alertIds: [], fingerprint: fingerprintArticle(a) })),
      FIXED_NOW,
    );
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('GET /api/clusters/:id lists the origin and every copy with outlet, delay, title and url', async () => {
    const res = await env.app.request(`/api/clusters/${copy.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ClusterResponse;
    expect(body.id).toBe(copy.id);
    expect(body.originId).toBe(origin.id);
    expect(body.size).toBe(2);
    expect(body.members.map((m) => [m.outletId, m.title, m.url, m.delayHours])).toEqual([
      ['bbc', origin.title, origin.url, 0],
      ['rt', copy.title, copy.url, 30],
    ]);
    expect(body.outletNames).toEqual({ bbc: 'BBC News', rt: 'RT' });
  });

  it('GET /api/clusters/:id answers 404 for unknown or malformed ids and 400 for a bad limit', async () => {
    expect((await env.app.request(`/api/clusters/${'0'.repeat(32)}`)).status).toBe(404);
    const bad = await env.app.request('/api/clusters/not-an-id');
    expect(bad.status).toBe(404);
    expect(((await bad.json()) as ErrorResponse).error.code).toBe('not_found');
    expect((await env.app.request(`/api/clusters/${copy.id}?limit=0`)).status).toBe(400);
    const one = (await (await env.app.request(`/api/clusters/${copy.id}?limit=1`)).json()) as ClusterResponse;
    expect(one.members.map((m) => m.id)).toEqual([origin.id]);
    expect(one.size).toBe(2);
  });

  it('GET /api/articles/:id includes the cluster id, size and origin', async () => {
    const body = (await (await env.app.request(`/api/articles/${origin.id}`)).json()) as ArticleResponse;
    expect(body).toMatchObject({ id: origin.id, clusterId: copy.id, clusterSize: 2, clusterOriginId: origin.id });
    const alone = await env.stores.articles.search({ kind: 'term', field: 'text', value: 'sochi' }, { limit: 1 });
    const single = (await (await env.app.request(`/api/articles/${alone.hits[0]?.id}`)).json()) as ArticleResponse;
    expect(single).toMatchObject({ clusterSize: 1, clusterId: single.id, clusterOriginId: single.id });
  });

  it('search hits carry clusterId and clusterSize', async () => {
    const body = (await (await env.app.request('/api/search?q=convoy')).json()) as SearchResponse;
    expect(body.hits.map((h) => [h.id, h.clusterId, h.clusterSize]).sort()).toEqual(
      [[origin.id, copy.id, 2], [copy.id, copy.id, 2]].sort(),
    );
  });

  it('GET /api/trends counts copies by default and unique stories with count=stories', async () => {
    const url = (count?: string) => `/api/trends?q=convoy&interval=day${count ? `&count=${count}` : ''}`;
    const copies = (await (await env.app.request(url())).json()) as TrendsResponse;
    expect(copies.count).toBe('copies');
    const counts = (r: TrendsResponse) => r.series[0]?.points.map((p) => [p.t, p.count]);
    expect(counts(copies)).toEqual([['2018-02-26T00:00:00+00:00', 1], ['2018-02-27T00:00:00+00:00', 1]]);
    expect(copies.series[0]?.total).toBe(2);
    const stories = (await (await env.app.request(url('stories'))).json()) as TrendsResponse;
    expect(stories.count).toBe('stories');
    expect(counts(stories)).toEqual([['2018-02-26T00:00:00+00:00', 1]]);
    expect(stories.series[0]?.total).toBe(1);
    expect(await (await env.app.request(url('copies'))).json()).toEqual(copies);
    expect((await env.app.request(url('unique'))).status).toBe(400);
  });
});
