/**
 * Trends of the Elasticsearch store beyond one plain series: breakdowns by outlet (`terms`) or outlet tag
 * (`filters`) under a zoned date_histogram, unique stories per group, and the actor x theme matrix — request
 * bodies and response mappings as pure functions (golden-tested), plus the two port methods.
 */
import { ValidationError } from '../../core/errors.ts';
import type { QueryNode } from '../../core/query/ast.ts';
import { createZoneBuckets, UTC_ZONE, type ZoneBuckets } from '../../core/time-buckets.ts';
import type {
  CoOccurrenceCell,
  CoOccurrenceOptions,
  CoOccurrenceResult,
  CountOverTimeOptions,
  DateRange,
  TrendGroupResult,
  TrendSeriesResult,
} from '../article-store.ts';
import type { ElasticClient } from './client.ts';
import { collectStoryFirsts, storyFirstsByGroup, toStorySeries, type StoryFirst } from './clusters.ts';
import type { ElasticNames } from './mapping.ts';
import {
  countOverTimeRequest,
  FALLBACK_DATES_AGG,
  histogramAgg,
  histogramPoints,
  storeQuery,
  toTrendSeries,
  type HistogramBuckets,
} from './requests.ts';

/**
 * Outlets a by-outlet breakdown returns at most. Every group carries its own histogram, and a search may hold at
 * most `search.max_buckets` (65,536 by default) buckets in all: outlets x buckets must stay under it.
 */
export const MAX_OUTLET_GROUPS = 500;
/** Actors or themes of a matrix at most (as the SQLite store). */
export const MAX_MATRIX_SIDE = 50;
/** Name of the untagged filter of a tag breakdown; tags themselves are named `tag_<index>` in sorted order. */
const UNTAGGED = 'untagged';

/** The tags of a tag breakdown, sorted, with the outlets of each and every tagged outlet. */
export function tagGroups(outletTags: Readonly<Record<string, readonly string[]>> = {}): { tags: string[]; outletsOf: Map<string, string[]>; tagged: string[] } {
  const outletsOf = new Map<string, string[]>();
  for (const [outlet, tags] of Object.entries(outletTags)) {
    for (const tag of new Set(tags)) outletsOf.set(tag, [...(outletsOf.get(tag) ?? []), outlet]);
  }
  const tags = [...outletsOf.keys()].sort();
  for (const t of tags) outletsOf.get(t)?.sort();
  const tagged = Object.entries(outletTags).filter(([, tags]) => tags.length > 0).map(([o]) => o).sort();
  return { tags, outletsOf, tagged };
}

/**
 * A trend with a breakdown: the whole series (histogram + fallback filter) and, beside it, one histogram per
 * outlet (a `terms` aggregation) or per outlet tag (a `filters` aggregation: each tag's outlets, plus the articles
 * of outlets with no tag).
 */
export function breakdownRequest(query: QueryNode, range: DateRange, outlets: readonly string[] | undefined, options: CountOverTimeOptions): Record<string, unknown> {
  const base = countOverTimeRequest(query, range, options.interval, outlets, options.timeZone) as { aggs: Record<string, unknown> };
  const perGroup = { over_time: histogramAgg(options.interval, options.timeZone), fallback_dates: FALLBACK_DATES_AGG };
  let groups: Record<string, unknown>;
  if (options.breakdown === 'tag') {
    const { tags, outletsOf, tagged } = tagGroups(options.outletTags);
    const filters: Record<string, unknown> = {};
    tags.forEach((t, i) => {
      filters[`tag_${i}`] = { terms: { outletId: outletsOf.get(t) ?? [] } };
    });
    filters[UNTAGGED] = tagged.length > 0 ? { bool: { must_not: [{ terms: { outletId: tagged } }] } } : { match_all: {} };
    groups = { filters: { filters }, aggs: perGroup };
  } else {
    groups = { terms: { field: 'outletId', size: MAX_OUTLET_GROUPS, order: { _key: 'asc' } }, aggs: perGroup };
  }
  return { ...base, aggs: { ...base.aggs, groups } };
}

interface GroupBucket {
  key?: unknown;
  doc_count?: number;
  over_time?: HistogramBuckets;
  fallback_dates?: { doc_count?: number };
}

