/**
 * Request bodies of the Elasticsearch store and the mapping of their responses, as pure functions: what the
 * golden tests pin down, separate from the client calls in elastic-article-store.ts.
 */
import { AppError, ValidationError } from '../../core/errors.ts';
import type { QueryNode } from '../../core/query/ast.ts';
import { createZoneBuckets, UTC_ZONE, type ZoneBuckets } from '../../core/time-buckets.ts';
import type { TrendInterval, TrendPoint } from '../../core/types.ts';
import type {
  DateRange,
  FacetCount,
  FacetField,
  OutletGroups,
  SearchFacets,
  SearchSort,
  TermCount,
  TermField,
  TrendSeriesResult,
} from '../article-store.ts';
import { assembleFacets, DEFAULT_FACET_LIMIT, needsAllOutlets } from '../facets.ts';
import { HIGHLIGHT_POST, HIGHLIGHT_PRE, SEARCH_SOURCE_EXCLUDES } from './document.ts';
import { compileQuery, filteredQuery, highlightQuery, positiveTextLeaves, type EsQuery } from './query-to-elastic.ts';

/** Characters of body text around a match (the unified highlighter cuts at sentence, then word, boundaries). */
export const FRAGMENT_CHARS = 160;
/**
 * Characters of text the highlighter analyzes per field. Passed per request so a longer document is cut there
 * instead of failing the whole search (the index setting of 1,000,000 raises an error past it; one below it stops there instead).
 */
export const MAX_ANALYZED_OFFSET = 999_999;

const invalid = (code: string) => (message: string) => new ValidationError(code, message);

/** Keyword field counted by topTerms for each TermField. */
export const TERM_FIELDS: Record<TermField, string> = {
  keywords: 'keywords',
  actors: 'actors',
  themes: 'themes',
  entities: 'entities.text',
  outlet: 'outletId',
  language: 'language',
};

/** The query part shared by search, trends and top terms. */
export function storeQuery(query: QueryNode, range: DateRange, outlets: readonly string[] | undefined): EsQuery {
  return filteredQuery(query, range, outlets, invalid('invalid_date_range'));
}

export interface SearchRequestInput extends DateRange {
  query: QueryNode;
  outlets?: readonly string[];
  limit: number;
  /**
   * The sort values of the last hit of the previous page: [date in epoch ms, id] for the date sort,
   * [score, date in epoch ms, id] for relevance.
   */
  searchAfter?: [number, string] | [number, number, string];
  /** @defaultValue 'date' */
  sort?: SearchSort;
  /** Facet aggregations to add (see facetAggs). */
  facets?: readonly FacetField[];
  /** Buckets per facet. @defaultValue 10 */
  facetLimit?: number;
  /** Outlet ids of the catalog, for the country and tag facets. */
  groupOutlets?: readonly string[];
}

/**
 * Extra weight of a title match in relevance order: a should clause repeating the positive text leaves on the
 * title only, boosted 2, so a title match scores about 3 times a body match, like the SQLite store's bm25 weights.
 */
export const TITLE_BOOST = 2;

/**
 * The query of a relevance page: the filtered query (which decides what matches) plus, when the query has
 * positive text leaves, an optional should clause that only adds the title boost to the score.
 */
export function relevanceQuery(query: QueryNode, range: DateRange, outlets: readonly string[] | undefined): EsQuery {
  const base = storeQuery(query, range, outlets) as { bool: Record<string, unknown> };
  const seen = new Set<string>();
  const title: EsQuery[] = [];
  for (const leaf of positiveTextLeaves(query)) {
    const compiled = compileQuery({ ...leaf, field: 'title' });
    const key = JSON.stringify(compiled);
    if ('match_none' in compiled || seen.has(key)) continue;
    seen.add(key);
    title.push(compiled);
  }
  if (title.length === 0) return base;
  return { bool: { ...base.bool, should: [{ bool: { should: title, boost: TITLE_BOOST } }] } };
}

/** Keyword field of each directly counted facet. */
export const FACET_FIELDS_ES: Record<'outlet' | 'language' | 'actor' | 'theme', string> = {
  outlet: 'outletId',
  language: 'language',
  actor: 'actors',
  theme: 'themes',
};

/** Upper bound of the terms size of the outlet-group aggregation (Elasticsearch's default search.max_buckets is 65,536). */
export const MAX_GROUP_OUTLETS = 10_000;

