/**
 * The SQLite ArticleStore methods of the theme re-tagger: a seq-ordered scan of the archive and the atomic
 * add/remove of one theme tag (the `themes` JSON column and the article_tags row together).
 */
import type { Database } from 'better-sqlite3';
import { ValidationError } from '../../core/errors.ts';
import type { Entity } from '../../core/types.ts';
import type { ArticleStore, ScannedArticle, ThemeTagResult } from '../article-store.ts';

/** The ArticleStore methods implemented here. */
export type ThemeTagMethods = Pick<ArticleStore, 'scanArticles' | 'setThemeTag'>;

interface ScanRow {
  seq: number;
  id: string;
  outlet_id: string;
  language: string;
  actors: string;
  themes: string;
  keywords: string;
  date: string;
  title: string;
  text: string;
  entities: string;
}

interface ThemesRow {
  seq: number;
  themes: string;
}

/** Pages above this size hold the connection too long for the API and the pipeline sharing it. */
const MAX_SCAN_LIMIT = 5000;

/** Builds the scan and theme-tag methods on an open, migrated connection. */
export function createThemeTagMethods(db: Database): ThemeTagMethods {
  // seq is the insertion order: a row stored while a scan runs gets a larger seq and is still reached.
  const scan = db.prepare<[number, number], ScanRow>(`
    SELECT a.seq, a.id, a.outlet_id, a.language, a.actors, a.themes, a.keywords, a.date, c.title, c.text, c.entities
    FROM articles AS a JOIN article_contents AS c ON c.seq = a.seq
    WHERE a.seq > ? ORDER BY a.seq LIMIT ?`);
  const selectThemes = db.prepare<[string], ThemesRow>('SELECT seq, themes FROM articles WHERE id = ?');
  const updateThemes = db.prepare<[string, number]>('UPDATE articles SET themes = ? WHERE seq = ?');
  const insertTag = db.prepare<[string, number]>(
    "INSERT OR IGNORE INTO article_tags (field, value, article_seq) VALUES ('theme', ?, ?)",
  );
  const deleteTag = db.prepare<[string, number]>(
    "DELETE FROM article_tags WHERE field = 'theme' AND value = ? AND article_seq = ?",
  );

  // Read-modify-write of the JSON list inside BEGIN IMMEDIATE: no other writer can interleave, so a job of
  // another theme touching the same article never loses this change or has its own lost.
  const setTx = db.transaction((themeId: string, add: readonly string[], remove: readonly string[]): ThemeTagResult => {
    const result: ThemeTagResult = { added: 0, removed: 0 };
    for (const id of new Set(add)) {
      const row = selectThemes.get(id);
      if (!row) continue;
      const themes = JSON.parse(row.themes) as string[];
      if (themes.includes(themeId)) continue;
      themes.push(themeId);
      updateThemes.run(JSON.stringify(themes), row.seq);
      insertTag.run(themeId, row.seq);
      result.added++;
    }
    for (const id of new Set(remove)) {
      const row = selectThemes.get(id);
      if (!row) continue;
      const themes = JSON.parse(row.themes) as string[];
      if (!themes.includes(themeId)) continue;
      updateThemes.run(JSON.stringify(themes.filter((t) => t !== themeId)), row.seq);
      deleteTag.run(themeId, row.seq);
      result.removed++;
    }
    return result;
  });

  return {
    async scanArticles(after, limit) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SCAN_LIMIT) {
        throw new ValidationError('invalid_limit', `article-store: limit must be an integer in 1..${MAX_SCAN_LIMIT}`);
      }
      const from = after === null ? 0 : Number(after);
      if (!Number.isSafeInteger(from) || from < 0) {
        throw new ValidationError('invalid_cursor', `article-store: not a scan cursor: ${after}`);
      }
      const rows = scan.all(from, limit);
      const last = rows[rows.length - 1];
      const articles = rows.map(
        (r): ScannedArticle => ({
          id: r.id,
          title: r.title,
          text: r.text,
          outletId: r.outlet_id,
          language: r.language,
          actors: JSON.parse(r.actors) as string[],
          themes: JSON.parse(r.themes) as string[],
          date: r.date,
          keywords: JSON.parse(r.keywords) as string[],
          entities: JSON.parse(r.entities) as Entity[],
        }),
      );
      return { articles, cursor: last ? String(last.seq) : after, end: rows.length < limit };
    },

    async setThemeTag(themeId, change) {
      if (change.add.length === 0 && change.remove.length === 0) return { added: 0, removed: 0 };
      return setTx.immediate(themeId, change.add, change.remove);
    },
  };
}
