/**
 * Request bodies of the Elasticsearch store and the mapping of their responses, as pure functions: what the
 * golden tests pin down, separate from the client calls in elastic-article-store.ts.
 */
import { AppError, ValidationError } from '../../core/errors.ts';
import type { QueryNode } from '../../core/query/ast.ts';
import type { TrendInterval, TrendPoint } from '../../core/types.ts';
import type { DateRange, TermCount, TermField, TrendSeriesResult } from '../article-store.ts';
import { HIGHLIGHT_POST, HIGHLIGHT_PRE, SEARCH_SOURCE_EXCLUDES } from './document.ts';
import { filteredQuery, highlightQuery, type EsQuery } from './query-to-elastic.ts';

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
  /** [date in epoch ms, id] of the last hit of the previous page. */
  searchAfter?: [number, string];
}

/**
 * One search page: newest first with the id as tie-breaker (the keyset the cursor encodes), one extra hit to
 * know whether a next page exists, an exact total, and highlights of the raw title and body.
 */
export function searchRequest(input: SearchRequestInput): Record<string, unknown> {
  return {
    query: storeQuery(input.query, input, input.outlets),
    sort: [{ date: { order: 'desc' } }, { id: { order: 'desc' } }],
    size: input.limit + 1,
    track_total_hits: true,
    ...(input.searchAfter ? { search_after: input.searchAfter } : {}),
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

const CALENDAR_INTERVAL: Record<TrendInterval, string> = { day: 'day', week: 'week', month: 'month' };

/**
 * Counts per calendar bucket in UTC, only non-empty buckets (min_doc_count 1), plus how many matching articles
 * are placed by firstSeenAt (a filter aggregation beside the histogram).
 */
export function countOverTimeRequest(
  query: QueryNode,
  range: DateRange,
  interval: TrendInterval,
  outlets: readonly string[] | undefined,
): Record<string, unknown> {
  return {
    size: 0,
    track_total_hits: true,
    query: storeQuery(query, range, outlets),
    aggs: {
      over_time: {
        date_histogram: {
          field: 'date',
          calendar_interval: CALENDAR_INTERVAL[interval],
          time_zone: 'UTC',
          min_doc_count: 1,
          format: 'yyyy-MM-dd',
        },
      },
      fallback_dates: { filter: { term: { dateIsFallback: true } } },
    },
  };
}

interface HistogramResponse {
  hits?: { total?: { value?: number } | number };
  aggregations?: {
    over_time?: { buckets?: { key?: number; doc_count?: number }[] };
    fallback_dates?: { doc_count?: number };
  };
}

function totalOf(total: { value?: number } | number | undefined): number {
  if (typeof total === 'number') return total;
  return total?.value ?? 0;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The trend series from a countOverTimeRequest response. Bucket labels come from the bucket key (epoch ms of
 * the bucket start in UTC). Elasticsearch starts calendar weeks on Monday (ISO 8601); a week key on any other
 * day (or a key not at midnight UTC) means the request or the cluster differs from what this store assumes,
 * and is an error rather than a silently shifted chart.
 */
export function toTrendSeries(response: HistogramResponse, interval: TrendInterval): TrendSeriesResult {
  const points: TrendPoint[] = [];
  for (const bucket of response.aggregations?.over_time?.buckets ?? []) {
    const key = bucket.key ?? Number.NaN;
    const count = bucket.doc_count ?? 0;
    if (count === 0) continue;
    const d = new Date(key);
    const misaligned =
      !Number.isFinite(key) ||
      key % 86_400_000 !== 0 ||
      (interval === 'week' && d.getUTCDay() !== 1) ||
      (interval === 'month' && d.getUTCDate() !== 1);
    if (misaligned) {
      throw new AppError('elastic_bucket_misaligned', `elastic-store: ${interval} bucket key ${key} is not a UTC ${interval} start`);
    }
    points.push({ t: isoDay(key), count });
  }
  points.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  return {
    points,
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