function facetTerms(field: string, size: number): Record<string, unknown> {
  return {
    terms: {
      field,
      size,
      shard_size: Math.max(100, size * 5),
      order: [{ _count: 'desc' }, { _key: 'asc' }],
      exclude: [''],
    },
  };
}

/**
 * Facet aggregations: one `terms` per directly counted field (`facet_outlet`, `facet_language`, `facet_actor`,
 * `facet_theme`), and for `country` / `tag` one `facet_outlet_groups` restricted (`include`) to the catalog's
 * outlets with room for all of them, so every outlet that has a country or a tag is counted exactly (with the
 * template's single shard) and folded in store/facets.ts. Empty when no facet is requested.
 */
export function facetAggs(fields: readonly FacetField[], limit: number, groupOutlets: readonly string[]): Record<string, unknown> {
  const aggs: Record<string, unknown> = {};
  for (const field of new Set(fields)) {
    if (field === 'country' || field === 'tag') continue;
    aggs[`facet_${field}`] = facetTerms(FACET_FIELDS_ES[field], limit);
  }
  if (needsAllOutlets(fields)) {
    const ids = [...new Set(groupOutlets)].sort().slice(0, MAX_GROUP_OUTLETS);
    const agg = facetTerms('outletId', Math.max(1, ids.length)) as { terms: Record<string, unknown> };
    delete agg.terms.exclude;
    aggs.facet_outlet_groups = { terms: { ...agg.terms, include: ids } };
  }
  return aggs;
}

interface TermsBuckets {
  buckets?: { key?: unknown; doc_count?: number }[];
}

/** The facets of a search response built with facetAggs. */
export function toFacets(
  response: { aggregations?: Record<string, unknown> },
  fields: readonly FacetField[],
  limit: number,
  groups: OutletGroups | undefined,
): SearchFacets {
  const counts = (name: string): FacetCount[] =>
    ((response.aggregations?.[name] as TermsBuckets | undefined)?.buckets ?? []).map((b) => ({
      value: String(b.key ?? ''),
      count: b.doc_count ?? 0,
    }));
  const direct: Partial<Record<keyof typeof FACET_FIELDS_ES, FacetCount[]>> = {};
  for (const field of Object.keys(FACET_FIELDS_ES) as (keyof typeof FACET_FIELDS_ES)[]) {
    if (fields.includes(field)) direct[field] = counts(`facet_${field}`);
  }
  return assembleFacets(fields, direct, groups, limit, counts('facet_outlet_groups'));
}

/**
 * One search page: newest first with the id as tie-breaker (the keyset the cursor encodes), or by relevance
 * (`_score`, then date and id), one extra hit to know whether a next page exists, an exact total, highlights of
 * the raw title and body, and the requested facet aggregations.
 */
export function searchRequest(input: SearchRequestInput): Record<string, unknown> {
  const relevance = input.sort === 'relevance';
  const aggs = input.facets?.length ? facetAggs(input.facets, input.facetLimit ?? DEFAULT_FACET_LIMIT, input.groupOutlets ?? []) : {};
  return {
    query: relevance ? relevanceQuery(input.query, input, input.outlets) : storeQuery(input.query, input, input.outlets),
    sort: relevance
      ? [{ _score: { order: 'desc' } }, { date: { order: 'desc' } }, { id: { order: 'desc' } }]
      : [{ date: { order: 'desc' } }, { id: { order: 'desc' } }],
    size: input.limit + 1,
    track_total_hits: true,
    ...(input.searchAfter ? { search_after: input.searchAfter } : {}),
    ...(Object.keys(aggs).length > 0 ? { aggs } : {}),
    _source: { excludes: SEARCH_SOURCE_EXCLUDES },
    highlight: {
      type: 'unified',
      pre_tags: [HIGHLIGHT_PRE],
      post_tags: [HIGHLIGHT_POST],
      require_field_match: true,
      max_analyzed_offset: MAX_ANALYZED_OFFSET,
      fields: {
        text: {
          highlight_query: highlightQuery(input.query, 'text'),
          fragment_size: FRAGMENT_CHARS,
          number_of_fragments: 1,
          no_match_size: FRAGMENT_CHARS,
        },
        title: {
          highlight_query: highlightQuery(input.query, 'title'),
          number_of_fragments: 0,
        },
      },
    },
  };
}

