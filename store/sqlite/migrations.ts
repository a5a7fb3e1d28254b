/**
 * Append-only schema migrations of the SQLite database (catalog + article archive in one file).
 * NEVER edit or reorder a migration that has been released: add a new one with the next version instead.
 * (Migration 1's FTS part was rewritten in place before the first release, when no database existed outside
 * developers' temp dirs; from the first release on, this file is append-only.)
 */
import type { Database } from 'better-sqlite3';

/** One schema step. `version` is strictly increasing; `sql` may hold several statements. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The ordered list of migrations. Applied migrations are immutable: changing one would leave existing
 * databases on a schema that no code describes. Append only.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE outlets (
        id        TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        homepage  TEXT,
        country   TEXT,
        language  TEXT,
        tags      TEXT NOT NULL DEFAULT '[]'
      );

      -- outlet_id is not a foreign key: outlets come from an editable watchlist and a feed row (with its
      -- health history) must survive the outlet being renamed or loaded later.
      CREATE TABLE feeds (
        id                   TEXT PRIMARY KEY,
        url                  TEXT NOT NULL,
        outlet_id            TEXT NOT NULL,
        title                TEXT,
        etag                 TEXT,
        last_modified        TEXT,
        last_fetch_at        TEXT,
        last_success_at      TEXT,
        last_status          TEXT NOT NULL DEFAULT 'new',
        last_error_code      TEXT,
        last_error           TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_check_at        TEXT NOT NULL,
        created_at           TEXT NOT NULL
      );
      CREATE INDEX feeds_next_check_at ON feeds (next_check_at, id);

      CREATE TABLE actors (
        id      TEXT PRIMARY KEY,
        name    TEXT NOT NULL,
        type    TEXT NOT NULL,
        aliases TEXT NOT NULL DEFAULT '[]'
      );

      CREATE TABLE themes (
        id    TEXT PRIMARY KEY,
        name  TEXT NOT NULL,
        query TEXT NOT NULL
      );

      CREATE TABLE alerts (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        query       TEXT NOT NULL,
        webhook_url TEXT,
        created_at  TEXT NOT NULL
      );

      -- Article metadata. seq is the integer rowid shared with the FTS index and the tag table (compact
      -- joins); id is the public deterministic key (articleId of the canonical URL).
      -- date = publishedAt ?? firstSeenAt, normalized with toISOString() so text order = time order;
      -- date_ms and day (days since 1970-01-01 UTC) are the same instant as numbers for ranges and buckets.
      -- Title, text and entities live in article_contents: a small metadata row (many rows per page) made
      -- the same SQL 2-4x faster than one wide table on 50k synthetic articles (trend by day 66 -> 34 ms,
      -- top keywords via JOIN 710 -> 170 ms).
      CREATE TABLE articles (
        seq                 INTEGER PRIMARY KEY,
        id                  TEXT NOT NULL UNIQUE,
        date_ms             INTEGER NOT NULL,
        day                 INTEGER NOT NULL,
        date_is_fallback    INTEGER NOT NULL,
        date                TEXT NOT NULL,
        outlet_id           TEXT NOT NULL,
        feed_id             TEXT NOT NULL,
        language            TEXT NOT NULL,
        language_confidence REAL NOT NULL,
        published_at        TEXT,
        first_seen_at       TEXT NOT NULL,
        actors              TEXT NOT NULL DEFAULT '[]',
        themes              TEXT NOT NULL DEFAULT '[]',
        keywords            TEXT NOT NULL DEFAULT '[]',
        url                 TEXT NOT NULL,
        canonical_url       TEXT NOT NULL,
        guid                TEXT,
        author              TEXT,
        stored_at           TEXT NOT NULL
      );
      CREATE TABLE article_contents (
        seq      INTEGER PRIMARY KEY REFERENCES articles (seq) ON DELETE CASCADE,
        title    TEXT NOT NULL,
        text     TEXT NOT NULL,
        entities TEXT NOT NULL DEFAULT '[]'
      );
      -- (date_ms, id) serves the search order and the keyset cursor; (outlet_id, date_ms) the per-outlet trends.
      CREATE INDEX articles_date ON articles (date_ms, id);
      CREATE INDEX articles_outlet_date ON articles (outlet_id, date_ms);
      CREATE INDEX articles_feed ON articles (feed_id);

      -- One row per (article, field, value) for outlet, lang, actor, theme, keyword, entity. The primary key
      -- (field, value, article_seq) is the index that makes tag filters and top-terms range scans.
      CREATE TABLE article_tags (
        field       TEXT NOT NULL,
        value       TEXT NOT NULL,
        article_seq INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
        PRIMARY KEY (field, value, article_seq)
      ) WITHOUT ROWID;
      CREATE INDEX article_tags_article ON article_tags (article_seq);

      -- Contentless FTS5 index of normalizeText(title) and normalizeText(text) (core/query/tokenize.ts), written
      -- by insertArticles in the same transaction as the article. Only normalized text tokenizes exactly like the
      -- in-memory matcher (raw text splits Arabic words at each haraka, keeps ё apart from е, glues emoji to
      -- words), and only the application can compute it, so no trigger can fill this table. The raw text is
      -- stored once, in article_contents, and snippets are built from it (snippet.ts), never by FTS5.
      -- contentless_delete = 1 lets a row be removed by rowid alone, so deletes need no normalized text.
      CREATE VIRTUAL TABLE articles_fts USING fts5 (
        title,
        text,
        content = '',
        contentless_delete = 1,
        tokenize = "unicode61 remove_diacritics 2"
      );
      -- Also fires for the ON DELETE CASCADE from articles.
      CREATE TRIGGER articles_fts_after_delete AFTER DELETE ON article_contents BEGIN
        DELETE FROM articles_fts WHERE rowid = old.seq;
      END;
      -- The index cannot follow an in-place edit (SQL cannot normalize): delete and re-insert instead.
      CREATE TRIGGER article_contents_text_immutable BEFORE UPDATE OF title, text ON article_contents BEGIN
        SELECT RAISE(ABORT, 'article_contents: title and text are immutable (the FTS index holds their normalized form)');
      END;

      -- alert_id is not a foreign key: events are history and outlive an alert's edits.
      CREATE TABLE alert_events (
        id                  TEXT PRIMARY KEY,
        alert_id            TEXT NOT NULL,
        article_id          TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        created_at          TEXT NOT NULL,
        delivery_status     TEXT NOT NULL CHECK (delivery_status IN ('none', 'pending', 'delivered', 'failed')),
        delivery_attempts   INTEGER NOT NULL DEFAULT 0,
        last_delivery_error TEXT,
        next_delivery_at    TEXT,
        UNIQUE (alert_id, article_id)
      );
      CREATE INDEX alert_events_alert_created ON alert_events (alert_id, created_at);
      CREATE INDEX alert_events_article ON alert_events (article_id);
      CREATE INDEX alert_events_due ON alert_events (delivery_status, next_delivery_at);
    `,
  },
  {
    version: 10,
    name: 'feed schedule and health, outlet full text, title dedupe, article summary',
    sql: `
      -- Feed health and schedule state (issue 3): see Feed in core/types.ts.
      ALTER TABLE feeds ADD COLUMN last_http_status INTEGER;
      ALTER TABLE feeds ADD COLUMN interval_minutes INTEGER;
      ALTER TABLE feeds ADD COLUMN previous_url TEXT;
      ALTER TABLE feeds ADD COLUMN last_problems TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE feeds ADD COLUMN body_hash TEXT;
      ALTER TABLE feeds ADD COLUMN last_full_fetch_at TEXT;
      ALTER TABLE outlets ADD COLUMN full_text INTEGER NOT NULL DEFAULT 0;
      -- Normalized title (titleKey in sqlite-article-store.ts) for the per-outlet 7-day title dedupe. NULL for
      -- titles too short to identify a story, and for rows stored before this migration (SQL cannot compute it).
      ALTER TABLE articles ADD COLUMN title_key TEXT;
      CREATE INDEX articles_outlet_title ON articles (outlet_id, title_key, date_ms) WHERE title_key IS NOT NULL;
      -- The feed's summary when text holds the page's main text (full-text outlets).
      ALTER TABLE article_contents ADD COLUMN summary TEXT;
    `,
  },
  {
    version: 20,
    name: 'term document frequencies for TF-IDF keywords',
    sql: `
      -- Corpus document frequencies (store/term-stats.ts): df per keyword candidate term, the documents counted
      -- (each article id once, so a replayed batch cannot inflate df) and their total.
      CREATE TABLE term_df (
        term TEXT PRIMARY KEY,
        df   INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE term_df_documents (
        article_id TEXT PRIMARY KEY
      ) WITHOUT ROWID;
      CREATE TABLE term_df_totals (
        id        INTEGER PRIMARY KEY CHECK (id = 1),
        documents INTEGER NOT NULL
      );
      INSERT INTO term_df_totals (id, documents) VALUES (1, 0);
    `,
  },
  {
    version: 30,
    name: 'syndication clusters: MinHash signatures and LSH bands',
    sql: `
      -- Near-duplicate clusters (store/sqlite/clusters.ts, worker/enrich/syndication.ts). cluster_id is the id of the
      -- first stored article of the cluster and never changes; the origin (earliest by date, first_seen_at, id) is
      -- derived when read, so a late-arriving earlier copy becomes the origin without rewriting any row. Rows stored
      -- before this migration have no signature and form single-article clusters (SQL cannot compute MinHash).
      ALTER TABLE articles ADD COLUMN cluster_id TEXT;
      UPDATE articles SET cluster_id = id;
      -- Serves cluster sizes (search hits), the cluster view in origin order, and the unique-story trend count.
      CREATE INDEX articles_cluster ON articles (cluster_id, date_ms, first_seen_at, id);
      -- The 128 x uint32 MinHash signature (little-endian BLOB) and the number of distinct shingles it summarises.
      CREATE TABLE article_minhash (
        article_seq INTEGER PRIMARY KEY REFERENCES articles (seq) ON DELETE CASCADE,
        shingles    INTEGER NOT NULL,
        signature   BLOB NOT NULL
      );
      -- One row per (LSH band key, article): articles sharing any key are candidates, verified on the signatures.
      -- The primary key is the lookup index; the second index serves ON DELETE CASCADE.
      CREATE TABLE minhash_bands (
        band_key    INTEGER NOT NULL,
        article_seq INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
        PRIMARY KEY (band_key, article_seq)
      ) WITHOUT ROWID;
      CREATE INDEX minhash_bands_article ON minhash_bands (article_seq);
    `,
  },
  {
    version: 40,
    name: 'theme re-tag jobs',
    sql: `
      -- One background re-tag job per theme (worker/retag/retagger.ts): the latest request wins. generation
      -- grows with every request, so a runner still working on a replaced query notices and stops. cursor is
      -- the article store's opaque scan position after the last committed page: a restarted runner resumes
      -- there (pages are idempotent, so a page re-done after a crash changes nothing). owner + heartbeat_at
      -- form the lease that lets exactly one process run a job; a lease older than the runner's limit is
      -- taken over.
      CREATE TABLE retag_jobs (
        theme_id     TEXT PRIMARY KEY,
        query        TEXT NOT NULL,
        generation   INTEGER NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
        cursor       TEXT,
        done         INTEGER NOT NULL DEFAULT 0,
        total        INTEGER NOT NULL DEFAULT 0,
        added        INTEGER NOT NULL DEFAULT 0,
        removed      INTEGER NOT NULL DEFAULT 0,
        requested_at TEXT NOT NULL,
        started_at   TEXT,
        finished_at  TEXT,
        error        TEXT,
        owner        TEXT,
        heartbeat_at TEXT
      );
      CREATE INDEX retag_jobs_status ON retag_jobs (status, requested_at);
    `,
  },
  {
    version: 50,
    name: 'feed fetch log',
    sql: `
      -- Every fetch outcome of every feed (the feeds row keeps only the last): the trends coverage overlay asks
      -- whether an outlet had a successful fetch in a bucket. at = epoch ms of the attempt. Rows older than
      -- FETCH_LOG_RETENTION_DAYS are pruned by the catalog as it writes. (feed_id, at) answers a series' outlets,
      -- (at) the all-feeds case and the pruning.
      CREATE TABLE fetch_log (
        feed_id TEXT NOT NULL,
        at      INTEGER NOT NULL,
        status  TEXT NOT NULL CHECK (status IN ('ok', 'not_modified', 'error', 'gone'))
      );
      CREATE INDEX fetch_log_feed_at ON fetch_log (feed_id, at, status);
      CREATE INDEX fetch_log_at ON fetch_log (at, status);
    `,
  },
  {
    version: 60,
    name: 'covering index for outlet trends',
    sql: `
      -- Trends read (outlet_id, date_ms, day, date_is_fallback) of every match; with them all in one index an
      -- outlet-filtered trend never visits the articles table (2265 -> 416 ms in a 1M-article trial).
      CREATE INDEX articles_outlet_trend ON articles (outlet_id, date_ms, day, date_is_fallback);
    `,
  },
  {
    version: 70,
    name: 'generation counter for the in-process article facts',
    sql: `
      -- store/sqlite/article-facts.ts keeps (outlet, date, fallback flag) of every article in memory and loads
      -- only rows above the highest seq it has seen. That is exact as long as no stored row changes or vanishes:
      -- these triggers count every delete and every change of those columns, in the writer's own transaction,
      -- and a reader that sees the count move reloads everything. No code path does either today; the triggers
      -- make the cache correct by construction rather than by that convention.
      CREATE TABLE article_facts_generation (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        generation INTEGER NOT NULL
      );
      INSERT INTO article_facts_generation (id, generation) VALUES (1, 0);
      CREATE TRIGGER article_facts_after_delete AFTER DELETE ON articles BEGIN
        UPDATE article_facts_generation SET generation = generation + 1 WHERE id = 1;
      END;
      CREATE TRIGGER article_facts_after_update AFTER UPDATE OF seq, outlet_id, date_ms, date_is_fallback ON articles BEGIN
        UPDATE article_facts_generation SET generation = generation + 1 WHERE id = 1;
      END;
    `,
  },
  {
    version: 80,
    name: 'article facts also cover language and syndication cluster',
    sql: `
      -- The in-memory facts now also hold each article's language and cluster (for facets and unique-story
      -- trends): a change of either must make readers reload too.
      DROP TRIGGER article_facts_after_update;
      CREATE TRIGGER article_facts_after_update
      AFTER UPDATE OF seq, outlet_id, language, date_ms, date_is_fallback, cluster_id, id ON articles BEGIN
        UPDATE article_facts_generation SET generation = generation + 1 WHERE id = 1;
      END;
    `,
  },
];

/**
 * Brings the database up to the newest migration. Each migration runs in its own BEGIN IMMEDIATE
 * transaction and re-checks `schema_migrations` inside it, so two processes opening a fresh file at the
 * same time apply every step exactly once.
 *
 * @returns the versions applied by this call (empty when already up to date).
 */
export function runMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
  }).immediate();

  const isApplied = db.prepare<[number], { version: number }>('SELECT version FROM schema_migrations WHERE version = ?');
  const record = db.prepare<[number, string, string]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const applied: number[] = [];
  let previous = 0;
  for (const migration of migrations) {
    if (migration.version <= previous) {
      throw new Error(`migrations: version ${migration.version} is not greater than ${previous}`);
    }
    previous = migration.version;
    db.transaction(() => {
      if (isApplied.get(migration.version)) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
      applied.push(migration.version);
    }).immediate();
  }
  return applied;
}