interface BreakdownResponse {
  hits?: { total?: { value?: number } | number };
  aggregations?: {
    over_time?: HistogramBuckets;
    fallback_dates?: { doc_count?: number };
    groups?: { buckets?: GroupBucket[] | Record<string, GroupBucket> };
  };
}

function groupResult(key: string | null, bucket: GroupBucket, zb: ZoneBuckets): TrendGroupResult {
  return {
    key,
    points: histogramPoints(bucket.over_time, zb),
    total: bucket.doc_count ?? 0,
    fallbackDateCount: bucket.fallback_dates?.doc_count ?? 0,
  };
}

/** The whole series and its groups (non-empty only, by key, untagged last) from a breakdownRequest answer. */
export function toBreakdownSeries(response: BreakdownResponse, options: CountOverTimeOptions): TrendSeriesResult {
  const zb = createZoneBuckets(options.interval, options.timeZone);
  const whole = toTrendSeries(response, options.interval, options.timeZone);
  const raw = response.aggregations?.groups?.buckets;
  const groups: TrendGroupResult[] = [];
  if (options.breakdown === 'tag') {
    const { tags } = tagGroups(options.outletTags);
    const named = (raw && !Array.isArray(raw) ? raw : {}) as Record<string, GroupBucket>;
    tags.forEach((t, i) => {
      const b = named[`tag_${i}`];
      if (b && (b.doc_count ?? 0) > 0) groups.push(groupResult(t, b, zb));
    });
    const untagged = named[UNTAGGED];
    if (untagged && (untagged.doc_count ?? 0) > 0) groups.push(groupResult(null, untagged, zb));
  } else {
    for (const b of Array.isArray(raw) ? raw : []) if ((b.doc_count ?? 0) > 0) groups.push(groupResult(String(b.key), b, zb));
    groups.sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : 1));
  }
  return { ...whole, groups };
}

/** Unique stories with a breakdown, from per-(outlet, cluster) firsts: the whole folds every outlet together. */
export function toStoryBreakdown(firsts: readonly StoryFirst[], options: CountOverTimeOptions): TrendSeriesResult {
  const { interval, timeZone } = options;
  const wholeFirsts = storyFirstsByGroup(firsts, () => ['']).get('') ?? [];
  let groupsOf: (outlet: string) => readonly (string | null)[] = (outlet) => [outlet];
  if (options.breakdown === 'tag') {
    const tagsOf = options.outletTags ?? {};
    groupsOf = (outlet) => {
      const tags = [...new Set(tagsOf[outlet] ?? [])];
      return tags.length > 0 ? tags : [null];
    };
  }
  const grouped = storyFirstsByGroup(firsts, groupsOf);
  const groups = [...grouped.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([key, fs]) => ({ key, ...toStorySeries(fs, interval, timeZone) }));
  return { ...toStorySeries(wholeFirsts, interval, timeZone), groups };
}

function requireIds(ids: readonly string[], name: string): string[] {
  const unique = [...new Set(ids)];
  if (unique.length === 0 || unique.length > MAX_MATRIX_SIDE || unique.some((id) => id === '')) {
    throw new ValidationError('invalid_request', `article-store: ${name} must list 1..${MAX_MATRIX_SIDE} ids`);
  }
  return unique;
}

/**
 * The actor x theme matrix: `terms` on actors restricted to the asked ids (`include`, so size = their number and
 * counts are exact), under it `terms` on themes likewise, and under each pair a zoned date_histogram when an
 * interval is asked for. An article with two of the actors counts in both rows, as in SQLite.
 */
export function coOccurrenceRequest(query: QueryNode, options: CoOccurrenceOptions): Record<string, unknown> {
  const actors = requireIds(options.actors, 'actors');
  const themes = requireIds(options.themes, 'themes');
  const themeAgg: Record<string, unknown> = {
    terms: { field: 'themes', include: themes, size: themes.length, min_doc_count: 1 },
    ...(options.interval !== undefined ? { aggs: { over_time: histogramAgg(options.interval, options.timeZone) } } : {}),
  };
  return {
    size: 0,
    track_total_hits: false,
    query: storeQuery(
      { kind: 'and', children: [query, { kind: 'or', children: actors.map((value) => ({ kind: 'tag', field: 'actor', value })) }] },
      options,
      options.outlets,
    ),
    aggs: {
      actors: {
        terms: { field: 'actors', include: actors, size: actors.length, min_doc_count: 1 },
        aggs: { themes: themeAgg },
      },
    },
  };
}