/** `_source` fields an export row needs (never the body). */
export const EXPORT_SOURCE_INCLUDES = [
  'id', 'date', 'dateIsFallback', 'publishedAt', 'firstSeenAt', 'outletId', 'language', 'title', 'url', 'actors',
  'themes', 'keywords', 'clusterId',
];

export interface ExportPageInput extends DateRange {
  query: QueryNode;
  outlets?: readonly string[];
  pageSize: number;
  /** [date in epoch ms, id] of the last row of the previous page. */
  searchAfter?: [number, string];
}

/**
 * One keyset page of an export: the same order and tie-breaker as the date sort, search_after instead of from/size
 * (no max_result_window limit, no deep paging cost), no total and no highlight.
 */
export function exportPageRequest(input: ExportPageInput): Record<string, unknown> {
  return {
    query: storeQuery(input.query, input, input.outlets),
    sort: [{ date: { order: 'desc' } }, { id: { order: 'desc' } }],
    size: input.pageSize,
    track_total_hits: false,
    ...(input.searchAfter ? { search_after: input.searchAfter } : {}),
    _source: { includes: EXPORT_SOURCE_INCLUDES },
  };
}

const CALENDAR_INTERVAL: Record<TrendInterval, string> = { hour: 'hour', day: 'day', week: 'week', month: 'month' };

/**
 * The date_histogram of a trend: calendar buckets in the zone (Elasticsearch applies the zone's DST rules), only
 * non-empty ones. UTC day/week/month keep the date-only format of the first version of this request.
 */
export function histogramAgg(interval: TrendInterval, timeZone: string = UTC_ZONE): Record<string, unknown> {
  const zb = createZoneBuckets(interval, timeZone);
  const zone = zb.timeZone;
  return {
    date_histogram: {
      field: 'date',
      calendar_interval: CALENDAR_INTERVAL[interval],
      time_zone: zone,
      min_doc_count: 1,
      format: zb.isUtc && interval !== 'hour' ? 'yyyy-MM-dd' : "yyyy-MM-dd'T'HH:mm:ssXXX",
    },
  };
}

/** Matching articles placed by firstSeenAt: a filter aggregation beside each histogram. */
export const FALLBACK_DATES_AGG = { filter: { term: { dateIsFallback: true } } };

/**
 * Counts per calendar bucket in `timeZone` (default UTC), only non-empty buckets (min_doc_count 1), plus how many
 * matching articles are placed by firstSeenAt (a filter aggregation beside the histogram).
 */
export function countOverTimeRequest(
  query: QueryNode,
  range: DateRange,
  interval: TrendInterval,
  outlets: readonly string[] | undefined,
  timeZone: string = UTC_ZONE,
): Record<string, unknown> {
  return {
    size: 0,
    track_total_hits: true,
    query: storeQuery(query, range, outlets),
    aggs: {
      over_time: histogramAgg(interval, timeZone),
      fallback_dates: FALLBACK_DATES_AGG,
    },
  };
}

/** A date_histogram answer: bucket keys are the epoch ms of each bucket's start. */
export interface HistogramBuckets {
  buckets?: { key?: number; doc_count?: number }[];
}

interface HistogramResponse {
  hits?: { total?: { value?: number } | number };
  aggregations?: {
    over_time?: HistogramBuckets;
    fallback_dates?: { doc_count?: number };
  };
}

function totalOf(total: { value?: number } | number | undefined): number {
  if (typeof total === 'number') return total;
  return total?.value ?? 0;
}

/**
 * The points of a date_histogram answer, labelled like the SQLite store (core/time-buckets.ts). Elasticsearch
 * starts calendar weeks on Monday (ISO 8601) and follows the zone's DST rules; a key that is not where this store
 * puts a bucket start means the request or the cluster differs from what it assumes, and is an error rather
 * than a silently shifted chart.
 */
export function histogramPoints(histogram: HistogramBuckets | undefined, zb: ZoneBuckets): TrendPoint[] {
  const points: { ms: number; p: TrendPoint }[] = [];
  for (const bucket of histogram?.buckets ?? []) {
    const key = bucket.key ?? Number.NaN;
    const count = bucket.doc_count ?? 0;
    if (count === 0) continue;
    if (!Number.isFinite(key) || zb.start(key) !== key) {
      throw new AppError('elastic_bucket_misaligned', `elastic-store: ${zb.interval} bucket key ${key} is not a ${zb.timeZone} ${zb.interval} start`);
    }
    points.push({ ms: key, p: { t: zb.label(key), count } });
  }
  return points.sort((a, b) => a.ms - b.ms).map((x) => x.p);
}

