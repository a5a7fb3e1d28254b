/**
 * Request and response shapes of the HTTP API, shared by the hono routes (validation) and the React UI
 * (types), so no shape is declared twice.
 */
import { z } from 'zod';
import { ActorTypeSchema, FeedStatusSchema, SlugSchema, TrendIntervalSchema } from '../../core/types.ts';
import type { Actor, AlertEvent, Article, Feed, FeedStatus, Outlet, Theme } from '../../core/types.ts';
import type { ArticleCluster, SearchHit, TermCount, TermField } from '../../store/article-store.ts';
import type { RetagJob } from '../../store/catalog-store.ts';

/** ISO date (YYYY-MM-DD) or full ISO datetime. */
const DateParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/, 'must be an ISO date like 2018-02-01');

/**
 * Filters a search and an export share beside `q`. Each is a comma-separated list whose values are ORed; the
 * filters are ANDed with each other and with `q`, and resolved against the catalog like the query fields
 * (`lang:`, `actor:`, `theme:`, `collection:`, `country:`), so an unknown name is a 400 naming the parameter.
 */
const FilterParams = {
  from: DateParam.optional(),
  to: DateParam.optional(),
  /** Comma-separated outlet ids or names. */
  outlet: z.string().max(2000).optional(),
  /** Comma-separated language codes (ISO 639-1). */
  lang: z.string().max(500).optional(),
  /** Comma-separated actor ids, names or aliases. */
  actor: z.string().max(2000).optional(),
  /** Comma-separated theme ids or names. */
  theme: z.string().max(2000).optional(),
  /** Comma-separated outlet tags (collections), e.g. `state-affiliated`. */
  collection: z.string().max(2000).optional(),
  /** Comma-separated outlet countries (ISO 3166-1 alpha-2). */
  country: z.string().max(500).optional(),
};

/** Facet fields of a search response, in display order. */
export const FacetFieldSchema = z.enum(['outlet', 'language', 'country', 'actor', 'theme', 'tag']);

export const SearchQuerySchema = z.object({
  q: z.string().max(4000).default(''),
  ...FilterParams,
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
  /** `date` (newest first) or `relevance` (best text match first, then newest). Cursors are per sort. */
  sort: z.enum(['relevance', 'date']).default('date'),
  /**
   * Comma-separated facet fields, `none` for no facets. Absent: every facet on the first page (no cursor) and
   * none on later pages, which show the same result set.
   */
  facets: z
    .string()
    .max(200)
    .regex(/^(none|((outlet|language|country|actor|theme|tag)(,(outlet|language|country|actor|theme|tag))*))$/, 'must be "none" or a comma-separated list of outlet, language, country, actor, theme, tag')
    .optional(),
  /** Values per facet. */
  facetLimit: z.coerce.number().int().min(1).max(100).default(10),
});

/** One facet value: the id or code, a display label from the catalog, and the matching articles that have it. */
export interface FacetValueView {
  value: string;
  label: string;
  count: number;
}

/** The filters a search or export applied beside `q`, resolved to ids (what a facet click adds to). */
export interface AppliedFilters {
  from?: string;
  to?: string;
  outlet?: string[];
  lang?: string[];
  actor?: string[];
  theme?: string[];
  collection?: string[];
  country?: string[];
}

export interface SearchResponse {
  query: string;
  total: number;
  hits: SearchHit[];
  nextCursor: string | null;
  /** The order of `hits` (the `sort` parameter). */
  sort?: 'relevance' | 'date';
  /** The filters applied beside `q`. */
  filters?: AppliedFilters;
  /** Counts over the whole result set, most frequent first; only the requested fields. */
  facets?: Partial<Record<z.infer<typeof FacetFieldSchema>, FacetValueView[]>>;
}

/** GET /api/export: the whole result set of a search as a download. */
export const ExportQuerySchema = z.object({
  /** `csv` (RFC 4180, with `#` metadata lines first) or `jsonl` (JSON Lines, a `_meta` object first). */
  format: z.enum(['csv', 'jsonl']).default('csv'),
  q: z.string().max(4000).default(''),
  ...FilterParams,
});

/** A boolean query flag: `true`/`1` or `false`/`0`. */
const FlagParam = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** IANA time zone name (checked against Intl by the route). */
const TimeZoneParam = z.string().min(1).max(64).regex(/^[A-Za-z0-9_+\-/]+$/, 'must be an IANA time zone such as Europe/Berlin');