interface MatrixResponse {
  aggregations?: {
    actors?: { buckets?: { key?: unknown; themes?: { buckets?: { key?: unknown; doc_count?: number; over_time?: HistogramBuckets }[] } }[] };
  };
}

/** The matrix from a coOccurrenceRequest answer, shaped like the SQLite store's. */
export function toCoOccurrence(response: MatrixResponse, options: CoOccurrenceOptions): CoOccurrenceResult {
  const actors = requireIds(options.actors, 'actors');
  const themes = requireIds(options.themes, 'themes');
  const zb = options.interval !== undefined ? createZoneBuckets(options.interval, options.timeZone ?? UTC_ZONE) : null;
  const overall = new Map<string, number>();
  const perBucket = new Map<number, CoOccurrenceCell[]>();
  for (const a of response.aggregations?.actors?.buckets ?? []) {
    const actor = String(a.key);
    for (const t of a.themes?.buckets ?? []) {
      const theme = String(t.key);
      overall.set(JSON.stringify([actor, theme]), t.doc_count ?? 0);
      if (!zb) continue;
      for (const b of t.over_time?.buckets ?? []) {
        const key = b.key ?? Number.NaN;
        if ((b.doc_count ?? 0) === 0) continue;
        // Validated like a trend histogram (a misaligned key throws there).
        histogramPoints({ buckets: [b] }, zb);
        const cells = perBucket.get(key) ?? [];
        cells.push({ actor, theme, count: b.doc_count ?? 0 });
        perBucket.set(key, cells);
      }
    }
  }
  const order = (c: CoOccurrenceCell): number => actors.indexOf(c.actor) * MAX_MATRIX_SIDE + themes.indexOf(c.theme);
  return {
    cells: actors.flatMap((actor) => themes.map((theme) => ({ actor, theme, count: overall.get(JSON.stringify([actor, theme])) ?? 0 }))),
    buckets: zb
      ? [...perBucket.entries()].sort(([x], [y]) => x - y).map(([ms, cells]) => ({ t: zb.label(ms), cells: cells.sort((x, y) => order(x) - order(y)) }))
      : [],
  };
}

/** countOverTime and coOccurrence of the Elasticsearch store. */
export function createElasticTrendMethods(deps: { client: ElasticClient; names: ElasticNames; ready: () => Promise<void> }) {
  const { client, names, ready } = deps;
  return {
    async countOverTime(query: QueryNode, options: CountOverTimeOptions): Promise<TrendSeriesResult> {
      const timeZone = options.timeZone ?? UTC_ZONE;
      // Built (and the zone checked) before any request.
      createZoneBuckets(options.interval, timeZone);
      await ready();
      if (options.count === 'stories') {
        const firsts = await collectStoryFirsts(client, names, query, options, options.outlets, options.breakdown !== undefined);
        return options.breakdown === undefined ? toStorySeries(firsts, options.interval, timeZone) : toStoryBreakdown(firsts, options);
      }
      if (options.breakdown === undefined) {
        const response = await client.search({ index: names.articlesRead, ...countOverTimeRequest(query, options, options.interval, options.outlets, timeZone) });
        return toTrendSeries(response as Parameters<typeof toTrendSeries>[0], options.interval, timeZone);
      }
      const response = await client.search({ index: names.articlesRead, ...breakdownRequest(query, options, options.outlets, options) });
      return toBreakdownSeries(response as BreakdownResponse, options);
    },

    async coOccurrence(query: QueryNode, options: CoOccurrenceOptions): Promise<CoOccurrenceResult> {
      const body = coOccurrenceRequest(query, options);
      await ready();
      const response = await client.search({ index: names.articlesRead, ...body });
      return toCoOccurrence(response as MatrixResponse, options);
    },
  };
}
