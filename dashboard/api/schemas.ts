/**
 * Request and response shapes of the HTTP API, shared by the hono routes (validation) and the React UI
 * (types), so no shape is declared twice.
 */
import { z } from 'zod';
import { ActorTypeSchema, FeedStatusSchema, SlugSchema, TrendIntervalSchema } from '../../core/types.ts';
import type { Actor, AlertEvent, Article, Feed, FeedStatus, Outlet, Theme } from '../../core/types.ts';
import type { ArticleCluster, SearchHit, TermCount, TermField } from '../../store/article-store.ts';

/** ISO date (YYYY-MM-DD) or full ISO datetime. */
const DateParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/, 'must be an ISO date like 2018-02-01');

export const SearchQuerySchema = z.object({
  q: z.string().max(4000).default(''),
  from: DateParam.optional(),
  to: DateParam.optional(),
  /** Comma-separated outlet ids. */
  outlet: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});

export interface SearchResponse {
  query: string;
  total: number;
  hits: SearchHit[];
  nextCursor: string | null;
}

/** `q` may repeat: one series per value. */
export const TrendsQuerySchema = z.object({
  q: z.array(z.string().max(4000)).min(1, 'give at least one q').max(12, 'at most 12 series'),
  interval: TrendIntervalSchema.default('day'),
  from: DateParam.optional(),
  to: DateParam.optional(),
  outlet: z.string().optional(),
  /**
   * `copies` counts every matching article; `stories` counts each syndication cluster once, in the bucket of its
   * earliest matching article (see TrendCountMode in store/article-store.ts).
   */
  count: z.enum(['copies', 'stories']).default('copies'),
});

export interface TrendSeries {
  /** The query text as given. */
  query: string;
  /** Human label: the actor/theme name for `actor:`/`theme:` series, else the query. */
  label: string;
  /** Dense series from the first to the last bucket of the response (zeros included). */
  points: { t: string; count: number }[];
  total: number;
  /** Articles placed by first-seen date because the feed gave no usable published date. */
  fallbackDateCount: number;
}

export interface TrendsResponse {
  interval: 'day' | 'week' | 'month';
  series: TrendSeries[];
  /** What the counts count (the `count` parameter). */
  count?: 'copies' | 'stories';
}

export const TopTermsQuerySchema = z.object({
  q: z.string().max(4000).default(''),
  field: z.enum(['keywords', 'actors', 'themes', 'entities', 'outlet', 'language']).default('keywords'),
  from: DateParam.optional(),
  to: DateParam.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export interface TopTermsResponse {
  field: TermField;
  terms: TermCount[];
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

/** Progress of a theme's background re-tag of the stored articles (GET /api/themes/:id/retag). */
export interface RetagJobView {
  themeId: string;
  /** The theme query being applied. */
  query: string;
  /** 'pending' until a worker process picks it up; 'failed' carries `error`. */
  status: 'pending' | 'running' | 'done' | 'failed';
  /** Articles examined so far. */
  done: number;
  /** Articles to examine (the archive size when the job started, raised if more arrived). */
  total: number;
  /** Articles that gained the theme. */
  added: number;
  /** Articles that lost it. */
  removed: number;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

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
