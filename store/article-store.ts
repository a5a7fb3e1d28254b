/**
 * The article store port. Two adapters sit behind it: SQLite (embedded default) and Elasticsearch
 * (scale-out). Every method takes an already-parsed, already-resolved query AST; no adapter ever sees
 * raw user text as query syntax. Chosen once, in create-store.ts.
 */
import type { QueryNode } from '../core/query/ast.ts';
import type { AlertEvent, Article, EnrichedArticle, Entity, MatchableArticle, TrendInterval, TrendPoint } from '../core/types.ts';

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
  /** Opaque cursor from a previous page's `nextCursor` (of the same sort: a cursor of the other sort is rejected). */
  cursor?: string;
  /**
   * `date`: newest first, ties by id descending. `relevance`: best text match first (SQLite FTS5 bm25 with the
   * title weighted 3:1 over the body; Elasticsearch `_score` with a title boost), ties by date then id, both
   * descending; articles matched only by tags or dates score 0 and come after every text match.
   * @defaultValue 'date'
   */
  sort?: SearchSort;
  /** Facet counts to compute over the whole result set (not the page); absent or empty: none. */
  facets?: readonly FacetField[];
  /** Values per facet, 1..1000. @defaultValue 10 */
  facetLimit?: number;
  /**
   * Country and tags of each outlet (from the catalog): required for the `country` and `tag` facets, which are
   * outlet counts folded through it. Outlets missing from it count in no country and no tag.
   */
  outletGroups?: OutletGroups;
}

/** Search order; see SearchOptions.sort. */
export type SearchSort = 'relevance' | 'date';

/**
 * Facets of a search. `outlet`, `language`, `actor`, `theme` count article tags; `country` and `tag` count the
 * matching articles by their outlet's country and outlet tags (collections), so an article counts once per tag.
 */
export type FacetField = 'outlet' | 'language' | 'country' | 'actor' | 'theme' | 'tag';

/** Every facet field, in display order. */
export const FACET_FIELDS: readonly FacetField[] = ['outlet', 'language', 'country', 'actor', 'theme', 'tag'];

/** One facet value and how many matching articles have it. */
export interface FacetCount {
  value: string;
  count: number;
}

/** Facet values per requested field, most frequent first, ties by value (code-unit order). */
export type SearchFacets = Partial<Record<FacetField, FacetCount[]>>;

/** Outlet id -> what the `country` and `tag` facets fold outlet counts into. */
export type OutletGroups = ReadonlyMap<string, { country?: string | undefined; tags: readonly string[] }>;

/** Options of ArticleStore.exportArticles: the same filters as a search, no limit. */
export interface ExportOptions extends DateRange {
  outlets?: string[];
  /** Articles read per keyset page, 1..5000: bounds the memory an export holds. @defaultValue 1000 */
  pageSize?: number;
}

/** One exported article: the citation fields of a hit, without the snippet. */
export interface ExportRow {
  id: string;
  date: string;
  dateIsFallback: boolean;
  publishedAt: string | null;
  firstSeenAt: string;
  outletId: string;
  language: string;
  title: string;
  url: string;
  actors: string[];
  themes: string[];
  keywords: string[];
  /** The syndication cluster (the article's own id when it has no copies or predates clustering). */
  clusterId: string;
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
  /**
   * The syndication cluster of the article (see ArticleCluster) and how many stored articles it has, this one
   * included: the UI shows "N copies" when it is above 1. Absent only for Elasticsearch documents stored before
   * clusters existed.
   */
  clusterId?: string;
  clusterSize?: number;
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
  nextCursor: string | null;
  /** Present when SearchOptions.facets asked for some: one list per requested field. */
  facets?: SearchFacets;
}

/**
 * What a trend counts. `copies`: every matching article. `stories`: each syndication cluster once, in the bucket
 * of its earliest matching article (by date) — so a story's total is 1 whatever its number of copies, and a
 * series' total is the number of distinct stories among the matches. Counting "once per bucket" instead would
 * count a story again in every bucket where a late copy appears.
 */
export type TrendCountMode = 'copies' | 'stories';

