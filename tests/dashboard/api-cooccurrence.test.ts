/** GET /api/cooccurrence: actor x theme counts over real SQLite stores, checked against counts made from the articles. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnrichedArticle } from '../../core/types.ts';
import type { CoOccurrenceResponse, ErrorResponse } from '../../dashboard/api/schemas.ts';
import { ARTICLES, makeArticle, setupApi, type TestEnv } from './api-fixtures.ts';

const EXTRA: EnrichedArticle[] = [
  makeArticle({ slug: 'm1', title: 'Talks and helmets', text: 'Talks.', outletId: 'rt', publishedAt: '2018-02-06T10:00:00.000Z', actors: ['white-helmets', 'damascus'], themes: ['talks', 'chemical'] }),
  makeArticle({ slug: 'm2', title: 'Damascus talks resume', text: 'Talks.', outletId: 'bbc', publishedAt: '2018-02-13T10:00:00.000Z', actors: ['damascus'], themes: ['talks'] }),
  makeArticle({ slug: 'm3', title: 'Damascus denies chemical use', text: 'Denial.', outletId: 'bbc', publishedAt: '2018-02-14T23:30:00.000Z', actors: ['damascus'], themes: ['chemical'] }),
];

describe('GET /api/cooccurrence', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await setupApi();
    await env.stores.catalog.upsertActor({ id: 'damascus', name: 'Damascus', type: 'place', aliases: [] });
    await env.stores.catalog.upsertTheme({ id: 'talks', name: 'Peace talks', query: 'talks' });
    await env.stores.articles.insertArticles(EXTRA.map((article) => ({ article, alertIds: [] })), new Date('2018-03-01T00:00:00Z'));
  });
  afterEach(async () => {
    await env.cleanup();
  });
  const all = [...ARTICLES, ...EXTRA];
  const both = (actor: string, theme: string, items = all) => items.filter((a) => a.actors.includes(actor) && a.themes.includes(theme));

  it('counts every pair, zeros included, by id and name, with names for the axes', async () => {
    const res = await env.app.request('/api/cooccurrence?actors=white-helmets,Damascus&themes=chemical,talks');
    expect(res.status).toBe(200);
    const body = (await res.json()) as CoOccurrenceResponse;
    expect(body.actors).toEqual([{ id: 'white-helmets', name: 'White Helmets' }, { id: 'damascus', name: 'Damascus' }]);
    expect(body.themes).toEqual([{ id: 'chemical', name: 'Chemical attacks' }, { id: 'talks', name: 'Peace talks' }]);
    expect(body.cells).toEqual(
      ['white-helmets', 'damascus'].flatMap((actor) => ['chemical', 'talks'].map((theme) => ({ actor, theme, count: both(actor, theme).length }))),
    );
    expect(body.cells.map((c) => c.count)).toEqual([2, 1, 2, 2]);
    expect(body.interval).toBeNull();
    expect(body.buckets).toEqual([]);
  });

  it('splits into dense buckets of the zone, and narrows by q, range and outlet', async () => {
    const res = await env.app.request('/api/cooccurrence?actors=damascus&themes=chemical,talks&interval=week&tz=Asia/Tokyo');
    const body = (await res.json()) as CoOccurrenceResponse;
    // 14 Feb 23:30 UTC is 15 Feb in Tokyo, still the week of 12 Feb; the middle weeks fill the grid.
    expect(body.buckets.map((b) => [b.t, b.cells.map((c) => `${c.theme}:${c.count}`)])).toEqual([
      ['2018-02-05T00:00:00+09:00', ['chemical:1', 'talks:1']],
      ['2018-02-12T00:00:00+09:00', ['chemical:1', 'talks:1']],
    ]);
    expect(body.buckets[0]?.end).toBe('2018-02-12T00:00:00+09:00');
    const narrowed = (await (await env.app.request('/api/cooccurrence?actors=damascus&themes=talks&q=resume&outlet=bbc&from=2018-02-10')).json()) as CoOccurrenceResponse;
    expect(narrowed.cells).toEqual([{ actor: 'damascus', theme: 'talks', count: 1 }]);
  });

  it('answers unknown actors and missing lists with 400', async () => {
    const unknown = await env.app.request('/api/cooccurrence?actors=nobody&themes=talks');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as ErrorResponse).error).toMatchObject({ code: 'unknown_actor', param: 'actors' });
    const missing = await env.app.request('/api/cooccurrence?actors=damascus');
    expect(((await missing.json()) as ErrorResponse).error).toMatchObject({ param: 'themes' });
  });
});
