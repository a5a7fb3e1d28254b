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
  recordFeedOutcome(feedId: string, outcome: FeedOutcome): Promise<void>;

  upsertActor(actor: Actor): Promise<void>;
  listActors(): Promise<Actor[]>;
  upsertTheme(theme: Theme): Promise<void>;
  listThemes(): Promise<Theme[]>;
  upsertAlert(alert: Alert): Promise<void>;
  listAlerts(): Promise<Alert[]>;
  getAlert(id: string): Promise<Alert | null>;

  close(): Promise<void>;
}
