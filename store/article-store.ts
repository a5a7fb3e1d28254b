/**
 * The article store port. Two adapters sit behind it: SQLite (embedded default) and Elasticsearch
 * (scale-out). Every method takes an already-parsed, already-resolved query AST; no adapter ever sees
 * raw user text as query syntax. Chosen once, in create-store.ts.
 */
import type { QueryNode } from '../core/query/ast.ts';
import type { AlertEvent, Article, EnrichedArticle, TrendInterval, TrendPoint } from '../core/types.ts';

export interface DateRange {
  /** Inclusive lower bound, ISO date or datetime. */
  from?: string;
  /** Exclusive upper bound, ISO date or datetime. */
  to?: string;
}

export interface SearchOptions extends DateRange {
  /** Restrict to these outlet ids (in addition to any outlet: in the query). */
  outlets?: string[];
  /** 1..100. */
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface SearchHit {
  id: string;
  title: string;
  url: string;
  outletId: string;
  feedId: string;
  publishedAt: string | null;
  firstSeenAt: string;
  /** publishedAt, or firstSeenAt when the feed gave no usable date. */
  date: string;
  dateIsFallback: boolean;
  language: string;
  actors: string[];
  themes: string[];
  keywords: string[];
  /** Plain text with HTML escaped, matched words wrapped in <mark>…</mark>. Safe to render as HTML. */
  snippet: string;
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
  nextCursor: string | null;
}

export interface CountOverTimeOptions extends DateRange {
  interval: TrendInterval;
  outlets?: string[];
}

export interface TrendSeriesResult {
  /** Only non-empty buckets, ascending. Callers fill gaps when they need a dense series. */
  points: TrendPoint[];
  total: number;
  /** How many of the counted articles are placed by firstSeenAt because they had no published date. */
  fallbackDateCount: number;
}

export type TermField = 'keywords' | 'actors' | 'themes' | 'entities' | 'outlet' | 'language';

export interface TopTermsOptions extends DateRange {
  field: TermField;
  limit: number;
}

export interface TermCount {
  term: string;
  count: number;
}

/** One article to store, with the alerts its text matched (events are created only if the article is new). */
export interface ArticleToStore {
  article: EnrichedArticle;
  alertIds: string[];
}

export interface InsertResult {
  /** Ids newly stored by this call. */
  inserted: string[];
  /** Ids that were already stored (a replay or the same story from another feed): counted, not an error. */
  duplicates: string[];
  /** Alert events created for the inserted articles, in the same transaction. */
  alertEvents: AlertEvent[];
}

export type DeliveryOutcome =
  | { ok: true }
  | { ok: false; error: string; retryAt: Date | null };

export interface ArticleStore {
  readonly kind: 'sqlite' | 'elasticsearch';
  /** Which of these ids are already stored (lets the pipeline skip enrichment of known articles). */
  existingIds(ids: readonly string[]): Promise<Set<string>>;
  /** Idempotent: inserting an id that exists changes nothing and reports it as a duplicate. */
  insertArticles(items: readonly ArticleToStore[], now: Date): Promise<InsertResult>;
  getArticle(id: string): Promise<Article | null>;
  search(query: QueryNode, options: SearchOptions): Promise<SearchResult>;
  countOverTime(query: QueryNode, options: CountOverTimeOptions): Promise<TrendSeriesResult>;
  topTerms(query: QueryNode, options: TopTermsOptions): Promise<TermCount[]>;
  count(): Promise<number>;
  articleCountsByFeed(): Promise<Map<string, number>>;
  /** Newest first. */
  listAlertEvents(alertId: string, limit: number): Promise<AlertEvent[]>;
  /** Events whose webhook delivery is pending and due at `now`. */
  dueDeliveries(now: Date, limit: number): Promise<AlertEvent[]>;
  recordDelivery(eventId: string, outcome: DeliveryOutcome, now: Date): Promise<void>;
  close(): Promise<void>;
}