/** The trend series from a countOverTimeRequest response (same interval and zone). */
export function toTrendSeries(response: HistogramResponse, interval: TrendInterval, timeZone: string = UTC_ZONE): TrendSeriesResult {
  return {
    points: histogramPoints(response.aggregations?.over_time, createZoneBuckets(interval, timeZone)),
    total: totalOf(response.hits?.total),
    fallbackDateCount: response.aggregations?.fallback_dates?.doc_count ?? 0,
  };
}

/**
 * Top values of a keyword field among matching articles, most frequent first and ties by value (byte order, as
 * SQLite's BINARY collation). shard_size is raised above the default so that with several shards the counts of
 * the returned terms stay exact in practice; with the template's single shard they are exact.
 */
export function topTermsRequest(query: QueryNode, range: DateRange, field: TermField, limit: number): Record<string, unknown> {
  return {
    size: 0,
    query: storeQuery(query, range, undefined),
    aggs: {
      top: {
        terms: {
          field: TERM_FIELDS[field],
          size: limit,
          shard_size: Math.max(100, limit * 5),
          order: [{ _count: 'desc' }, { _key: 'asc' }],
          // The SQLite store never records an empty tag value.
          exclude: [''],
        },
      },
    },
  };
}

/** The term counts from a topTermsRequest response. */
export function toTermCounts(response: { aggregations?: { top?: { buckets?: { key?: unknown; doc_count?: number }[] } } }): TermCount[] {
  return (response.aggregations?.top?.buckets ?? []).map((b) => ({ term: String(b.key ?? ''), count: b.doc_count ?? 0 }));
}

/** Page size of the composite aggregation that walks every feed id. */
export const FEED_PAGE_SIZE = 1000;

/** One page of per-feed article counts (composite aggregation: exact, and pages through any number of feeds). */
export function feedCountsRequest(after?: Record<string, unknown>): Record<string, unknown> {
  return {
    size: 0,
    aggs: {
      feeds: {
        composite: {
          size: FEED_PAGE_SIZE,
          sources: [{ feed: { terms: { field: 'feedId' } } }],
          ...(after ? { after } : {}),
        },
      },
    },
  };
}

/** Ids (and stored alert ids) of the given articles: an ids query, since GET cannot read through a multi-index alias. */
export function existingIdsRequest(ids: readonly string[]): Record<string, unknown> {
  return {
    query: { ids: { values: [...ids] } },
    size: ids.length,
    _source: ['alertIds'],
  };
}

/** Events of one alert, newest first (ties by id: Elasticsearch has no insertion order to fall back on). */
export function listEventsRequest(alertId: string, limit: number): Record<string, unknown> {
  return {
    query: { term: { alertId } },
    sort: [{ createdAt: { order: 'desc' } }, { id: { order: 'desc' } }],
    size: limit,
  };
}

/** Events whose webhook delivery is pending and due at `nowIso`, oldest due first. */
export function dueEventsRequest(nowIso: string, limit: number): Record<string, unknown> {
  return {
    query: {
      bool: {
        filter: [{ term: { deliveryStatus: 'pending' } }, { range: { nextDeliveryAt: { lte: nowIso } } }],
      },
    },
    sort: [{ nextDeliveryAt: { order: 'asc' } }, { id: { order: 'asc' } }],
    size: limit,
  };
}

/**
 * The delivery state machine as one atomic update script: only a pending event moves; a success keeps the last
 * error as history. Values travel as params, never inside the script source.
 */
export const RECORD_DELIVERY_SCRIPT = [
  "if (ctx._source.deliveryStatus != 'pending') { ctx.op = 'noop'; return; }",
  'ctx._source.deliveryStatus = params.status;',
  'ctx._source.deliveryAttempts = ctx._source.deliveryAttempts + 1;',
  'if (params.error != null) { ctx._source.lastDeliveryError = params.error; }',
  'ctx._source.nextDeliveryAt = params.next;',
].join(' ');
