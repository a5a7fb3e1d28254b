/**
 * The SQLite parts of a complete search beyond a date-ordered page: relevance order (FTS5 bm25) with its keyset,
 * facet counts over the whole result set (article_tags index), and the streamed keyset export.
 */
import type { Database } from 'better-sqlite3';
import type { QueryNode } from '../../core/query/ast.ts';
import type { ExportRow, FacetCount, FacetField, OutletGroups, SearchFacets } from '../article-store.ts';
import { assembleFacets, needsAllOutlets } from '../facets.ts';
import type { RelevanceCursor } from './cursor.ts';
import { positiveTextLeaves, textLeafToMatch, type TextLeaf } from './query-to-sql.ts';

/** A WHERE fragment over `articles` with its bound values. */
export interface SqlWhere {
  sql: string;
  params: (string | number)[];
}

/**
 * bm25 column weights (title, text): a title match weighs three body matches. Headlines carry what a story is
 * about; a word in a 20-word title says more than the same word once in a 700-word body.
 */
export const BM25_TITLE_WEIGHT = 3.0;
export const BM25_TEXT_WEIGHT = 1.0;

function matchable(leaf: TextLeaf): boolean {
  if (leaf.kind === 'proximity') return leaf.words.length >= 2 && leaf.words.every((w) => w !== '');
  if (leaf.kind === 'prefix') return leaf.value !== '';
  return true;
}

/**
 * The FTS5 expression ranked for relevance: every positive text leaf of the query ORed. Its bm25 scores each
 * article by the query words that explain its match; leaves under a NOT are absent from matches by definition.
 * Null when the query has no positive text leaf (tags, dates, NOT only): every match then scores 0.
 */
export function relevanceMatch(query: QueryNode): string | null {
  const parts = [...new Set(positiveTextLeaves(query).filter(matchable).map(textLeafToMatch))];
  if (parts.length === 0) return null;
  return parts.map((p) => `(${p})`).join(' OR ');
}

/** One row of a relevance page: the article and its score (lower is better, as bm25 returns it; 0 = no text match). */
export interface RankedSeq {
  seq: number;
  score: number;
}

/**
 * A relevance page: matches ordered by score (bm25, ascending = best first), then date and id descending, after
 * `cursor`. The ranked set is computed once per call (one FTS5 pass), left-joined so tag-only matches score 0.
 */
export function relevancePage(
  db: Database,
  where: SqlWhere,
  match: string | null,
  cursor: (RelevanceCursor & { dateMs: number }) | undefined,
  limit: number,
): RankedSeq[] {
  const score = match === null ? '0' : 'coalesce(rank.score, 0)';
  const params: (string | number)[] = [];
  let sql = '';
  if (match !== null) {
    sql += `WITH rank(seq, score) AS MATERIALIZED (
        SELECT rowid, bm25(articles_fts, ${BM25_TITLE_WEIGHT}, ${BM25_TEXT_WEIGHT}) FROM articles_fts WHERE articles_fts MATCH ?)
      `;
    params.push(match);
  }
  sql += `SELECT articles.seq AS seq, ${score} AS score FROM articles
    ${match === null ? '' : 'LEFT JOIN rank ON rank.seq = articles.seq'}
    WHERE ${where.sql}`;
  params.push(...where.params);
  if (cursor !== undefined) {
    sql += ` AND (${score} > ? OR (${score} = ? AND (articles.date_ms < ? OR (articles.date_ms = ? AND articles.id < ?))))`;
    params.push(cursor.score, cursor.score, cursor.dateMs, cursor.dateMs, cursor.id);
  }
  // Without a ranked expression every score is 0 (and a bare `ORDER BY 0` would name a result column).
  sql += ` ORDER BY ${match === null ? '' : `${score} ASC, `}articles.date_ms DESC, articles.id DESC LIMIT ?`;
  params.push(limit);
  return db.prepare<(string | number)[], RankedSeq>(sql).all(...params);
}

/** The temp table one search fills with its matches (seq, and bm25 score when ranked), so FTS5 runs once. */
const MATCHES = 'temp.nm_search_matches';

/** A WHERE fragment over `articles` selecting exactly the rows {@link withMatches} materialized. */
export const MATCHED_WHERE: SqlWhere = { sql: `articles.seq IN (SELECT seq FROM ${MATCHES})`, params: [] };

/**
 * Runs `use` with every match of `where` written once to a temp table (see {@link MATCHED_WHERE}), scored by bm25
 * of `rank` when it is a string. Count, page and facets then read that table instead of each repeating the FTS5
 * match (300-600 ms per pass on a common phrase over 1M articles). One transaction, so every read sees one
 * snapshot, and the table is empty afterwards (emptied, or rolled back on a throw).
 */
