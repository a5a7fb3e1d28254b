/**
 * SQLite adapter of the CatalogStore port: outlets, feeds with their health, actors, themes and alerts.
 * Writes use BEGIN IMMEDIATE because the ingest and worker processes share the file.
 */
import type { Database } from 'better-sqlite3';
import { NotFoundError } from '../../core/errors.ts';
import { feedId } from '../../core/ids.ts';
import type { Actor, ActorType, Alert, Feed, FeedStatus, Outlet, Theme } from '../../core/types.ts';
import type { CatalogStore, FeedOutcome } from '../catalog-store.ts';

/** Options of {@link createSqliteCatalogStore}. */
export interface SqliteCatalogStoreOptions {
  /**
   * Called by `close()` instead of closing the connection; lets several stores share one connection.
   * @defaultValue closes `db` if it is still open
   */
  release?: () => void;
}

interface OutletRow {
  id: string;
  name: string;
  homepage: string | null;
  country: string | null;
  language: string | null;
  tags: string;
}

interface FeedRow {
  id: string;
  url: string;
  outlet_id: string;
  title: string | null;
  etag: string | null;
  last_modified: string | null;
  last_fetch_at: string | null;
  last_success_at: string | null;
  last_status: FeedStatus;
  last_error_code: string | null;
  last_error: string | null;
  consecutive_failures: number;
  next_check_at: string;
  article_count: number;
}

interface ActorRow {
  id: string;
  name: string;
  type: ActorType;
  aliases: string;
}

interface AlertRow {
  id: string;
  name: string;
  query: string;
  webhook_url: string | null;
  created_at: string;
}

const FEED_COLUMNS = `f.id, f.url, f.outlet_id, f.title, f.etag, f.last_modified, f.last_fetch_at, f.last_success_at,
  f.last_status, f.last_error_code, f.last_error, f.consecutive_failures, f.next_check_at,
  (SELECT count(*) FROM articles AS a WHERE a.feed_id = f.id) AS article_count`;

