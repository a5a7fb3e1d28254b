/**
 * Contract cases of a complete search (relevance order, facets, export), registered inside the ArticleStore
 * contract suite so both adapters run them. Expected values are computed here from the fixtures, never by a store.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { articleId } from '../../core/ids.ts';
import type { QueryNode, TagField, TextField } from '../../core/query/ast.ts';
import type { EnrichedArticle } from '../../core/types.ts';
import type { ArticleStore, ExportRow, FacetCount, FacetField, OutletGroups, SearchOptions } from '../../store/article-store.ts';

/** What the cases need from the surrounding suite. */
export interface SearchContractContext {
  /** The fresh store of the current test. */
  store: () => ArticleStore;
  /** Stores `all` (called in beforeEach). */
  seed: () => Promise<void>;
  /** Every fixture article `seed` stores. */
  all: readonly EnrichedArticle[];
  /** The date the store files an article under: publishedAt ?? firstSeenAt. */
  dateOf: (a: EnrichedArticle) => string;
}

const term = (value: string, field: TextField = 'text'): QueryNode => ({ kind: 'term', field, value });
const tag = (field: TagField, value: string): QueryNode => ({ kind: 'tag', field, value });
const and = (...children: QueryNode[]): QueryNode => ({ kind: 'and', children });
const or = (...children: QueryNode[]): QueryNode => ({ kind: 'or', children });
const not = (child: QueryNode): QueryNode => ({ kind: 'not', child });
const ALL_QUERY: QueryNode = { kind: 'all' };

/** Catalog view of the fixture outlets: one outlet without any group and one group of two. */
const GROUPS: OutletGroups = new Map([
  ['bbc', { country: 'GB', tags: ['public-broadcaster', 'western'] }],
  ['rt', { country: 'RU', tags: ['state-affiliated'] }],
  ['aljazeera', { country: 'QA', tags: ['state-affiliated'] }],
  ['lemonde', { tags: ['western'] }],
]);

function article(slug: string, title: string, text: string, publishedAt: string, outletId = 'relevance-desk'): EnrichedArticle {
  const url = `https://${outletId}.example/${slug}`;
  return {
    id: articleId(url), url, canonicalUrl: url, feedId: `feed-${outletId}`, outletId, guid: null, title, text, publishedAt,
    firstSeenAt: publishedAt, author: null, language: 'en', languageConfidence: 0.9, keywords: [], entities: [], actors: [], themes: [],
  };
}

/** Expected facet list: counted from the articles, sorted count desc then value, cut at `limit`. */
function expectedFacet(articles: readonly EnrichedArticle[], values: (a: EnrichedArticle) => readonly string[], limit: number): FacetCount[] {
  const counts = new Map<string, number>();
  for (const a of articles) for (const v of new Set(values(a))) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((x, y) => y.count - x.count || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0))
    .slice(0, limit);
}

const FACET_VALUES: Record<FacetField, (a: EnrichedArticle) => readonly string[]> = {
  outlet: (a) => [a.outletId],
  language: (a) => [a.language],
  actor: (a) => a.actors,
  theme: (a) => a.themes,
  country: (a) => {
    const c = GROUPS.get(a.outletId)?.country;
    return c ? [c] : [];
  },
  tag: (a) => GROUPS.get(a.outletId)?.tags ?? [],
};
const EVERY_FACET: FacetField[] = ['outlet', 'language', 'country', 'actor', 'theme', 'tag'];

