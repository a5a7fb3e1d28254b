/**
 * Request and response shapes of the HTTP API, shared by the hono routes (validation) and the React UI
 * (types), so no shape is declared twice.
 */
import { z } from 'zod';
import { ActorTypeSchema, FeedStatusSchema, SlugSchema, TrendIntervalSchema } from '../../core/types.ts';
import type { Actor, AlertEvent, Feed, FeedStatus, Outlet, Theme } from '../../core/types.ts';
import type { SearchHit, TermCount, TermField } from '../../store/article-store.ts';

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