/**
 * Split of a trend into one series per outlet, or per outlet tag (`collection:` groups, e.g. state-affiliated).
 * A tag breakdown counts an article once under every tag its outlet has, and once under "untagged" (key null)
 * when its outlet has none — so tag series can sum to more than the whole; outlet series always sum to it.
 */
export type TrendBreakdown = 'outlet' | 'tag';

export interface CountOverTimeOptions extends DateRange {
  /** hour, day, week (from Monday) or month, in `timeZone`. */
  interval: TrendInterval;
  /**
   * IANA zone the buckets follow (local midnights, DST-correct; see core/time-buckets.ts). Bucket labels are
   * "YYYY-MM-DD" for day/week/month in UTC, else ISO 8601 with offset.
   * @defaultValue 'UTC'
   */
  timeZone?: string;
  outlets?: string[];
  /** @defaultValue 'copies' */
  count?: TrendCountMode;
  /** When set, the result also has `groups`: one series per outlet or tag. */
  breakdown?: TrendBreakdown;
  /**
   * Outlet id -> its tags (from the catalog), for `breakdown: 'tag'`; outlets missing here are untagged.
   * @defaultValue every outlet untagged
   */
  outletTags?: Readonly<Record<string, readonly string[]>>;
}

/** One group of a broken-down trend. */
export interface TrendGroupResult {
  /** Outlet id or tag; null = the articles of untagged outlets (tag breakdown only). */
  key: string | null;
  /** Only non-empty buckets, ascending. */
  points: TrendPoint[];
  total: number;
  fallbackDateCount: number;
}

export interface TrendSeriesResult {
  /** Only non-empty buckets, ascending. Callers fill gaps when they need a dense series. */
  points: TrendPoint[];
  total: number;
  /** How many of the counted articles are placed by firstSeenAt because they had no published date. */
  fallbackDateCount: number;
  /** With `breakdown` only: the groups that have at least one counted article, by key (null last). */
  groups?: TrendGroupResult[];
}

export interface CoOccurrenceOptions extends DateRange {
  /** Actor ids (rows of the matrix), 1..50. */
  actors: readonly string[];
  /** Theme ids (columns), 1..50. */
  themes: readonly string[];
  /** When set, cells per bucket too. */
  interval?: TrendInterval;
  /** @defaultValue 'UTC' */
  timeZone?: string;
  outlets?: string[];
}

/** Articles tagged with both the actor and the theme (among those matching the query and filters). */
export interface CoOccurrenceCell {
  actor: string;
  theme: string;
  count: number;
}

