/**
 * SQLite adapter of the CatalogStore port: outlets, feeds with their health, actors, themes and alerts.
 * Writes use BEGIN IMMEDIATE because the ingest and worker processes share the file.
 */
import type { Database } from 'better-sqlite3';
import { NotFoundError } from '../../core/errors.ts';
import { feedId } from '../../core/ids.ts';
import type { Actor, ActorType, Alert, Feed, FeedStatus, Outlet, Theme } from '../../core/types.ts';
import { FETCH_LOG_RETENTION_DAYS, type CatalogStore, type FeedOutcome } from '../catalog-store.ts';
import { createRetagJobMethods } from './retag-jobs.ts';

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
  full_text: number;
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
  last_http_status: number | null;
  interval_minutes: number | null;
  previous_url: string | null;
  last_problems: string;
  body_hash: string | null;
  last_full_fetch_at: string | null;
  article_count: number;
  articles_per_day: number;
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

// articles_per_day counts by article date (publishedAt, else firstSeenAt) over the 7 days before the feed's last
// fetch: a stored instant of the injected clock, so the figure needs no wall clock and old items backfilled by a
// first poll do not inflate it.
const FEED_COLUMNS = `f.id, f.url, f.outlet_id, f.title, f.etag, f.last_modified, f.last_fetch_at, f.last_success_at,
  f.last_status, f.last_error_code, f.last_error, f.consecutive_failures, f.next_check_at,
  f.last_http_status, f.interval_minutes, f.previous_url, f.last_problems, f.body_hash, f.last_full_fetch_at,
  (SELECT count(*) FROM articles AS a WHERE a.feed_id = f.id) AS article_count,
  round((SELECT count(*) FROM articles AS a WHERE a.feed_id = f.id
    AND a.date > strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(f.last_fetch_at, f.created_at), '-7 days')) / 7.0, 2)
    AS articles_per_day`;

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

  const upsertOutletStmt = db.prepare<[string, string, string | null, string | null, string | null, string, number]>(`
    INSERT INTO outlets (id, name, homepage, country, language, tags, full_text) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, homepage = excluded.homepage,
      country = excluded.country, language = excluded.language, tags = excluded.tags, full_text = excluded.full_text`);
  const selectOutlets = db.prepare<[], OutletRow>('SELECT * FROM outlets ORDER BY id');
  const selectOutlet = db.prepare<[string], OutletRow>('SELECT * FROM outlets WHERE id = ?');

  const insertFeed = db.prepare<[string, string, string, string, string]>(`
    INSERT INTO feeds (id, url, outlet_id, last_status, consecutive_failures, next_check_at, created_at)
    VALUES (?, ?, ?, 'new', 0, ?, ?)
    ON CONFLICT (id) DO NOTHING`);
  const selectFeeds = db.prepare<[], FeedRow>(`SELECT ${FEED_COLUMNS} FROM feeds AS f ORDER BY f.outlet_id, f.url`);
  const selectFeed = db.prepare<[string], FeedRow>(`SELECT ${FEED_COLUMNS} FROM feeds AS f WHERE f.id = ?`);
  const selectDueFeeds = db.prepare<[string, number], FeedRow>(
    `SELECT ${FEED_COLUMNS} FROM feeds AS f WHERE f.next_check_at <= ? AND f.last_status <> 'gone'
     ORDER BY f.next_check_at, f.id LIMIT ?`,
  );
  // One statement for every outcome. SQLite evaluates each SET expression against the row as it was before
  // the update, so previous_url = url saves the old URL while url takes the new one.
  const updateFeedOutcome = db.prepare<{
    id: string;
    status: FeedOutcome['status'];
    success: number;
    at: string;
    next: string;
    code: string | null;
    message: string | null;
    httpStatus: number | null;
    title: string | null;
    setTitle: number;
    etag: string | null;
    setEtag: number;
    lastModified: string | null;
    setLastModified: number;
    interval: number | null;
    setInterval: number;
    newUrl: string | null;
    problems: string | null;
    setProblems: number;
    bodyHash: string | null;
    setBodyHash: number;
    fullFetch: number;
  }>(`
    UPDATE feeds SET
      last_status = @status, last_fetch_at = @at, next_check_at = @next, last_http_status = @httpStatus,
      last_success_at = CASE WHEN @success THEN @at ELSE last_success_at END,
      consecutive_failures = CASE WHEN @success THEN 0 ELSE consecutive_failures + 1 END,
      last_error_code = CASE WHEN @success THEN NULL ELSE @code END,
      last_error = CASE WHEN @success THEN NULL ELSE @message END,
      title = CASE WHEN @setTitle THEN @title ELSE title END,
      etag = CASE WHEN @setEtag THEN @etag ELSE etag END,
      last_modified = CASE WHEN @setLastModified THEN @lastModified ELSE last_modified END,
      interval_minutes = CASE WHEN @setInterval THEN @interval ELSE interval_minutes END,
      previous_url = CASE WHEN @newUrl IS NOT NULL AND @newUrl <> url THEN url ELSE previous_url END,
      url = coalesce(@newUrl, url),
      last_problems = CASE WHEN @setProblems THEN @problems ELSE last_problems END,
      body_hash = CASE WHEN @setBodyHash THEN @bodyHash ELSE body_hash END,
      last_full_fetch_at = CASE WHEN @fullFetch THEN @at ELSE last_full_fetch_at END
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

  // The fetch log (migration 50) behind the trends coverage overlay.
  const insertFetchLog = db.prepare<[string, number, FeedOutcome['status']]>('INSERT INTO fetch_log (feed_id, at, status) VALUES (?, ?, ?)');
  const pruneFetchLog = db.prepare<[number]>('DELETE FROM fetch_log WHERE at < ?');
  const fetchLogSince = db.prepare<[], number | null>('SELECT min(at) FROM fetch_log').pluck();
  // EXISTS per span stops at the first success: an index probe per span (per feed of the outlets, when given).
  const coveredAll = db.prepare<[string], { c: number }>(`
    SELECT EXISTS (SELECT 1 FROM fetch_log AS f
      WHERE f.at >= json_extract(s.value, '$[0]') AND f.at < json_extract(s.value, '$[1]') AND f.status IN ('ok', 'not_modified')) AS c
    FROM json_each(?) AS s ORDER BY s.key`);
  const coveredOutlets = db.prepare<[string, string], { c: number }>(`
    SELECT EXISTS (SELECT 1 FROM fetch_log AS f
      WHERE f.feed_id IN (SELECT id FROM feeds WHERE outlet_id IN (SELECT value FROM json_each(?)))
        AND f.at >= json_extract(s.value, '$[0]') AND f.at < json_extract(s.value, '$[1]') AND f.status IN ('ok', 'not_modified')) AS c
    FROM json_each(?) AS s ORDER BY s.key`);

  const addFeedTx = write((id: string, url: string, outletId: string, nowIso: string) => {
    insertFeed.run(id, url, outletId, nowIso, nowIso);
  });
  const recordOutcomeTx = write((id: string, outcome: FeedOutcome) => {
    const success = outcome.status === 'ok' || outcome.status === 'not_modified';
    const info = updateFeedOutcome.run({
      id,
      status: outcome.status,
      success: success ? 1 : 0,
      at: outcome.at.toISOString(),
      next: outcome.nextCheckAt.toISOString(),
      code: success ? null : (outcome.errorCode ?? (outcome.status === 'gone' ? 'http_410' : 'error')),
      message: success ? null : (outcome.errorMessage ?? null),
      httpStatus: outcome.httpStatus ?? null,
      // undefined = "the fetch said nothing about it", keep the stored value; null = clear it.
      title: outcome.title ?? null,
      setTitle: outcome.title === undefined ? 0 : 1,
      etag: outcome.etag ?? null,
      setEtag: outcome.etag === undefined ? 0 : 1,
      lastModified: outcome.lastModified ?? null,
      setLastModified: outcome.lastModified === undefined ? 0 : 1,
      interval: outcome.intervalMinutes === undefined ? null : Math.round(outcome.intervalMinutes),
      setInterval: outcome.intervalMinutes === undefined ? 0 : 1,
      newUrl: outcome.newUrl ?? null,
      problems: outcome.problems === undefined ? null : JSON.stringify(outcome.problems),
      setProblems: outcome.problems === undefined ? 0 : 1,
      bodyHash: outcome.bodyHash ?? null,
      setBodyHash: outcome.bodyHash === undefined ? 0 : 1,
      fullFetch: outcome.fullFetch ? 1 : 0,
    });
    if (info.changes === 0) throw new NotFoundError('feed_not_found', `catalog-store: no feed ${id}`);
    const atMs = outcome.at.getTime();
    insertFetchLog.run(id, atMs, outcome.status);
    pruneFetchLog.run(atMs - FETCH_LOG_RETENTION_DAYS * 86_400_000);
  });
  const upsertOutletTx = write((o: Outlet) => {
    upsertOutletStmt.run(
      o.id,
      o.name,
      o.homepage ?? null,
      o.country ?? null,
      o.language ?? null,
      JSON.stringify(o.tags),
      o.fullText ? 1 : 0,
    );
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
  const retagJobs = createRetagJobMethods(db);

  return {
    ...retagJobs,
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

    async fetchCoverage(spans, outletIds) {
      const json = JSON.stringify(spans.map((s) => [s.start, s.end]));
      const rows = outletIds === undefined ? coveredAll.all(json) : coveredOutlets.all(JSON.stringify(outletIds), json);
      const since = fetchLogSince.get() ?? null;
      return { covered: rows.map((r) => r.c === 1), historySince: since === null ? null : new Date(since).toISOString() };
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
  if (row.full_text) outlet.fullText = true;
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
    lastHttpStatus: row.last_http_status,
    intervalMinutes: row.interval_minutes,
    articleCount: row.article_count,
    articlesPerDay: row.articles_per_day,
    previousUrl: row.previous_url,
    lastProblems: JSON.parse(row.last_problems) as string[],
    bodyHash: row.body_hash,
    lastFullFetchAt: row.last_full_fetch_at,
  };
}

function rowToAlert(row: AlertRow): Alert {
  const alert: Alert = { id: row.id, name: row.name, query: row.query, createdAt: row.created_at };
  if (row.webhook_url !== null) alert.webhookUrl = row.webhook_url;
  return alert;
}