async function collect(rows: AsyncIterable<ExportRow>): Promise<ExportRow[]> {
  const out: ExportRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** Registers the cases; call inside the contract's describe. */
export function registerSearchContract(ctx: SearchContractContext): void {
  const byDateDesc = (a: EnrichedArticle, b: EnrichedArticle): number =>
    Date.parse(ctx.dateOf(b)) - Date.parse(ctx.dateOf(a)) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

  /** Pages through a search with `limit`, returning every hit id in page order. */
  const pageAll = async (query: QueryNode, options: Omit<SearchOptions, 'cursor'>): Promise<string[]> => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const r = await ctx.store().search(query, { ...options, ...(cursor ? { cursor } : {}) });
      seen.push(...r.hits.map((h) => h.id));
      if (r.nextCursor === null) return seen;
      cursor = r.nextCursor;
    }
    throw new Error('pagination did not end');
  };

  describe('search: relevance order', () => {
    // Newest first by date is the reverse of the relevance order wanted, so a date sort cannot pass for it.
    const strong = article('strong', 'Quorvex envoy: quorvex talks resume', 'The quorvex envoy met officials on Tuesday.', '2024-06-01T08:00:00.000Z');
    const titleOnce = article('title-once', 'Quorvex mentioned in passing', 'Officials met on Wednesday to discuss the budget of the harbour.', '2024-06-02T08:00:00.000Z');
    const bodyOnce = article(
      'body-once',
      'Envoy arrives for harbour talks',
      'Officials discussed many matters over a long day of meetings, including the harbour, the budget, the roads, and briefly quorvex as well.',
      '2024-06-03T08:00:00.000Z',
    );
    const tagOnly = article('tag-only', 'Weekly harbour notes', 'Ships came and went.', '2024-06-04T08:00:00.000Z', 'harbour-gazette');

    beforeEach(async () => {
      await ctx.seed();
      await ctx.store().insertArticles([strong, titleOnce, bodyOnce, tagOnly].map((a) => ({ article: a, alertIds: [] })), new Date('2024-06-10T00:00:00.000Z'));
    });

    it('puts the title match with more occurrences first and a body-only match after title matches', async () => {
      const r = await ctx.store().search(term('quorvex'), { limit: 10, sort: 'relevance' });
      expect(r.total).toBe(3);
      expect(r.hits.map((h) => h.id)).toEqual([strong.id, titleOnce.id, bodyOnce.id]);
      const byDate = await ctx.store().search(term('quorvex'), { limit: 10, sort: 'date' });
      expect(byDate.hits.map((h) => h.id)).toEqual([bodyOnce.id, titleOnce.id, strong.id]);
      // Snippets stay keyword-in-context in relevance order.
      expect(r.hits[0]?.snippet).toContain('<mark>quorvex</mark>');
    });

    it('puts matches without a text match (score 0) after every text match, newest first among them', async () => {
      const q = or(term('quorvex'), tag('outlet', 'harbour-gazette'), tag('outlet', 'lemonde'));
      const r = await ctx.store().search(q, { limit: 20, sort: 'relevance' });
      const lemonde = ctx.all.filter((a) => a.outletId === 'lemonde');
      const tail = [tagOnly, ...lemonde].sort(byDateDesc).map((a) => a.id);
      expect(r.hits.map((h) => h.id)).toEqual([strong.id, titleOnce.id, bodyOnce.id, ...tail]);
    });

    it.each([1, 2, 3, 5])('cursor pagination with limit %i visits every hit exactly once, in relevance order', async (limit) => {
      const q = or(term('quorvex'), term('helmets'), tag('lang', 'ar'), tag('outlet', 'harbour-gazette'));
      const full = (await ctx.store().search(q, { limit: 100, sort: 'relevance' })).hits.map((h) => h.id);
      expect(full).toHaveLength(3 + 2 + 2 + 1);
      expect(await pageAll(q, { limit, sort: 'relevance' })).toEqual(full);
    });

    it('a tag-only query in relevance order is the date order', async () => {
      const q = tag('actor', 'white-helmets');
      const rel = await pageAll(q, { limit: 3, sort: 'relevance' });
      const date = (await ctx.store().search(q, { limit: 100 })).hits.map((h) => h.id);
      expect(rel).toEqual(date);
    });

    it("rejects a cursor of the other sort", async () => {
      const date = await ctx.store().search(ALL_QUERY, { limit: 1 });
      const rel = await ctx.store().search(ALL_QUERY, { limit: 1, sort: 'relevance' });
      expect(date.nextCursor).not.toBeNull();
      expect(rel.nextCursor).not.toBeNull();
      await expect(ctx.store().search(ALL_QUERY, { limit: 1, sort: 'relevance', cursor: date.nextCursor ?? '' })).rejects.toThrow(/cursor/);
      await expect(ctx.store().search(ALL_QUERY, { limit: 1, sort: 'date', cursor: rel.nextCursor ?? '' })).rejects.toThrow(/cursor/);
    });
  });

  describe('search: facets', () => {
    beforeEach(ctx.seed);

    const queries: [string, QueryNode, Partial<SearchOptions>][] = [
      ['everything', ALL_QUERY, {}],
      ['a text query', or(term('helmets'), term('council'), term('conseil'), term('chemical')), {}],
      ['tags with NOT', and(tag('actor', 'white-helmets'), not(tag('lang', 'en'))), {}],
      ['a date range and an outlet restriction', ALL_QUERY, { from: '2024-03-01', to: '2024-03-12', outlets: ['rt', 'lemonde'] }],
      ['no match', term('nonexistentword'), {}],
    ];

    it.each(queries)('counts every facet over the whole result set, not the page: %s', async (_label, query, options) => {
      const r = await ctx.store().search(query, { limit: 1, ...options, facets: EVERY_FACET, outletGroups: GROUPS });
      const matching = await pageAll(query, { limit: 100, ...options });
      const set = new Set(matching);
      const articles = ctx.all.filter((a) => set.has(a.id));
      expect(articles).toHaveLength(r.total);
      for (const field of EVERY_FACET) {
        expect({ field, counts: r.facets?.[field] }).toEqual({ field, counts: expectedFacet(articles, FACET_VALUES[field], 10) });
      }
    });

    it('cuts each facet at facetLimit, most frequent first, ties by value', async () => {
      const r = await ctx.store().search(ALL_QUERY, { limit: 5, facets: ['outlet', 'tag', 'language'], facetLimit: 2, outletGroups: GROUPS });
      expect(r.facets?.outlet).toEqual(expectedFacet(ctx.all, FACET_VALUES.outlet, 2));
      expect(r.facets?.tag).toEqual(expectedFacet(ctx.all, FACET_VALUES.tag, 2));
      expect(r.facets?.language).toEqual(expectedFacet(ctx.all, FACET_VALUES.language, 2));
      expect(Object.keys(r.facets ?? {}).sort()).toEqual(['language', 'outlet', 'tag']);
      // The page itself is unaffected.
      expect(r.hits).toHaveLength(5);
    });

    it('returns no facets unless asked, and facets in relevance order too', async () => {
      expect((await ctx.store().search(ALL_QUERY, { limit: 5 })).facets).toBeUndefined();
      const r = await ctx.store().search(term('helmets'), { limit: 1, sort: 'relevance', facets: ['actor'] });
      expect(r.facets).toEqual({ actor: [{ value: 'white-helmets', count: 2 }] });
    });

    it('rejects a facetLimit outside 1..1000', async () => {
      await expect(ctx.store().search(ALL_QUERY, { limit: 5, facets: ['outlet'], facetLimit: 0 })).rejects.toThrow(/facetLimit/);
    });
  });

  describe('exportArticles', () => {
    beforeEach(ctx.seed);

    it.each([1, 2, 5, 12, 1000])('streams every hit exactly once in date order across pages of %i', async (pageSize) => {
      const rows = await collect(ctx.store().exportArticles(ALL_QUERY, { pageSize }));
      expect(rows.map((r) => r.id)).toEqual([...ctx.all].sort(byDateDesc).map((a) => a.id));
    });

    it('exports the same set as the search, filters included, with the citation fields', async () => {
      const q = or(tag('actor', 'white-helmets'), term('council'));
      const options = { from: '2024-03-01', outlets: ['rt', 'bbc', 'aljazeera'] };
      const rows = await collect(ctx.store().exportArticles(q, { ...options, pageSize: 2 }));
      const searched = await pageAll(q, { limit: 100, ...options });
      expect(rows.map((r) => r.id)).toEqual(searched);
      expect(rows.length).toBeGreaterThan(2);
      for (const row of rows) {
        const a = ctx.all.find((x) => x.id === row.id);
        if (!a) throw new Error(`unknown id ${row.id}`);
        expect(row).toEqual({
          id: a.id, date: new Date(ctx.dateOf(a)).toISOString(), dateIsFallback: a.publishedAt === null, publishedAt: a.publishedAt,
          firstSeenAt: a.firstSeenAt, outletId: a.outletId, language: a.language, title: a.title, url: a.url, actors: a.actors,
          themes: a.themes, keywords: a.keywords, clusterId: a.id,
        });
      }
    });

    it('yields nothing for no match and rejects a bad page size', async () => {
      expect(await collect(ctx.store().exportArticles(term('nonexistentword'), {}))).toEqual([]);
      await expect(collect(ctx.store().exportArticles(ALL_QUERY, { pageSize: 0 }))).rejects.toThrow(/pageSize/);
    });
  });
}