export interface CoOccurrenceResult {
  /** Every actor x theme pair, zeros included, actors then themes in the order given. */
  cells: CoOccurrenceCell[];
  /** With `interval`: the non-empty buckets ascending (labels as TrendPoint.t), each with its non-zero cells. */
  buckets: { t: string; cells: CoOccurrenceCell[] }[];
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

/**
 * MinHash fingerprint of an article body (worker/enrich/syndication.ts computes it; the store matches it against
 * stored fingerprints inside the insert, see store/sqlite/clusters.ts).
 */
export interface SyndicationFingerprint {
  /** MINHASH_PERMUTATIONS minimum hashes. */
  signature: Uint32Array;
  /** Distinct body shingles the signature summarises. */
  shingleCount: number;
  /** One LSH key per band: stored articles sharing a key with this one are the candidates. */
  bandKeys: number[];
}

/** One article to store, with the alerts its text matched (events are created only if the article is new). */
export interface ArticleToStore {
  article: EnrichedArticle;
  alertIds: string[];
  /**
   * The body fingerprint for syndication clustering. Absent or null (a title-only item or a short body): the
   * article forms its own single-article cluster and later articles are never matched against it.
   */
  fingerprint?: SyndicationFingerprint | null;
}

/** One article of a syndication cluster, as the cluster view lists it. */
export interface ClusterMember {
  id: string;
  title: string;
  url: string;
  outletId: string;
  /** publishedAt ?? firstSeenAt, as for search hits. */
  date: string;
  dateIsFallback: boolean;
  firstSeenAt: string;
  /** Hours from the origin's date to this article's date (0 for the origin; negative never happens). */
  delayHours: number;
}

/**
 * A syndication cluster: near-duplicate articles (same body, possibly edited, truncated or re-headlined). Its id
 * is the id of the first article stored in it and never changes; its origin is derived: the earliest member by
 * date, then firstSeenAt, then id, so a copy of an earlier date arriving later becomes the origin.
 */
export interface ArticleCluster {
  id: string;
  originId: string;
  /** All members, even when `members` is cut at the requested limit. */
  size: number;
  /** Origin first, then by date, firstSeenAt and id. */
  members: ClusterMember[];
}

/** Where one article stands in its cluster. */
export interface ClusterSummary {
  clusterId: string;
  size: number;
  originId: string;
}

export interface InsertResult {
  /** Ids newly stored by this call. */
  inserted: string[];
  /** Ids that were already stored (a replay or the same story from another feed): counted, not an error. */
  duplicates: string[];
  /** Alert events created for the inserted articles, in the same transaction. */
  alertEvents: AlertEvent[];
  /** Inserted ids that joined an existing syndication cluster (copies of a stored or same-batch article). */
  syndicated?: string[];
}

/** What the theme re-tagger reads of a stored article: every field a theme query can test, plus its id. */
export interface ScannedArticle extends MatchableArticle {
  id: string;
  /** Article.date: publishedAt, else firstSeenAt. */
  date: string;
  keywords: string[];
  entities: Entity[];
}

export interface ArticleScanPage {
  articles: ScannedArticle[];
  /** Position after this page (the `after` given when the page is empty): pass it to the next call. */
  cursor: string | null;
  /** True when this page reached the end of the archive as it was at the call. */
  end: boolean;
}

export interface ThemeTagChange {
  add: readonly string[];
  remove: readonly string[];
}

export interface ThemeTagResult {
  /** Articles that gained the tag. */
  added: number;
  /** Articles that lost it. */
  removed: number;
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
  /**
   * Every matching article, newest first (date then id, descending), read in keyset pages of `pageSize` so the
   * whole set is never in memory. Each page is its own read: an article stored during the walk appears only if
   * it sorts after the current position, and none appears twice.
   */
  exportArticles(query: QueryNode, options: ExportOptions): AsyncIterable<ExportRow>;
  countOverTime(query: QueryNode, options: CountOverTimeOptions): Promise<TrendSeriesResult>;
  /** Actor x theme co-occurrence counts among the articles matching `query`, overall and per bucket. */
  coOccurrence(query: QueryNode, options: CoOccurrenceOptions): Promise<CoOccurrenceResult>;
  /** A syndication cluster with its members in origin order, at most `limit` (1..1000, default 200); null if unknown. */
  getCluster(clusterId: string, limit?: number): Promise<ArticleCluster | null>;
  /** The cluster of a stored article; null when the article is unknown. */
  getArticleCluster(articleId: string): Promise<ClusterSummary | null>;
  topTerms(query: QueryNode, options: TopTermsOptions): Promise<TermCount[]>;
  count(): Promise<number>;
  articleCountsByFeed(): Promise<Map<string, number>>;
  /** Newest first. */
  listAlertEvents(alertId: string, limit: number): Promise<AlertEvent[]>;
  /** Events whose webhook delivery is pending and due at `now`. */
  dueDeliveries(now: Date, limit: number): Promise<AlertEvent[]>;
  recordDelivery(eventId: string, outcome: DeliveryOutcome, now: Date): Promise<void>;
  /**
   * One page of every stored article in storage order (SQLite seq, Elasticsearch storedAt then id): articles
   * stored after the walk began come after the cursor, so a walk that reaches the end has seen them too.
   * Used by the theme re-tagger; `after` is a previous page's `cursor` (null = from the start).
   */
  scanArticles(after: string | null, limit: number): Promise<ArticleScanPage>;
  /**
   * Adds the theme tag to `add` and removes it from `remove`, atomically per article, so concurrent jobs of
   * other themes never lose each other's tags. Ids not stored (or already in the wanted state) change nothing.
   */
  setThemeTag(themeId: string, change: ThemeTagChange): Promise<ThemeTagResult>;
  close(): Promise<void>;
}
