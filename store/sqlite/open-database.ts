/**
 * Opens the one SQLite file that holds the catalog and the article archive, tuned for two processes
 * (ingest and worker) sharing it, and migrated to the current schema.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ArticleStore } from '../article-store.ts';
import type { CatalogStore } from '../catalog-store.ts';
import { runMigrations } from './migrations.ts';
import { createSqliteArticleStore } from './sqlite-article-store.ts';
import { createSqliteCatalogStore } from './sqlite-catalog-store.ts';

/** How long a connection waits for another process's write lock before failing with SQLITE_BUSY (ms). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating the directory and file when needed) and migrates the database at `filePath`.
 * WAL lets readers run beside the single writer of the other process; `synchronous=NORMAL` is durable
 * across application crashes in WAL mode and much faster than FULL. `:memory:` is accepted for tools.
 */
export function openDatabase(filePath: string): Database.Database {
  if (filePath !== ':memory:') mkdirSync(path.dirname(path.resolve(filePath)), { recursive: true });
  const db = new Database(filePath, { timeout: BUSY_TIMEOUT_MS });
  try {
    // busy_timeout first: switching to WAL needs a lock another process may briefly hold.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    runMigrations(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Both stores over one connection; see {@link openSqliteStores}. */
export interface SqliteStores {
  db: Database.Database;
  articles: ArticleStore;
  catalog: CatalogStore;
  /** Closes the connection (idempotent). */
  close(): Promise<void>;
}

/**
 * Opens the database once and builds both stores on it. The connection is closed when both stores have
 * been closed, or at once by `close()`, never twice.
 */
export function openSqliteStores(filePath: string): SqliteStores {
  const db = openDatabase(filePath);
  let open = 2;
  const closeDb = (): void => {
    if (db.open) db.close();
  };
  const release = (): void => {
    open -= 1;
    if (open <= 0) closeDb();
  };
  return {
    db,
    articles: createSqliteArticleStore(db, { release: once(release) }),
    catalog: createSqliteCatalogStore(db, { release: once(release) }),
    close: async () => closeDb(),
  };
}

function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    fn();
  };
}