/** Builds the SQLite catalog store on an open, migrated connection (see openDatabase). */
export function createSqliteCatalogStore(db: Database, options: SqliteCatalogStoreOptions = {}): CatalogStore {
  const release =
    options.release ??
    (() => {
      if (db.open) db.close();
    });
  const write = <A extends unknown[]>(fn: (...args: A) => void) => {
    const tx = db.transaction(fn);
    return (...args: A): void => tx.immediate(...args);
  };

  const upsertOutletStmt = db.prepare<[string, string, string | null, string | null, string | null, string]>(`
    INSERT INTO outlets (id, name, homepage, country, language, tags) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, homepage = excluded.homepage,
      country = excluded.country, language = excluded.language, tags = excluded.tags`);
  const selectOutlets = db.prepare<[], OutletRow>('SELECT * FROM outlets ORDER BY id');
  const selectOutlet = db.prepare<[string], OutletRow>('SELECT * FROM outlets WHERE id = ?');

  const insertFeed = db.prepare<[string, string, string, string, string]>(`
    INSERT INTO feeds (id, url, outlet_id, last_status, consecutive_failures, next_check_at, created_at)
    VALUES (?, ?, ?, 'new', 0, ?, ?)
    ON CONFLICT (id) DO NOTHING`);
  const selectFeeds = db.prepare<[], FeedRow>(`SELECT ${FEED_COLUMNS} FROM feeds AS f ORDER BY f.outlet_id, f.url`);
  const selectFeed = db.prepare<[string], FeedRow>(`SELECT ${FEED_COLUMNS} FROM feeds AS f WHERE f.id = ?`);
  const selectDueFeeds = db.prepare<[string, number], FeedRow>(
    `SELECT ${FEED_COLUMNS} FROM feeds AS f WHERE f.next_check_at <= ? ORDER BY f.next_check_at, f.id LIMIT ?`,
  );
  const updateFeedSuccess = db.prepare<{
    id: string;
    status: FeedStatus;
    at: string;
    next: string;
    title: string | null;
    setTitle: number;
    etag: string | null;
    setEtag: number;
    lastModified: string | null;
    setLastModified: number;
  }>(`
    UPDATE feeds SET
      last_status = @status, last_fetch_at = @at, last_success_at = @at, next_check_at = @next,
      consecutive_failures = 0, last_error_code = NULL, last_error = NULL,
      title = CASE WHEN @setTitle THEN @title ELSE title END,
      etag = CASE WHEN @setEtag THEN @etag ELSE etag END,
      last_modified = CASE WHEN @setLastModified THEN @lastModified ELSE last_modified END
    WHERE id = @id`);
  const updateFeedError = db.prepare<{ id: string; at: string; next: string; code: string; message: string | null }>(`
    UPDATE feeds SET
      last_status = 'error', last_fetch_at = @at, next_check_at = @next,
      consecutive_failures = consecutive_failures + 1, last_error_code = @code, last_error = @message
    WHERE id = @id`);

  const upsertActorStmt = db.prepare<[string, string, string, string]>(`
    INSERT INTO actors (id, name, type, aliases) VALUES (?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, aliases = excluded.aliases`);
  const selectActors = db.prepare<[], ActorRow>('SELECT * FROM actors ORDER BY id');
  const upsertThemeStmt = db.prepare<[string, string, string]>(`
    INSERT INTO themes (id, name, query) VALUES (?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, query = excluded.query`);
  const selectThemes = db.prepare<[], Theme>('SELECT id, name, query FROM themes ORDER BY id');
  const upsertAlertStmt = db.prepare<[string, string, string, string | null, string]>(`
    INSERT INTO alerts (id, name, query, webhook_url, created_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, query = excluded.query,
      webhook_url = excluded.webhook_url, created_at = excluded.created_at`);
  const selectAlerts = db.prepare<[], AlertRow>('SELECT * FROM alerts ORDER BY id');
  const selectAlert = db.prepare<[string], AlertRow>('SELECT * FROM alerts WHERE id = ?');

  const addFeedTx = write((id: string, url: string, outletId: string, nowIso: string) => {
    insertFeed.run(id, url, outletId, nowIso, nowIso);
  });
  const recordOutcomeTx = write((id: string, outcome: FeedOutcome) => {
    const at = outcome.at.toISOString();
    const next = outcome.nextCheckAt.toISOString();
    const info =
      outcome.status === 'error'
        ? updateFeedError.run({
            id,
            at,
            next,
            code: outcome.errorCode ?? 'error',
            message: outcome.errorMessage ?? null,
          })
        : updateFeedSuccess.run({
            id,
            status: outcome.status,
            at,
            next,
            // undefined = "the fetch said nothing about it", keep the stored value; null = clear it.
            title: outcome.title ?? null,
            setTitle: outcome.title === undefined ? 0 : 1,
            etag: outcome.etag ?? null,
            setEtag: outcome.etag === undefined ? 0 : 1,
            lastModified: outcome.lastModified ?? null,
            setLastModified: outcome.lastModified === undefined ? 0 : 1,
          });
    if (info.changes === 0) throw new NotFoundError('feed_not_found', `catalog-store: no feed ${id}`);
  });
  const upsertOutletTx = write((o: Outlet) => {
    upsertOutletStmt.run(o.id, o.name, o.homepage ?? null, o.country ?? null, o.language ?? null, JSON.stringify(o.tags));
  });
  const upsertActorTx = write((a: Actor) => {
    upsertActorStmt.run(a.id, a.name, a.type, JSON.stringify(a.aliases));
  });
  const upsertThemeTx = write((t: Theme) => {
    upsertThemeStmt.run(t.id, t.name, t.query);
  });
  const upsertAlertTx = write((a: Alert) => {
    upsertAlertStmt.run(a.id, a.name, a.query, a.webhookUrl ?? null, a.createdAt);
  });

  return {
    async upsertOutlet(outlet) {
      upsertOutletTx(outlet);
    },
    async listOutlets() {
      return selectOutlets.all().map(rowToOutlet);
    },
    async getOutlet(id) {
      const row = selectOutlet.get(id);
      return row ? rowToOutlet(row) : null;
    },

    async addFeed(url, outletId, now) {
      // The id comes from the normalized URL; the URL as given is what gets fetched (normalization drops
      // parameters such as ?feed=rss2 that some feed URLs need).
      const id = feedId(url);
      addFeedTx(id, url.trim(), outletId, now.toISOString());
      const row = selectFeed.get(id);
      if (!row) throw new NotFoundError('feed_not_found', `catalog-store: feed ${id} vanished after insert`);
      return rowToFeed(row);
    },
    async listFeeds() {
      return selectFeeds.all().map(rowToFeed);
    },
    async getFeed(id) {
      const row = selectFeed.get(id);
      return row ? rowToFeed(row) : null;
    },
    async dueFeeds(now, limit) {
      return selectDueFeeds.all(now.toISOString(), Math.max(0, Math.floor(limit))).map(rowToFeed);
    },
    async recordFeedOutcome(id, outcome) {
      recordOutcomeTx(id, outcome);
    },

    async upsertActor(actor) {
      upsertActorTx(actor);
    },
    async listActors() {
      return selectActors.all().map(
        (r): Actor => ({ id: r.id, name: r.name, type: r.type, aliases: JSON.parse(r.aliases) as string[] }),
      );
    },
    async upsertTheme(theme) {
      upsertThemeTx(theme);
    },
    async listThemes() {
      return selectThemes.all().map((r): Theme => ({ id: r.id, name: r.name, query: r.query }));
    },
    async upsertAlert(alert) {
      upsertAlertTx(alert);
    },
    async listAlerts() {
      return selectAlerts.all().map(rowToAlert);
    },
    async getAlert(id) {
      const row = selectAlert.get(id);
      return row ? rowToAlert(row) : null;
    },

    async close() {
      release();
    },
  };
}

function rowToOutlet(row: OutletRow): Outlet {
  const outlet: Outlet = { id: row.id, name: row.name, tags: JSON.parse(row.tags) as string[] };
  // Optional fields stay absent rather than undefined-valued, as zod would produce them.
  if (row.homepage !== null) outlet.homepage = row.homepage;
  if (row.country !== null) outlet.country = row.country;
  if (row.language !== null) outlet.language = row.language;
  return outlet;
}

function rowToFeed(row: FeedRow): Feed {
  return {
    id: row.id,
    url: row.url,
    outletId: row.outlet_id,
    title: row.title,
    etag: row.etag,
    lastModified: row.last_modified,
    lastFetchAt: row.last_fetch_at,
    lastSuccessAt: row.last_success_at,
    lastStatus: row.last_status,
    lastErrorCode: row.last_error_code,
    lastError: row.last_error,
    consecutiveFailures: row.consecutive_failures,
    nextCheckAt: row.next_check_at,
    articleCount: row.article_count,
  };
}

function rowToAlert(row: AlertRow): Alert {
  const alert: Alert = { id: row.id, name: row.name, query: row.query, createdAt: row.created_at };
  if (row.webhook_url !== null) alert.webhookUrl = row.webhook_url;
  return alert;
}