export function withMatches<T>(db: Database, where: SqlWhere, rank: string | null, use: (total: number) => T): T {
  return db.transaction(() => {
    emptyMatches(db);
    const params: (string | number)[] = [];
    let sql: string;
    if (rank === null) {
      sql = `INSERT INTO ${MATCHES} (seq, score) SELECT articles.seq, 0 FROM articles WHERE ${where.sql}`;
    } else {
      sql = `WITH rank(seq, score) AS MATERIALIZED (
          SELECT rowid, bm25(articles_fts, ${BM25_TITLE_WEIGHT}, ${BM25_TEXT_WEIGHT}) FROM articles_fts WHERE articles_fts MATCH ?)
        INSERT INTO ${MATCHES} (seq, score) SELECT articles.seq, coalesce(rank.score, 0) FROM articles LEFT JOIN rank ON rank.seq = articles.seq WHERE ${where.sql}`;
      params.push(rank);
    }
    const total = db.prepare<(string | number)[]>(sql).run(...params, ...where.params).changes;
    const result = use(total);
    emptyMatches(db);
    return result;
  })();
}

/**
 * Creates the matches table on first use and empties it. Emptied (SQLite truncates a WHERE-less DELETE), not
 * dropped: a per-connection table, cheaper to keep.
 */
function emptyMatches(db: Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${MATCHES} (seq INTEGER PRIMARY KEY, score REAL NOT NULL); DELETE FROM ${MATCHES}`);
}

/**
 * Runs `use` with the given seqs (ascending, from match-set.ts) written to the temp table of {@link withMatches},
 * so the facet SQL written for {@link MATCHED_WHERE} counts them; emptied afterwards, as there.
 */
export function withMatchedSeqs<T>(db: Database, seqs: Int32Array, use: () => T): T {
  return db.transaction(() => {
    emptyMatches(db);
    db.prepare<[string]>(`INSERT INTO ${MATCHES} (seq, score) SELECT value, 0 FROM json_each(?)`).run(JSON.stringify(Array.from(seqs)));
    const result = use();
    emptyMatches(db);
    return result;
  })();
}

/**
 * {@link relevancePage} over the matches {@link withMatches} materialized with their scores: same order and
 * keyset, without a second FTS5 pass. `ranked` false means no text leaf, so every score is 0 and order is by date.
 */
export function relevancePageOfMatches(
  db: Database,
  ranked: boolean,
  cursor: (RelevanceCursor & { dateMs: number }) | undefined,
  limit: number,
): RankedSeq[] {
  const params: (string | number)[] = [];
  let sql = `SELECT m.seq AS seq, m.score AS score FROM ${MATCHES} AS m JOIN articles ON articles.seq = m.seq`;
  if (cursor !== undefined) {
    sql += ` WHERE (m.score > ? OR (m.score = ? AND (articles.date_ms < ? OR (articles.date_ms = ? AND articles.id < ?))))`;
    params.push(cursor.score, cursor.score, cursor.dateMs, cursor.dateMs, cursor.id);
  }
  sql += ` ORDER BY ${ranked ? 'm.score ASC, ' : ''}articles.date_ms DESC, articles.id DESC LIMIT ?`;
  params.push(limit);
  return db.prepare<(string | number)[], RankedSeq>(sql).all(...params);
}

/**
 * The most frequent values of one article_tags field among the matches {@link withMatchedSeqs} wrote: one pass over
 * the matches' own tag rows (the article_seq index covers field and value), most frequent first, ties by value.
 */
export function topTagValuesOfMatches(db: Database, field: string, limit: number): { term: string; count: number }[] {
  return db
    .prepare<[string, number], { term: string; count: number }>(
      `SELECT f.value AS term, count(*) AS count
       FROM ${MATCHES} AS m CROSS JOIN article_tags AS f INDEXED BY article_tags_article ON f.article_seq = m.seq
       WHERE f.field = ?
       GROUP BY f.value ORDER BY count DESC, f.value ASC LIMIT ?`,
    )
    .all(field, limit);
}

/** article_tags field of each directly counted facet. */
const TAG_FIELD: Record<'outlet' | 'language' | 'actor' | 'theme', string> = {
  outlet: 'outlet',
  language: 'lang',
  actor: 'actor',
  theme: 'theme',
};

/**
 * Facet counts over every match of `where`: one GROUP BY over the article_tags (field, value, article) index per
 * directly counted field; `country` and `tag` reuse the outlet query (run without a limit, since an outlet outside
 * the top ones still adds to its country) folded through `groups`.
 */
export function sqliteFacets(
  db: Database,
  where: SqlWhere,
  fields: readonly FacetField[],
  limit: number,
  groups: OutletGroups | undefined,
): SearchFacets {
  const direct: Partial<Record<keyof typeof TAG_FIELD, FacetCount[]>> = {};
  const wanted = new Set<keyof typeof TAG_FIELD>();
  for (const f of fields) if (f !== 'country' && f !== 'tag') wanted.add(f);
  const allOutlets = needsAllOutlets(fields);
  if (allOutlets) wanted.add('outlet');
  // Unfiltered counts need no articles at all: a range scan of the index per field.
  if (where === MATCHED_WHERE && wanted.size > 0) {
    // One pass over the matches' own tag rows (the article_seq index covers field and value) for every field,
    // instead of a scan of each field's whole index range probing the matches. CROSS JOIN keeps the matches outer.
    const fieldOf = new Map([...wanted].map((f) => [TAG_FIELD[f], f]));
    const unlimitedTag = allOutlets ? TAG_FIELD.outlet : '';
    const rows = db
      .prepare<(string | number)[], FacetCount & { field: string }>(
        `SELECT field, value, count FROM (
           SELECT f.field AS field, f.value AS value, count(*) AS count,
             row_number() OVER (PARTITION BY f.field ORDER BY count(*) DESC, f.value ASC) AS rn
           FROM ${MATCHES} AS m CROSS JOIN article_tags AS f INDEXED BY article_tags_article ON f.article_seq = m.seq
           WHERE f.field IN (SELECT value FROM json_each(?))
           GROUP BY f.field, f.value)
         WHERE rn <= ? OR field = ?
         ORDER BY field, count DESC, value ASC`,
      )
      .all(JSON.stringify([...fieldOf.keys()]), limit, unlimitedTag);
    for (const f of wanted) direct[f] = [];
    for (const row of rows) {
      const f = fieldOf.get(row.field);
      if (f !== undefined) direct[f]?.push({ value: row.value, count: row.count });
    }
    return assembleFacets(fields, direct, groups, limit);
  }
  const filter = where.sql === '1' ? '' : `AND f.article_seq IN (SELECT articles.seq FROM articles WHERE ${where.sql})`;
  for (const field of wanted) {
    const unlimited = field === 'outlet' && allOutlets;
    direct[field] = db
      .prepare<(string | number)[], FacetCount>(
        `SELECT f.value AS value, count(*) AS count FROM article_tags AS f
         WHERE f.field = ? ${filter}
         GROUP BY f.value ORDER BY count DESC, f.value ASC ${unlimited ? '' : 'LIMIT ?'}`,
      )
      .all(TAG_FIELD[field], ...where.params, ...(unlimited ? [] : [limit]));
  }
  return assembleFacets(fields, direct, groups, limit);
}

interface ExportDbRow {
  seq: number;
  id: string;
  date: string;
  date_ms: number;
  date_is_fallback: number;
  published_at: string | null;
  first_seen_at: string;
  outlet_id: string;
  language: string;
  title: string;
  url: string;
  actors: string;
  themes: string;
  keywords: string;
  cluster_id: string | null;
}

/** Above this many matches a page walks the (date_ms, id) index instead of sorting every remaining match. */
const EXPORT_INDEX_WALK_MIN = 1000;

/**
 * Every match of `where`, newest first (date_ms, id descending), read in keyset pages of `pageSize`. Each page
 * is one short read, so a long export never holds a read transaction (and the WAL) open between pages.
 */
export async function* sqliteExport(db: Database, where: SqlWhere, pageSize: number, total: number): AsyncGenerator<ExportRow> {
  const source = total > EXPORT_INDEX_WALK_MIN ? 'articles INDEXED BY articles_date' : 'articles';
  const order = 'ORDER BY articles.date_ms DESC, articles.id DESC';
  const select = (keyset: boolean) =>
    db.prepare<(string | number)[], ExportDbRow>(
      `SELECT articles.seq, articles.id, articles.date, articles.date_ms, articles.date_is_fallback, articles.published_at,
         articles.first_seen_at, articles.outlet_id, articles.language, c.title, articles.url, articles.actors,
         articles.themes, articles.keywords, articles.cluster_id
       FROM articles JOIN article_contents AS c ON c.seq = articles.seq
       WHERE articles.seq IN (SELECT articles.seq FROM ${source} WHERE ${where.sql}
         ${keyset ? 'AND (articles.date_ms < ? OR (articles.date_ms = ? AND articles.id < ?))' : ''} ${order} LIMIT ?)
       ${order}`,
    );
  const first = select(false);
  const next = select(true);
  let after: { dateMs: number; id: string } | null = null;
  for (;;) {
    const rows: ExportDbRow[] = after
      ? next.all(...where.params, after.dateMs, after.dateMs, after.id, pageSize)
      : first.all(...where.params, pageSize);
    for (const row of rows) yield toExportRow(row);
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = { dateMs: last.date_ms, id: last.id };
  }
}

function toExportRow(row: ExportDbRow): ExportRow {
  return {
    id: row.id,
    date: row.date,
    dateIsFallback: row.date_is_fallback === 1,
    publishedAt: row.published_at,
    firstSeenAt: row.first_seen_at,
    outletId: row.outlet_id,
    language: row.language,
    title: row.title,
    url: row.url,
    actors: JSON.parse(row.actors) as string[],
    themes: JSON.parse(row.themes) as string[],
    keywords: JSON.parse(row.keywords) as string[],
    clusterId: row.cluster_id ?? row.id,
  };
}
