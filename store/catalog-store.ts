/**
 * The catalog port: outlets, feeds (with their health), actors, themes and alerts — the researcher's
 * configuration and the fetcher's state, as opposed to the article archive. SQLite adapter only; in a
 * scale-out deployment every process opens the same catalog database on the shared data volume.
 */
import type { Actor, Alert, Feed, Outlet, Theme } from '../core/types.ts';

/**
 * What a fetch attempt changes on a feed. For the optional fields, `undefined` means "this attempt says
 * nothing about it, keep the stored value" and `null` clears it.
 */
export interface FeedOutcome {
  /** 'gone' = HTTP 410: recorded like an error (code, message, failure count) but the feed is no longer due. */
  status: 'ok' | 'not_modified' | 'error' | 'gone';
  at: Date;
  nextCheckAt: Date;
  title?: string | null;
  etag?: string | null;
  lastModified?: string | null;
  errorCode?: string;
  errorMessage?: string;
  /** HTTP status of the response; null (or absent) when none arrived. Always overwritten. */
  httpStatus?: number | null;
  /** The polling interval the scheduler now uses for this feed. */
  intervalMinutes?: number;
  /** The feed moved permanently (301/308): store this URL and keep the old one as previousUrl. The id stays. */
  newUrl?: string;
  /** Recovered problems of the document just parsed (replaces the stored list). */
  problems?: string[];
  /** sha256 of the body whose items were just committed. */
  bodyHash?: string | null;
  /** True when this attempt received a full 200 body (sets lastFullFetchAt = at). */
  fullFetch?: boolean;
}

/** A time span [start, end) in epoch milliseconds. */
export interface TimeSpan {
  start: number;
  end: number;
}

/** Answer of CatalogStore.fetchCoverage. */
export interface FetchCoverage {
  /** One per span asked about: true when a feed of the outlets had an ok or not_modified fetch in it. */
  covered: boolean[];
  /** When the fetch log begins (oldest retained entry, any feed); null when it is empty. */
  historySince: string | null;
}

/** How long the fetch log keeps an entry (a year of history plus a margin for year-over-year charts). */
export const FETCH_LOG_RETENTION_DAYS = 400;

export type RetagStatus = 'pending' | 'running' | 'done' | 'failed';

/** A background re-tag of the stored articles for one theme (worker/retag/retagger.ts). */
export interface RetagJob {
  themeId: string;
  /** The theme query this job applies. */
  query: string;
  /** Grows with every request for the theme; a runner holding an older one has been superseded. */
  generation: number;
  status: RetagStatus;
  /** Opaque article-store scan position after the last committed page; null = from the start. */
  cursor: string | null;
  /** Articles examined so far. */
  done: number;
  /** Articles in the archive when the job started, raised when more arrive while it runs. */
  total: number;
  /** Articles that gained the theme tag. */
  added: number;
  /** Articles that lost it. */
  removed: number;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

/** What a runner records after each committed page. */
export interface RetagProgress {
  cursor: string | null;
  done: number;
  total: number;
  added: number;
  removed: number;
}

export interface CatalogStore {
  upsertOutlet(outlet: Outlet): Promise<void>;
  listOutlets(): Promise<Outlet[]>;
  getOutlet(id: string): Promise<Outlet | null>;

  /** Adds the feed if its URL is new; returns the stored feed either way. */
  addFeed(url: string, outletId: string, now: Date): Promise<Feed>;
  listFeeds(): Promise<Feed[]>;
  getFeed(id: string): Promise<Feed | null>;
  /** Feeds whose nextCheckAt <= now, oldest first; 'gone' feeds are never due. */
  dueFeeds(now: Date, limit: number): Promise<Feed[]>;
  /** Also appends the outcome to the fetch log (entries older than FETCH_LOG_RETENTION_DAYS are pruned). */
  recordFeedOutcome(feedId: string, outcome: FeedOutcome): Promise<void>;
  /**
   * Fetch coverage from the fetch log: for each span, whether any feed of `outletIds` (every feed when undefined)
   * had a successful fetch (ok or not_modified) in it.
   */
  fetchCoverage(spans: readonly TimeSpan[], outletIds?: readonly string[]): Promise<FetchCoverage>;

  upsertActor(actor: Actor): Promise<void>;
  listActors(): Promise<Actor[]>;
  upsertTheme(theme: Theme): Promise<void>;
  listThemes(): Promise<Theme[]>;
  upsertAlert(alert: Alert): Promise<void>;
  listAlerts(): Promise<Alert[]>;
  getAlert(id: string): Promise<Alert | null>;

  /**
   * Asks for the stored articles to be re-tagged with a theme's (new) query: replaces the theme's job with a
   * pending one of the next generation, whatever state the previous one was in.
   */
  requestRetag(themeId: string, query: string, now: Date): Promise<RetagJob>;
  getRetagJob(themeId: string): Promise<RetagJob | null>;
  /** Every theme's latest job, by theme id. */
  listRetagJobs(): Promise<RetagJob[]>;
  /**
   * Takes the lease of one job in one BEGIN IMMEDIATE transaction: the oldest pending job, else a running job
   * whose heartbeat is older than `staleBefore` (its runner died; it resumes from the stored cursor).
   */
  claimRetagJob(owner: string, now: Date, staleBefore: Date): Promise<RetagJob | null>;
  /**
   * Stores the progress after a committed page and renews the lease. False when `owner` no longer holds this
   * generation (the theme was edited again, or another process took the job over): the caller must stop.
   */
  recordRetagProgress(themeId: string, generation: number, owner: string, progress: RetagProgress, now: Date): Promise<boolean>;
  /** Ends the job; false when the lease was lost (see recordRetagProgress). */
  finishRetagJob(
    themeId: string,
    generation: number,
    owner: string,
    outcome: { status: 'done' } | { status: 'failed'; error: string },
    now: Date,
  ): Promise<boolean>;

  close(): Promise<void>;
}