/** `q` may repeat: one series per value. */
export const TrendsQuerySchema = z.object({
  q: z.array(z.string().max(4000)).min(1, 'give at least one q').max(12, 'at most 12 series'),
  interval: TrendIntervalSchema.default('day'),
  /** Buckets follow this zone's local midnights (and DST). */
  tz: TimeZoneParam.default('UTC'),
  from: DateParam.optional(),
  to: DateParam.optional(),
  outlet: z.string().optional(),
  /**
   * `copies` counts every matching article; `stories` counts each syndication cluster once, in the bucket of its
   * earliest matching article (see TrendCountMode in store/article-store.ts).
   */
  count: z.enum(['copies', 'stories']).default('copies'),
  /** One series per outlet or per outlet tag (for each q). */
  breakdown: z.enum(['outlet', 'tag']).optional(),
  /** Groups kept per q in a breakdown, the largest first; the rest are merged into one "other" series. */
  groups: z.coerce.number().int().min(1).max(50).default(10),
  /** Each point also gets the bucket's total under the same filters and `share` = count / total. */
  normalize: FlagParam.default(false),
});

/** The outlet or tag a broken-down series counts. */
export interface TrendGroupView {
  by: 'outlet' | 'tag';
  /** Outlet id or tag; null for the untagged outlets, and for `other`. */
  key: string | null;
  label: string;
  /** The groups beyond `groups`, merged: their counts summed bucket by bucket. */
  other?: boolean;
  /** Outlets merged into an `other` series. */
  keys?: string[];
}

export interface TrendPointView {
  /** Local bucket start, ISO 8601 with offset ("2024-03-31T00:00:00+01:00"). */
  t: string;
  count: number;
  /** normalize=true: all articles (or stories) in the bucket under the same filters and group. */
  total?: number;
  /** normalize=true: count / total; null when the bucket has no article at all. */
  share?: number | null;
  /** False when none of the series' outlets had a successful fetch (ok or not modified) in the bucket. */
  covered: boolean;
}

export interface TrendSeries {
  /** The query text as given. */
  query: string;
  /** Human label: the actor/theme name for `actor:`/`theme:` series, else the query; plus the group, if any. */
  label: string;
  /** Set with `breakdown`. */
  group?: TrendGroupView;
  /** Dense series on the response's grid (zeros included). */
  points: TrendPointView[];
  total: number;
  /** Articles placed by first-seen date because the feed gave no usable published date. */
  fallbackDateCount: number;
}

export interface TrendsResponse {
  interval: 'hour' | 'day' | 'week' | 'month';
  /** Canonical IANA name of the zone the buckets follow. */
  timeZone: string;
  series: TrendSeries[];
  /** What the counts count (the `count` parameter). */
  count?: 'copies' | 'stories';
  breakdown?: 'outlet' | 'tag';
  normalized: boolean;
  /** The grid: every bucket start, as in `points[].t`; bucket i ends where i + 1 starts, the last at `end`. */
  buckets: string[];
  end: string | null;
  /** Oldest entry of the fetch log the coverage flags come from (null: no fetch recorded, nothing is covered). */
  coverageSince: string | null;
}

