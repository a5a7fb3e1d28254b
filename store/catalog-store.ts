/**
 * The catalog port: outlets, feeds (with their health), actors, themes and alerts — the researcher's
 * configuration and the fetcher's state, as opposed to the article archive. SQLite adapter only; in a
 * scale-out deployment every process opens the same catalog database on the shared data volume.
 */
import type { Actor, Alert, Feed, Outlet, Theme } from '../core/types.ts';

/** What a fetch attempt changes on a feed. */
export interface FeedOutcome {
  status: 'ok' | 'not_modified' | 'error';
  at: Date;
  nextCheckAt: Date;
  title?: string | null;
  etag?: string | null;
  lastModified?: string | null;
  errorCode?: string;
  errorMessage?: string;
}

export interface CatalogStore {
  upsertOutlet(outlet: Outlet): Promise<void>;
  listOutlets(): Promise<Outlet[]>;
  getOutlet(id: string): Promise<Outlet | null>;

  /** Adds the feed if its URL is new; returns the stored feed either way. */
  addFeed(url: string, outletId: string, now: Date): Promise<Feed>;
  listFeeds(): Promise<Feed[]>;
  getFeed(id: string): Promise<Feed | null>;
  /** Feeds whose nextCheckAt <= now, oldest first. */
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
