/**
 * GET /api/search beyond a plain page: sort by relevance or date (with cursors for both), filter parameters
 * resolved against the catalog, facet counts with labels over the whole result set, and 400s for bad parameters.
 * Real SQLite store in a temp file; expected counts are computed here from the fixture articles.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnrichedArticle } from '../../core/types.ts';
import type { ErrorResponse, FacetValueView, SearchResponse } from '../../dashboard/api/schemas.ts';
import { ARTICLES, setupApi, type TestEnv } from './api-fixtures.ts';

let env: TestEnv;

beforeEach(async () => {
  env = await setupApi();
  // Countries for the country facet and filter (the shared fixture outlets have none).
  await env.stores.catalog.upsertOutlet({ id: 'rt', name: 'RT', country: 'RU', tags: ['state-affiliated'] });
  await env.stores.catalog.upsertOutlet({ id: 'bbc', name: 'BBC News', country: 'GB', tags: ['public-broadcaster'] });
});
afterEach(async () => {
  await env.cleanup();
});

async function search(qs: string): Promise<{ status: number; body: SearchResponse }> {
  const res = await env.app.request(`/api/search?${qs}`);
  return { status: res.status, body: (await res.json()) as SearchResponse };
}

async function searchError(qs: string): Promise<{ status: number; body: ErrorResponse }> {
  const res = await env.app.request(`/api/search?${qs}`);
  return { status: res.status, body: (await res.json()) as ErrorResponse };
}

const idOf = (slug: string): string => {
  const a = ARTICLES.find((x) => x.url.endsWith(`/${slug}`));
  if (!a) throw new Error(`no fixture ${slug}`);
  return a.id;
};

/** Independent count: values per article, sorted count desc then value, with labels from a table. */
function expected(articles: EnrichedArticle[], values: (a: EnrichedArticle) => string[], labels: Record<string, string>): FacetValueView[] {
  const counts = new Map<string, number>();
  for (const a of articles) for (const v of values(a)) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([value, count]) => ({ value, label: labels[value] ?? value, count }));
}

const COUNTRY: Record<string, string> = { rt: 'RU', bbc: 'GB' };
const TAGS: Record<string, string[]> = { rt: ['state-affiliated'], bbc: ['public-broadcaster'] };

describe('GET /api/search facets', () => {
  it('returns every facet with labels on a first page, counted over the whole result set', async () => {
    const { status, body } = await search('limit=1');
    expect(status).toBe(200);
    expect(body.total).toBe(4);
    expect(body.hits).toHaveLength(1);
    expect(body.facets).toEqual({
      outlet: expected(ARTICLES, (a) => [a.outletId], { rt: 'RT', bbc: 'BBC News' }),
      language: expected(ARTICLES, (a) => [a.language], { en: 'English' }),
      country: expected(ARTICLES, (a) => [COUNTRY[a.outletId] ?? ''], { RU: 'Russia', GB: 'United Kingdom' }),
      actor: expected(ARTICLES, (a) => a.actors, { 'white-helmets': 'White Helmets' }),
      theme: expected(ARTICLES, (a) => a.themes, { chemical: 'Chemical attacks' }),
      tag: expected(ARTICLES, (a) => TAGS[a.outletId] ?? [], {}),
    });
  });

  it('counts only the matching articles, honours facets= and facetLimit=, and skips facets on later pages', async () => {
    const chemical = ARTICLES.filter((a) => /chemical/i.test(`${a.title} ${a.text}`));
    const { body } = await search('q=chemical&facets=outlet,actor&limit=1');
    expect(body.total).toBe(chemical.length);
    expect(Object.keys(body.facets ?? {}).sort()).toEqual(['actor', 'outlet']);
    expect(body.facets?.outlet).toEqual(expected(chemical, (a) => [a.outletId], { rt: 'RT', bbc: 'BBC News' }));
    expect(body.facets?.actor).toEqual(expected(chemical, (a) => a.actors, { 'white-helmets': 'White Helmets' }));

    expect((await search('facets=outlet&facetLimit=1')).body.facets?.outlet).toHaveLength(1);
    expect((await search('facets=none')).body.facets).toBeUndefined();
    const next = await search(`limit=1&cursor=${encodeURIComponent(body.nextCursor ?? '')}&q=chemical`);
    expect(next.body.facets).toBeUndefined();
    expect(next.body.hits).toHaveLength(1);
  });
});

describe('GET /api/search filters', () => {
  it.each([
    ['lang=en&actor=White%20Helmets', ['staged', 'undated']],
    ['actor=white-helmets,Белые%20каски', ['staged', 'undated']],
    ['theme=Chemical%20attacks', ['staged', 'inquiry']],
    ['collection=state-affiliated', ['staged', 'talks']],
    ['country=gb', ['inquiry', 'undated']],
    ['country=GB,RU&q=syria', ['staged', 'talks', 'inquiry']],
    ['collection=state-affiliated&theme=chemical', ['staged']],
    ['lang=fr', []],
  ])('%s', async (qs, slugs) => {
    const { status, body } = await search(qs);
    expect(status).toBe(200);
    expect(body.hits.map((h) => h.id).sort()).toEqual(slugs.map(idOf).sort());
    expect(body.total).toBe(slugs.length);
  });

  it('echoes the applied filters resolved to ids, and facets follow the filters', async () => {
    const { body } = await search('actor=White%20Helmets&collection=state-affiliated&from=2018-02-01');
    expect(body.filters).toEqual({ from: '2018-02-01', actor: ['white-helmets'], collection: ['state-affiliated'] });
    expect(body.facets?.outlet).toEqual([{ value: 'rt', label: 'RT', count: 1 }]);
  });

  it.each([
    ['actor=nobody', 'unknown_actor', 'actor'],
    ['theme=nothing', 'unknown_theme', 'theme'],
    ['collection=imaginary', 'unknown_collection', 'collection'],
    ['country=ZZ', 'unknown_country', 'country'],
    ['sort=popularity', 'invalid_request', 'sort'],
    ['facets=outlet,colour', 'invalid_request', 'facets'],
    ['facetLimit=0', 'invalid_request', 'facetLimit'],
  ])('400 for %s', async (qs, code, param) => {
    const { status, body } = await searchError(qs);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code, param });
  });
});

describe('GET /api/search sort', () => {
  it('sorts by date by default and by relevance on request (title + body match first)', async () => {
    const byDate = await search('q=syria');
    expect(byDate.body.sort).toBe('date');
    expect(byDate.body.hits.map((h) => h.id)).toEqual([idOf('inquiry'), idOf('talks'), idOf('staged')]);
    const byRelevance = await search('q=syria&sort=relevance');
    expect(byRelevance.body.sort).toBe('relevance');
    expect(byRelevance.body.total).toBe(3);
    // "Syria talks resume in Sochi": the only article with the word in its title.
    expect(byRelevance.body.hits[0]?.id).toBe(idOf('talks'));
    expect(byRelevance.body.hits[0]?.snippet).toContain('<mark>');
  });

  it('pages a relevance search with its cursor, every hit once, and refuses the cursor under the other sort', async () => {
    const full = (await search('q=syria%20OR%20helmets&sort=relevance')).body.hits.map((h) => h.id);
    expect(full).toHaveLength(4);
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const { body } = await search(`q=syria%20OR%20helmets&sort=relevance&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...body.hits.map((h) => h.id));
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    expect(seen).toEqual(full);
    const first = await search('q=syria&sort=relevance&limit=1');
    const wrong = await searchError(`q=syria&sort=date&limit=1&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_cursor');
  });
});
