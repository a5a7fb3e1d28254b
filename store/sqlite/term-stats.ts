/**
 * SQLite TermStats: corpus document frequencies in `term_df` (migration 20), counted once per article id and
 * read with one query per article.
 */
import type { Database } from 'better-sqlite3';
import type { TermDocument, TermStats } from '../term-stats.ts';

/**
 * TermStats over an open, migrated database. `addDocuments` runs in one transaction: an article id already in
 * `term_df_documents` is skipped, so counting is idempotent across replays and concurrent workers.
 *
 * Why after insert and not inside the article insert's transaction: the insert path belongs to the article
 * store, and df need not be exact at the moment an article is stored; a crash between the two leaves those
 * articles uncounted (df slightly low), never counted twice.
 */
export function createSqliteTermStats(db: Database): TermStats {
  const total = db.prepare<[], { documents: number }>('SELECT documents FROM term_df_totals WHERE id = 1');
  const lookup = db.prepare<[string], { term: string; df: number }>(
    'SELECT term, df FROM term_df WHERE term IN (SELECT value FROM json_each(?))',
  );
  const claim = db.prepare<[string]>('INSERT OR IGNORE INTO term_df_documents (article_id) VALUES (?)');
  const bump = db.prepare<[string]>(
    'INSERT INTO term_df (term, df) VALUES (?, 1) ON CONFLICT (term) DO UPDATE SET df = df + 1',
  );
  const addTotal = db.prepare<[number]>('UPDATE term_df_totals SET documents = documents + ? WHERE id = 1');

  const add = db.transaction((docs: readonly TermDocument[]): number => {
    let added = 0;
    for (const doc of docs) {
      if (claim.run(doc.id).changes === 0) continue;
      added++;
      for (const term of new Set(doc.terms)) bump.run(term);
    }
    if (added > 0) addTotal.run(added);
    return added;
  });

  return {
    documentCount: () => total.get()?.documents ?? 0,
    frequencies(terms) {
      const out = new Map<string, number>();
      if (terms.length === 0) return out;
      for (const row of lookup.all(JSON.stringify(terms))) out.set(row.term, row.df);
      return out;
    },
    addDocuments: (docs) => (docs.length === 0 ? 0 : add.immediate(docs)),
  };
}