export const TopTermsQuerySchema = z.object({
  q: z.string().max(4000).default(''),
  field: z.enum(['keywords', 'actors', 'themes', 'entities', 'outlet', 'language']).default('keywords'),
  from: DateParam.optional(),
  to: DateParam.optional(),
  /** Comma-separated outlet ids or names, as for search and trends. */
  outlet: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export interface TopTermsResponse {
  field: TermField;
  terms: TermCount[];
}

/** GET /api/cooccurrence: actors x themes among the articles matching `q`. */
export const CoOccurrenceQuerySchema = z.object({
  /** Comma-separated actor ids or names (rows). */
  actors: z.string().min(1, 'give at least one actor').max(4000),
  /** Comma-separated theme ids or names (columns). */
  themes: z.string().min(1, 'give at least one theme').max(4000),
  q: z.string().max(4000).default(''),
  interval: TrendIntervalSchema.optional(),
  tz: TimeZoneParam.default('UTC'),
  from: DateParam.optional(),
  to: DateParam.optional(),
  outlet: z.string().optional(),
});

export interface CoOccurrenceCellView {
  actor: string;
  theme: string;
  count: number;
}

export interface CoOccurrenceResponse {
  actors: { id: string; name: string }[];
  themes: { id: string; name: string }[];
  /** Every actor x theme pair, zeros included, in the order of `actors` then `themes`. */
  cells: CoOccurrenceCellView[];
  interval: 'hour' | 'day' | 'week' | 'month' | null;
  timeZone: string;
  /** With `interval`: every bucket of the grid (empty ones included), with its non-zero cells. */
  buckets: { t: string; end: string; cells: CoOccurrenceCellView[] }[];
}

export const AddFeedBodySchema = z.object({
  url: z.string().url().max(2000),
  /** Outlet id or display name; a new outlet is created from a name that is not known. */
  outlet: z.string().min(1).max(200),
});

export type FeedView = Feed & { outletName: string };

export interface FeedsResponse {
  feeds: FeedView[];
  /** How many feeds are in each state, over all feeds (also when `?status=` filters the list). */
  counts: FeedCounts;
}

/** `GET /api/feeds?status=error`: only the feeds in that state. */
export const FeedsQuerySchema = z.object({
  status: FeedStatusSchema.optional(),
});

export type FeedCounts = Record<FeedStatus, number> & { total: number };

/** Answer of `POST /api/opml`. */
export interface OpmlImportResponse {
  /** Feeds added by this import. */
  imported: number;
  /** Feeds in the document that were already stored (left with their outlet). */
  alreadyPresent: number;
  /** Feed URLs the URL policy refused, with the reason; the rest of the document was imported. */
  skipped: { url: string; reason: string }[];
  /** Outlets the accepted feeds belong to (created or updated). */
  outlets: number;
  outletsCreated: number;
  /** Outlines skipped or repaired while reading the document. */
  problems: string[];
}

export const ActorBodySchema = z.object({
  id: SlugSchema.optional(),
  name: z.string().min(1).max(200),
  type: ActorTypeSchema.default('other'),
  aliases: z.array(z.string().min(1).max(200)).max(500).default([]),
});

export const ThemeBodySchema = z.object({
  id: SlugSchema.optional(),
  name: z.string().min(1).max(200),
  query: z.string().min(1).max(4000),
});

export const AlertBodySchema = z.object({
  id: SlugSchema.optional(),
  name: z.string().min(1).max(200),
  query: z.string().min(1).max(4000),
  webhookUrl: z.string().url().max(2000).optional(),
});

export interface AlertView {
  id: string;
  name: string;
  query: string;
  webhookUrl?: string;
  createdAt: string;
  eventCount: number;
}

export interface AlertEventView extends AlertEvent {
  article: { id: string; title: string; url: string; outletId: string; date: string } | null;
}

export interface HealthResponse {
  status: 'ok';
  store: 'sqlite' | 'elasticsearch';
  queue: 'embedded' | 'bullmq';
  articles: number;
  feeds: number;
  version: string;
}

/** Every error the API returns has this body. `position` is set for query errors (0-based). */
export interface ErrorResponse {
  error: { code: string; message: string; position?: number; param?: string };
}

export type { Actor, Outlet, Theme };

export interface OutletsResponse {
  outlets: Outlet[];
}

export interface ActorsResponse {
  actors: Actor[];
}

export interface ThemesResponse {
  themes: Theme[];
}

export interface AlertsResponse {
  alerts: AlertView[];
}

export const AlertEventsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface AlertEventsResponse {
  events: AlertEventView[];
}

/**
 * Progress of a theme's background re-tag of the stored articles (GET /api/themes/:id/retag): the job as the
 * catalog stores it, without the runner's bookkeeping (generation, scan cursor).
 */
export type RetagJobView = Omit<RetagJob, 'generation' | 'cursor'>;

/**
 * Answer of POST /api/themes: the saved theme and its re-tag job — a new pending one when the theme is new or its
 * query changed, else the last one (an edit of the name alone re-tags nothing).
 */
export type ThemeSaveResponse = Theme & { retag: RetagJobView };

export interface RetagJobsResponse {
  jobs: RetagJobView[];
}

/** GET /api/clusters/:id parameters. */
export const ClusterQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/**
 * GET /api/clusters/:id: the syndication cluster — its origin (earliest article) and every copy with outlet,
 * date, delay after the origin in hours, title and url, origin first.
 */
export type ClusterResponse = ArticleCluster & {
  /** Outlet names by id, for the members' outlets. */
  outletNames: Record<string, string>;
};

/** GET /api/articles/:id: the stored article plus where it stands in its syndication cluster. */
export type ArticleResponse = Article & {
  clusterId: string;
  /** Articles in the cluster, this one included (1 = no known copy). */
  clusterSize: number;
  /** The cluster's earliest article (this one when it is the origin). */
  clusterOriginId: string;
};
