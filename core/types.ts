/**
 * Domain types: the one place where Narrative Monitor's nouns are defined.
 * Zod schemas validate what crosses a boundary (watchlist file, API bodies, queue payloads);
 * the inferred types are used everywhere else.
 */
import { z } from 'zod';

/** Lowercase ascii slug used as the stable id of outlets, actors, themes. */
export const SlugSchema = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes');

export const OutletSchema = z.object({
  id: SlugSchema,
  name: z.string().min(1).max(200),
  homepage: z.string().url().optional(),
  /** ISO 3166-1 alpha-2, e.g. "RU". */
  country: z.string().length(2).toUpperCase().optional(),
  /** ISO 639-1, e.g. "ru". */
  language: z.string().min(2).max(3).toLowerCase().optional(),
  /** Free tags used as outlet groups, e.g. "state-affiliated", "wire". */
  tags: z.array(z.string().min(1).max(60)).default([]),
  /**
   * Fetch each article's page and extract its main text, for outlets whose feeds carry only summaries.
   * The feed summary is kept beside the extracted text.
   */
  fullText: z.boolean().optional(),
});
export type Outlet = z.infer<typeof OutletSchema>;

export const ActorTypeSchema = z.enum(['person', 'organization', 'place', 'group', 'media', 'other']);
export type ActorType = z.infer<typeof ActorTypeSchema>;

export const ActorSchema = z.object({
  id: SlugSchema,
  name: z.string().min(1).max(200),
  type: ActorTypeSchema.default('other'),
  /** Other names in any language and script. The name itself always counts as an alias. */
  aliases: z.array(z.string().min(1).max(200)).default([]),
});
export type Actor = z.infer<typeof ActorSchema>;

export const ThemeSchema = z.object({
  id: SlugSchema,
  name: z.string().min(1).max(200),
  /** A query in the Narrative Monitor query language. */
  query: z.string().min(1).max(4000),
});
export type Theme = z.infer<typeof ThemeSchema>;

export const AlertSchema = z.object({
  id: SlugSchema,
  name: z.string().min(1).max(200),
  query: z.string().min(1).max(4000),
  webhookUrl: z.string().url().optional(),
  createdAt: z.string().datetime(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** 'gone' = the server answered 410: shown, never deleted, no longer polled. */
export const FeedStatusSchema = z.enum(['new', 'ok', 'not_modified', 'error', 'gone']);
export type FeedStatus = z.infer<typeof FeedStatusSchema>;

/** A feed and its health: every fetch outcome is recorded here, never only logged. */
export interface Feed {
  /** sha256 of the normalized feed URL, first 16 hex chars. */
  id: string;
  url: string;
  outletId: string;
  title: string | null;
  etag: string | null;
  lastModified: string | null;
  lastFetchAt: string | null;
  lastSuccessAt: string | null;
  lastStatus: FeedStatus;
  /** Stable machine code of the last error, e.g. "http_404", "timeout", "parse_error". */
  lastErrorCode: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  nextCheckAt: string;
  /** HTTP status of the last response, null when no response arrived (DNS, timeout, refused). */
  lastHttpStatus: number | null;
  /** The polling interval the scheduler currently uses for this feed (adapted to its posting rate). */
  intervalMinutes: number | null;
  /** Articles stored from this feed (first feed that delivered them). */
  articleCount: number;
  /** Average articles per day stored from this feed over the 7 days before its last fetch. */
  articlesPerDay: number;
  /** The URL before the last permanent redirect (301/308) moved the feed; null when it never moved. */
  previousUrl: string | null;
  /**
   * What the last parsed document had wrong and was recovered from (e.g. "unescaped &", "3 unparseable
   * dates", "full text: 2 of 5 pages failed"). Empty when clean; kept unchanged by 304s and errors.
   */
  lastProblems: string[];
  /** sha256 (hex) of the last body whose items were committed: an identical body is not parsed again. */
  bodyHash: string | null;
  /** When a full (200) response was last received: the poller fetches unconditionally when it is > 12 h old. */
  lastFullFetchAt: string | null;
}

export const EntityTypeSchema = z.enum(['PER', 'ORG', 'LOC', 'MISC']);
export type EntityType = z.infer<typeof EntityTypeSchema>;

export const EntitySchema = z.object({
  text: z.string(),
  type: EntityTypeSchema,
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});
export type Entity = z.infer<typeof EntitySchema>;

/**
 * What the poller produces from one feed item and puts on the queue.
 * `id` is articleId(canonicalUrl): the queue job id, the store key and (later) the Elasticsearch _id.
 */
export const RawArticleSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{32}$/),
  url: z.string(),
  canonicalUrl: z.string(),
  feedId: z.string(),
  outletId: z.string(),
  guid: z.string().nullable(),
  title: z.string(),
  /** Plain text (HTML stripped) of the feed's summary or content. */
  text: z.string(),
  /** ISO date from the feed, or null when missing/unparseable. */
  publishedAt: z.string().datetime().nullable(),
  /** When the poller first saw the item (ISO). */
  firstSeenAt: z.string().datetime(),
  /** Author given by the feed, if any. */
  author: z.string().nullable(),
  /**
   * The feed's own summary (plain text), present only when `text` is the article page's main text
   * fetched for a full-text outlet (Outlet.fullText).
   */
  summary: z.string().optional(),
});
export type RawArticle = z.infer<typeof RawArticleSchema>;

/** Output of the enrich step, added to a RawArticle. */
export interface Enrichment {
  /** ISO 639-1 code ("en", "ru", ...) or "und". */
  language: string;
  languageConfidence: number;
  keywords: string[];
  entities: Entity[];
  /** Ids of watchlist actors mentioned. */
  actors: string[];
  /** Ids of themes whose query matches. */
  themes: string[];
}

export type EnrichedArticle = RawArticle & Enrichment;

/** A stored article: what search and trends see. */
export interface Article extends EnrichedArticle {
  /** publishedAt when known, otherwise firstSeenAt; `dateIsFallback` says which. */
  date: string;
  dateIsFallback: boolean;
}

export interface AlertEvent {
  id: string;
  alertId: string;
  articleId: string;
  createdAt: string;
  /** 'none' when the alert has no webhook. */
  deliveryStatus: 'none' | 'pending' | 'delivered' | 'failed';
  deliveryAttempts: number;
  lastDeliveryError: string | null;
  nextDeliveryAt: string | null;
}

/** The fields an article exposes to queries and the in-memory matcher. */
export interface MatchableArticle {
  title: string;
  text: string;
  outletId: string;
  language: string;
  actors: readonly string[];
  themes: readonly string[];
  /** The article date (Article.date). Without it, publishedAt ?? firstSeenAt; with none, `published:` never matches. */
  date?: string;
  publishedAt?: string | null;
  firstSeenAt?: string;
  /** Keyword tags as stored (already folded). Absent: `keyword:` never matches. */
  keywords?: readonly string[];
  /** Entity mentions; `entity:` compares their folded text. Absent: `entity:` never matches. */
  entities?: readonly { text: string }[];
}

export const TrendIntervalSchema = z.enum(['hour', 'day', 'week', 'month']);
export type TrendInterval = z.infer<typeof TrendIntervalSchema>;

export interface TrendPoint {
  /**
   * Bucket start: "YYYY-MM-DD" for day/week/month buckets in UTC (weeks start Monday), otherwise the local
   * bucket start as ISO 8601 with its offset, e.g. "2024-03-31T00:00:00+01:00" (see core/time-buckets.ts).
   */
  t: string;
  count: number;
}
