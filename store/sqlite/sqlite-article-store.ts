/**
 * SQLite adapter of the ArticleStore port: the article archive with FTS5 search, trends, top terms and
 * alert-event bookkeeping. Every write is one BEGIN IMMEDIATE transaction because another process may
 * write the same file.
 */
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { QueryNode } from '../../core/query/ast.ts';
import type { AlertEvent, Article, EnrichedArticle, Entity } from '../../core/types.ts';
import type {
  ArticleStore,
  CoOccurrenceOptions,
  CoOccurrenceResult,
  ArticleToStore,
  CountOverTimeOptions,
  DateRange,
  DeliveryOutcome,
  ExportOptions,
  ExportRow,
  InsertResult,
  SearchHit,
  SearchOptions,
  SearchResult,
  SearchSort,
  TermCount,
  TermField,
  TopTermsOptions,
  TrendSeriesResult,
} from '../article-store.ts';
import { createSqliteClusters } from './clusters.ts';
import { decodeCursor, decodeRelevanceCursor, encodeCursor, encodeRelevanceCursor } from './cursor.ts';
import {
  MATCHED_WHERE,
  relevanceMatch,
  relevancePage,
  relevancePageOfMatches,
  sqliteExport,
  sqliteFacets,
  topTagValuesOfMatches,
  withMatchedSeqs,
  withMatches,
  type RankedSeq,
} from './search-complete.ts';
import { facetLimitOf } from '../facets.ts';
import { compileQuery, ENTITY_KEY_TAG, entityKeyTags, type TagRowField } from './query-to-sql.ts';
import { createSnippetBuilder, normalizeForIndex } from './snippet.ts';
import { createThemeTagMethods } from './theme-tags.ts';
import { factsCoOccurrence, factsCountOverTime, sqliteCoOccurrence, sqliteCountOverTime } from './trends.ts';
import { createArticleFacts, type FactsSnapshot } from './article-facts.ts';
import { newestFirst } from './date-page.ts';
import { rankedFirst } from './relevance-page.ts';
import { factsFacets } from './facts-facets.ts';
import { createMatchSetEvaluator, type MatchFilters } from './match-set.ts';

/** Options of {@link createSqliteArticleStore}. */
export interface SqliteArticleStoreOptions {
  /**
   * Called by `close()` instead of closing the connection; lets several stores share one connection.
   * @defaultValue closes `db` if it is still open
   */
  release?: () => void;
  /**
   * Count, filter and page date-sorted searches and copy trends over in-memory facts (article-facts.ts). Off, every
   * query runs as plain SQL over `articles`: same results, slower; the tests run both ways.
   * @defaultValue true
   */
  inMemoryFacts?: boolean;
}

interface ArticleRow {
  seq: number;
  id: string;
  url: string;
  canonical_url: string;
  feed_id: string;
  outlet_id: string;
  guid: string | null;
  title: string;
  text: string;
  published_at: string | null;
  first_seen_at: string;
  author: string | null;
  language: string;
  language_confidence: number;
  keywords: string;
  entities: string;
  summary: string | null;
  actors: string;
  themes: string;
  date: string;
  date_ms: number;
  day: number;
  date_is_fallback: number;
  cluster_id: string | null;
  /** Only selected by search pages (see SEARCH_SELECT). */
  cluster_size?: number;
}

type ArticleInsertRow = Omit<ArticleRow, 'seq' | 'title' | 'text' | 'entities' | 'summary' | 'cluster_size'> & {
  stored_at: string;
  title_key: string | null;
};

/** An article to store with what FTS5 indexes for it: normalizeText of its title and text (see migrations.ts). */
interface NormalizedItem extends ArticleToStore {
  fts: { title: string; text: string };
}

/** Metadata row joined with its contents: what every article-returning query selects. */
const ARTICLE_SELECT = `SELECT articles.*, c.title, c.text, c.entities, c.summary
  FROM articles JOIN article_contents AS c ON c.seq = articles.seq`;
/** ARTICLE_SELECT plus each article's cluster size (one articles_cluster index range count per row of a page). */
const SEARCH_SELECT = `SELECT articles.*, c.title, c.text, c.entities, c.summary,
    (SELECT count(*) FROM articles AS peer WHERE peer.cluster_id = articles.cluster_id) AS cluster_size
  FROM articles JOIN article_contents AS c ON c.seq = articles.seq`;

interface WhereClause {
  sql: string;
  params: (string | number)[];
}

interface AlertEventRow {
  id: string;
  alert_id: string;
  article_id: string;
  created_at: string;
  delivery_status: AlertEvent['deliveryStatus'];
  delivery_attempts: number;
  last_delivery_error: string | null;
  next_delivery_at: string | null;
}

const MS_PER_DAY = 86_400_000;
const MAX_SEARCH_LIMIT = 100;
/** Keyset page of an export: ~1000 rows of metadata is well under a megabyte. */
const DEFAULT_EXPORT_PAGE = 1000;
const MAX_EXPORT_PAGE = 5000;
const MAX_TERMS_LIMIT = 1000;
const MAX_LIST_LIMIT = 10_000;
/**
 * Above this many matches a search page walks the date index instead of sorting all matches. On 50k
 * articles a 47k-match term took 119 ms to sort vs 28 ms to walk; a 865-match term 1.6 ms vs 0.3 ms, but
 * a walk can cost a full index scan when the few matches are all old, which sorting never does.
 */
const INDEX_WALK_MIN_TOTAL = 1000;

const TERM_FIELD_TO_TAG: Record<TermField, TagRowField> = {
  keywords: 'keyword',
  actors: 'actor',
  themes: 'theme',
  entities: 'entity',
  outlet: 'outlet',
  language: 'lang',
};

/** Builds the SQLite article store on an open, migrated connection (see openDatabase). */
export function createSqliteArticleStore(db: Database, options: SqliteArticleStoreOptions = {}): ArticleStore {
  const release =
    options.release ??
    (() => {
      if (db.open) db.close();
    });

  const insertArticle = db.prepare<ArticleInsertRow>(`
    INSERT INTO articles (
      id, date_ms, day, date_is_fallback, date, outlet_id, feed_id, language, language_confidence,
      published_at, first_seen_at, actors, themes, keywords, url, canonical_url, guid, author, stored_at, title_key,
      cluster_id
    ) VALUES (
      @id, @date_ms, @day, @date_is_fallback, @date, @outlet_id, @feed_id, @language, @language_confidence,
      @published_at, @first_seen_at, @actors, @themes, @keywords, @url, @canonical_url, @guid, @author, @stored_at,
      @title_key, @cluster_id
    ) ON CONFLICT (id) DO NOTHING`);
  const insertContent = db.prepare<[number, string, string, string, string | null]>(
    'INSERT INTO article_contents (seq, title, text, entities, summary) VALUES (?, ?, ?, ?, ?)',
  );
  // Served by articles_outlet_title: a feed that rewrites every GUID and link re-sends its stories under new
  // ids, and only the title tells them apart.
  const selectSameTitle = db
    .prepare<[string, string, number, number], string>(
      'SELECT id FROM articles WHERE outlet_id = ? AND title_key = ? AND date_ms BETWEEN ? AND ? LIMIT 1',
    )
    .pluck();
  // CAST: better-sqlite3 binds JS numbers as REAL, and the FTS rowid must be the article's integer seq.
  const insertFts = db.prepare<[number, string, string]>(
    'INSERT INTO articles_fts (rowid, title, text) VALUES (CAST(? AS INTEGER), ?, ?)',
  );
  const insertTag = db.prepare<[string, string, number]>(
    'INSERT OR IGNORE INTO article_tags (field, value, article_seq) VALUES (?, ?, ?)',
  );
  const alertWebhook = db.prepare<[string], { webhook_url: string | null }>(
    'SELECT webhook_url FROM alerts WHERE id = ?',
  );
  const insertEvent = db.prepare<[string, string, string, string, AlertEvent['deliveryStatus'], string | null]>(`
    INSERT INTO alert_events (id, alert_id, article_id, created_at, delivery_status, delivery_attempts, next_delivery_at)
    VALUES (?, ?, ?, ?, ?, 0, ?)
    ON CONFLICT (alert_id, article_id) DO NOTHING`);
  const selectArticle = db.prepare<[string], ArticleRow>(`${ARTICLE_SELECT} WHERE articles.id = ?`);
  const isStored = db.prepare<[string], number>('SELECT 1 FROM articles WHERE id = ?').pluck();
  const selectExisting = db
    .prepare<[string], string>('SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?))')
    .pluck();
  const countAll = db.prepare<[], number>('SELECT count(*) FROM articles').pluck();
  const articleFacts = options.inMemoryFacts === false ? null : createArticleFacts(db);
  const matchSets = createMatchSetEvaluator(db);
  /**
   * Runs `use` on fresh facts inside one read transaction, so the facts and every read of `use` see one snapshot.
   * Null when the store runs without facts (or the archive is beyond them): the caller's SQL path answers instead.
   */
  function withFacts<T>(use: (facts: FactsSnapshot) => T): T | null {
    if (articleFacts === null) return null;
    return db.transaction(() => {
      const facts = articleFacts.refresh();
      return facts === null ? null : use(facts);
    })();
  }
  const countByFeed = db.prepare<[], { feed_id: string; n: number }>(
    'SELECT feed_id, count(*) AS n FROM articles GROUP BY feed_id',
  );
  const selectEventsOfAlert = db.prepare<[string, number], AlertEventRow>(
    'SELECT * FROM alert_events WHERE alert_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
  );
  const selectDue = db.prepare<[string, number], AlertEventRow>(`
    SELECT * FROM alert_events
    WHERE delivery_status = 'pending' AND next_delivery_at <= ?
    ORDER BY next_delivery_at, id LIMIT ?`);
  const selectEventStatus = db.prepare<[string], { delivery_status: string }>(
    'SELECT delivery_status FROM alert_events WHERE id = ?',
  );
  // Only pending events move: a late outcome from a racing worker cannot reopen a final state. A success
  // keeps the last error text as history (coalesce) rather than erasing why earlier attempts failed.
  const updateDelivery = db.prepare<[AlertEvent['deliveryStatus'], string | null, string | null, string]>(`
    UPDATE alert_events
    SET delivery_status = ?, delivery_attempts = delivery_attempts + 1,
        last_delivery_error = coalesce(?, last_delivery_error), next_delivery_at = ?
    WHERE id = ? AND delivery_status = 'pending'`);

  const clusters = createSqliteClusters(db);

  const insertMany = db.transaction((items: readonly NormalizedItem[], nowIso: string): InsertResult => {
    const result: InsertResult = { inserted: [], duplicates: [], alertEvents: [] };
    const syndicated: string[] = [];
    for (const { article, alertIds, fts, fingerprint } of items) {
      const row = toInsertRow(article, nowIso);
      if (
        row.title_key !== null &&
        selectSameTitle.get(row.outlet_id, row.title_key, row.date_ms - TITLE_DEDUPE_WINDOW_MS, row.date_ms + TITLE_DEDUPE_WINDOW_MS) !== undefined
      ) {
        result.duplicates.push(article.id);
        continue;
      }
      // Matched before the row exists, so an article never matches itself; articles earlier in this batch are
      // already stored and matchable, which makes the outcome independent of how articles are split into batches.
      const joined = fingerprint && !isStored.get(article.id) ? clusters.findCluster(fingerprint, article.outletId) : null;
      row.cluster_id = joined ?? article.id;
      const info = insertArticle.run(row);
      if (info.changes === 0) {
        result.duplicates.push(article.id);
        continue;
      }
      result.inserted.push(article.id);
      const seq = Number(info.lastInsertRowid);
      if (fingerprint) clusters.recordFingerprint(seq, fingerprint);
      if (joined !== null) syndicated.push(article.id);
      insertContent.run(seq, article.title, article.text, JSON.stringify(article.entities), article.summary ?? null);
      insertFts.run(seq, fts.title, fts.text);
      for (const [field, value] of tagsOf(article)) insertTag.run(field, value, seq);
      for (const alertId of new Set(alertIds)) {
        const webhook = alertWebhook.get(alertId)?.webhook_url ?? null;
        const event: AlertEvent = {
          id: alertEventId(alertId, article.id),
          alertId,
          articleId: article.id,
          createdAt: nowIso,
          deliveryStatus: webhook ? 'pending' : 'none',
          deliveryAttempts: 0,
          lastDeliveryError: null,
          nextDeliveryAt: webhook ? nowIso : null,
        };
        const ev = insertEvent.run(event.id, alertId, article.id, nowIso, event.deliveryStatus, event.nextDeliveryAt);
        if (ev.changes > 0) result.alertEvents.push(event);
      }
    }
    // Only when there is something to say: callers comparing whole results of plain inserts see no new key.
    if (syndicated.length > 0) result.syndicated = syndicated;
    return result;
  });

  const recordDeliveryTx = db.transaction((eventId: string, outcome: DeliveryOutcome) => {
    const status: AlertEvent['deliveryStatus'] = outcome.ok ? 'delivered' : outcome.retryAt ? 'pending' : 'failed';
    const error = outcome.ok ? null : outcome.error;
    const next = !outcome.ok && outcome.retryAt ? outcome.retryAt.toISOString() : null;
    const info = updateDelivery.run(status, error, next, eventId);
    if (info.changes === 0 && !selectEventStatus.get(eventId)) {
      throw new NotFoundError('alert_event_not_found', `article-store: no alert event ${eventId}`);
    }
  });

  const themeTags = createThemeTagMethods(db);

  return {
    kind: 'sqlite',
    ...themeTags,

    async existingIds(ids) {
      if (ids.length === 0) return new Set();
      return new Set(selectExisting.all(JSON.stringify(ids)));
    },

    async insertArticles(items, now) {
      // Normalized before BEGIN IMMEDIATE, so the write lock the other process waits on is held only for
      // SQLite work.
      const normalized = items.map((item) => ({
        ...item,
        fts: { title: normalizeForIndex(item.article.title), text: normalizeForIndex(item.article.text) },
      }));
      return insertMany.immediate(normalized, now.toISOString());
    },

    async getArticle(id) {
      const row = selectArticle.get(id);
      return row ? rowToArticle(row) : null;
    },

    async search(query: QueryNode, options: SearchOptions): Promise<SearchResult> {
      const limit = requireLimit(options.limit, MAX_SEARCH_LIMIT, 'limit');
      const sort = requireSort(options.sort);
      const facetFields = options.facets ?? [];
      const facetLimit = facetLimitOf(options.facetLimit);
      const where = buildWhere(query, options, options.outlets);
      const relevanceCursor =
        sort === 'relevance' && options.cursor !== undefined ? decodeRelevanceCursor(options.cursor) : undefined;
      const relevance = sort === 'relevance';
      const match = relevance ? relevanceMatch(query) : null;
      // Filtered: over the match set and the in-memory facts (decisions §23), or plain SQL without them.
      if (where.sql !== '1') {
        const viaFacts = withFacts(searchOverFacts);
        if (viaFacts !== null) return viaFacts;
      }
      // Unfiltered: nothing to match, and copying every article's seq would cost more than it saves.
      if (where.sql === '1') {
        const total = countAll.get() ?? 0;
        const ranked = relevance ? (total === 0 ? [] : relevancePage(db, where, match, relevanceCursor, limit + 1)) : null;
        return searchPage(where, total, ranked);
      }
      return withMatches(db, where, match, (total) =>
        searchPage(
          MATCHED_WHERE,
          total,
          relevance ? (total === 0 ? [] : relevancePageOfMatches(db, match !== null, relevanceCursor, limit + 1)) : null,
        ),
      );

      /** The page, cursor and facets of the matches, evaluated over the in-memory facts. */
      function searchOverFacts(facts: FactsSnapshot): SearchResult {
        const cursor = !relevance && options.cursor !== undefined ? decodeCursor(options.cursor) : undefined;
        const seqs = matchSets.evaluate(facts, query, matchFilters(options, options.outlets));
        const facets =
          facetFields.length > 0
            ? { facets: factsFacets(db, facts, seqs, facetFields, facetLimit, options.outletGroups) }
            : {};
        const ranked = relevance ? rankedFirst(db, facts, seqs, match, relevanceCursor, limit + 1) : null;
        const pageSeqs =
          ranked !== null ? ranked.map((r) => r.seq) : seqs.length === 0 ? [] : newestFirst(db, facts, seqs, cursor, limit + 1);
        const bySeq = new Map(
          db
            .prepare<[string], ArticleRow>(`${SEARCH_SELECT} WHERE articles.seq IN (SELECT value FROM json_each(?))`)
            .all(JSON.stringify(pageSeqs))
            .map((row) => [row.seq, row]),
        );
        const rows = pageSeqs.map((seq) => bySeq.get(seq)).filter((row): row is ArticleRow => row !== undefined);
        const page = rows.slice(0, limit);
        const snippet = createSnippetBuilder(query);
        const hits = page.map((row) => rowToHit(row, snippet(row.title, row.text)));
        const last = page[page.length - 1];
        const lastScore = ranked?.[page.length - 1]?.score;
        const nextCursor =
          rows.length > limit && last
            ? lastScore !== undefined
              ? encodeRelevanceCursor({ score: lastScore, date: last.date, id: last.id })
              : encodeCursor({ date: last.date, id: last.id })
            : null;
        return { total: seqs.length, hits, nextCursor, ...facets };
      }

      /** The page, cursor and facets of `total` matches of `matched`; `ranked` is the relevance page, or null to sort by date. */
      function searchPage(matched: WhereClause, total: number, ranked: RankedSeq[] | null): SearchResult {
        const facets =
          facetFields.length > 0 ? { facets: sqliteFacets(db, matched, facetFields, facetLimit, options.outletGroups) } : {};
        if (ranked !== null) {
          const pageRanks = ranked.slice(0, limit);
          const bySeq = new Map(
            db
              .prepare<[string], ArticleRow>(`${SEARCH_SELECT} WHERE articles.seq IN (SELECT value FROM json_each(?))`)
              .all(JSON.stringify(pageRanks.map((r) => r.seq)))
              .map((row) => [row.seq, row]),
          );
          const snippetOf = createSnippetBuilder(query);
          const hits: SearchHit[] = [];
          for (const r of pageRanks) {
            const row = bySeq.get(r.seq);
            if (row) hits.push(rowToHit(row, snippetOf(row.title, row.text)));
          }
          const lastRank = pageRanks[pageRanks.length - 1];
          const lastHit = hits[hits.length - 1];
          const nextCursor =
            ranked.length > limit && lastRank && lastHit
              ? encodeRelevanceCursor({ score: lastRank.score, date: lastHit.date, id: lastHit.id })
              : null;
          return { total, hits, nextCursor, ...facets };
        }

        // The request's date range again, so a walk of the date index starts at its end, not at the newest article.
        const range = matched === where ? null : buildWhere({ kind: 'all' }, options, undefined);
        let pageSql = range === null ? matched.sql : `${matched.sql} AND ${range.sql}`;
        const pageParams: (string | number)[] = [...matched.params, ...(range?.params ?? [])];
        if (options.cursor !== undefined) {
          const cursor = decodeCursor(options.cursor);
          pageSql += ' AND (articles.date_ms < ? OR (articles.date_ms = ? AND articles.id < ?))';
          pageParams.push(cursor.dateMs, cursor.dateMs, cursor.id);
        }
        // Many matches: walk the (date_ms, id) index newest first and stop after the page. Few matches:
        // let SQLite look them up and sort them, instead of walking the whole index past sparse old hits.
        const source = total > INDEX_WALK_MIN_TOTAL ? 'articles INDEXED BY articles_date' : 'articles';
        const order = 'ORDER BY articles.date_ms DESC, articles.id DESC';
        // One extra row tells whether a next page exists without a second count.
        const rows =
          total === 0
            ? []
            : db
                .prepare<(string | number)[], ArticleRow>(
                  `${SEARCH_SELECT} WHERE articles.seq IN
                     (SELECT articles.seq FROM ${source} WHERE ${pageSql} ${order} LIMIT ?)
                   ${order}`,
                )
                .all(...pageParams, limit + 1);
        const page = rows.slice(0, limit);
        // Snippets only for the page: each one tokenizes (part of) its raw text.
        const snippet = createSnippetBuilder(query);
        const hits = page.map((row) => rowToHit(row, snippet(row.title, row.text)));
        const last = page[page.length - 1];
        const nextCursor = rows.length > limit && last ? encodeCursor({ date: last.date, id: last.id }) : null;
        return { total, hits, nextCursor, ...facets };
      }
    },

    // A generator, so a bad option rejects the first read like every other store call instead of throwing here.
    async *exportArticles(query: QueryNode, options: ExportOptions): AsyncGenerator<ExportRow> {
      const pageSize = requireLimit(options.pageSize ?? DEFAULT_EXPORT_PAGE, MAX_EXPORT_PAGE, 'pageSize');
      const where = buildWhere(query, options, options.outlets);
      const total =
        db
          .prepare<(string | number)[], number>(`SELECT count(*) FROM articles WHERE ${where.sql}`)
          .pluck()
          .get(...where.params) ?? 0;
      yield* sqliteExport(db, where, pageSize, total);
    },

    async countOverTime(query: QueryNode, options: CountOverTimeOptions): Promise<TrendSeriesResult> {
      const where = buildWhere(query, options, options.outlets);
      const viaFacts = withFacts((facts) =>
        factsCountOverTime(facts, matchSets.evaluate(facts, query, matchFilters(options, options.outlets)), options),
      );
      return viaFacts ?? sqliteCountOverTime(db, where, options);
    },

    async coOccurrence(query: QueryNode, options: CoOccurrenceOptions): Promise<CoOccurrenceResult> {
      const where = buildWhere(query, options, options.outlets);
      const viaFacts = withFacts((facts) =>
        factsCoOccurrence(
          facts,
          matchSets.evaluate(facts, query, matchFilters(options, options.outlets)),
          (field, value) => matchSets.tagged(facts, field, value),
          options,
        ),
      );
      return viaFacts ?? sqliteCoOccurrence(db, where, options);
    },

    async getCluster(clusterId, limit) {
      return clusters.getCluster(clusterId, limit);
    },

    async getArticleCluster(articleId) {
      return clusters.getArticleCluster(articleId);
    },

    async topTerms(query: QueryNode, options: TopTermsOptions): Promise<TermCount[]> {
      const limit = requireLimit(options.limit, MAX_TERMS_LIMIT, 'limit');
      const where = buildWhere(query, options, undefined);
      if (where.sql !== '1') {
        const tagField = TERM_FIELD_TO_TAG[options.field];
        const viaFacts = withFacts((facts) => {
          const seqs = matchSets.evaluate(facts, query, matchFilters(options, undefined));
          if (tagField === 'outlet' || tagField === 'lang') {
            const counts = new Map<string, number>();
            const codes = tagField === 'outlet' ? facts.outlet : facts.lang;
            const values = tagField === 'outlet' ? facts.outletIds : facts.languages;
            for (let i = 0; i < seqs.length; i++) {
              const value = values[codes[seqs[i]!]!]!;
              if (value !== '') counts.set(value, (counts.get(value) ?? 0) + 1);
            }
            return [...counts]
              .map(([term, count]) => ({ term, count }))
              .sort((a, b) => b.count - a.count || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0))
              .slice(0, limit);
          }
          return withMatchedSeqs(db, seqs, () => topTagValuesOfMatches(db, tagField, limit));
        });
        if (viaFacts !== null) return viaFacts;
      }
      // IN (matching seqs) beat a JOIN with articles by 1.2-4x on 50k articles; an unfiltered count
      // needs no articles at all.
      const filter = where.sql === '1' ? '' : `AND top.article_seq IN (SELECT articles.seq FROM articles WHERE ${where.sql})`;
      return db
        .prepare<(string | number)[], TermCount>(
          `SELECT top.value AS term, count(*) AS count FROM article_tags AS top
           WHERE top.field = ? ${filter}
           GROUP BY top.value ORDER BY count DESC, top.value ASC LIMIT ?`,
        )
        .all(TERM_FIELD_TO_TAG[options.field], ...where.params, limit);
    },

    async count() {
      return countAll.get() ?? 0;
    },

    async articleCountsByFeed() {
      return new Map(countByFeed.all().map((r) => [r.feed_id, r.n]));
    },

    async listAlertEvents(alertId, limit) {
      return selectEventsOfAlert.all(alertId, requireLimit(limit, MAX_LIST_LIMIT, 'limit')).map(rowToEvent);
    },

    async dueDeliveries(now, limit) {
      return selectDue.all(now.toISOString(), requireLimit(limit, MAX_LIST_LIMIT, 'limit')).map(rowToEvent);
    },

    async recordDelivery(eventId, outcome) {
      recordDeliveryTx.immediate(eventId, outcome);
    },

    async close() {
      release();
    },
  };
}

/**
 * Deterministic alert-event id: first 32 hex chars of sha256("alertId:articleId"), so a replayed insert
 * can never create a second event for the same pair.
 */
export function alertEventId(alertId: string, articleId: string): string {
  return createHash('sha256').update(`${alertId}:${articleId}`).digest('hex').slice(0, 32);
}

/** WHERE clause: the query plus the date range and the outlet restriction, all over `articles`. */
function buildWhere(query: QueryNode, range: DateRange, outlets: string[] | undefined): WhereClause {
  const compiled = compileQuery(query);
  const parts = [compiled.sql];
  const params: (string | number)[] = [...compiled.params];
  if (range.from !== undefined) {
    parts.push('articles.date_ms >= ?');
    params.push(parseBound(range.from, 'from'));
  }
  if (range.to !== undefined) {
    parts.push('articles.date_ms < ?');
    params.push(parseBound(range.to, 'to'));
  }
  // An empty list means "no outlet selected", i.e. no restriction, which is what a UI filter sends.
  if (outlets !== undefined && outlets.length > 0) {
    parts.push('articles.outlet_id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(outlets));
  }
  return { sql: parts.join(' AND '), params };
}

/** The date range and outlet restriction of {@link buildWhere}, for the in-memory match sets. */
function matchFilters(range: DateRange, outlets: string[] | undefined): MatchFilters {
  return {
    ...(range.from !== undefined ? { fromMs: parseBound(range.from, 'from') } : {}),
    ...(range.to !== undefined ? { toMs: parseBound(range.to, 'to') } : {}),
    ...(outlets !== undefined && outlets.length > 0 ? { outlets } : {}),
  };
}

function parseBound(value: string, name: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new ValidationError('invalid_date_range', `article-store: ${name} is not an ISO date: ${value}`);
  }
  return ms;
}

function requireSort(sort: SearchSort | undefined): SearchSort {
  if (sort === undefined || sort === 'date' || sort === 'relevance') return sort ?? 'date';
  throw new ValidationError('invalid_sort', `article-store: sort must be 'relevance' or 'date'`);
}

function requireLimit(limit: number, max: number, name: string): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new ValidationError('invalid_limit', `article-store: ${name} must be an integer in 1..${max}`);
  }
  return limit;
}

function toInsertRow(article: EnrichedArticle, nowIso: string): ArticleInsertRow {
  const published = article.publishedAt !== null ? Date.parse(article.publishedAt) : Number.NaN;
  const fallback = !Number.isFinite(published);
  const dateMs = fallback ? Date.parse(article.firstSeenAt) : published;
  if (!Number.isFinite(dateMs)) {
    throw new ValidationError('invalid_article', `article-store: article ${article.id} has no valid date`);
  }
  return {
    id: article.id,
    url: article.url,
    canonical_url: article.canonicalUrl,
    feed_id: article.feedId,
    outlet_id: article.outletId,
    guid: article.guid,
    published_at: article.publishedAt,
    first_seen_at: article.firstSeenAt,
    author: article.author,
    language: article.language,
    language_confidence: article.languageConfidence,
    keywords: JSON.stringify(article.keywords),
    actors: JSON.stringify(article.actors),
    themes: JSON.stringify(article.themes),
    date: new Date(dateMs).toISOString(),
    date_ms: dateMs,
    day: Math.floor(dateMs / MS_PER_DAY),
    date_is_fallback: fallback ? 1 : 0,
    stored_at: nowIso,
    title_key: titleKey(article.title),
    cluster_id: article.id,
  };
}

/** Same normalized title in the same outlet within this distance of dates = the same story. */
export const TITLE_DEDUPE_WINDOW_MS = 7 * MS_PER_DAY;
// Scripts written without spaces between words: their titles are measured in characters.
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/**
 * The title dedupe key: NFKC, lower-cased, every run of non-letters/digits collapsed to one space. Null when
 * the title is too short to identify a story — fewer than 3 words or 15 letters/digits (8 characters in
 * scripts written without spaces) — since outlets reuse short titles ("Live updates", "Today in history")
 * for different articles every day.
 */
export function titleKey(title: string): string | null {
  const key = title.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ').trim();
  if (key === '') return null;
  const chars = [...key.replace(/ /g, '')].length;
  if (UNSPACED_SCRIPT.test(key)) return chars >= 8 ? key : null;
  return key.split(' ').length >= 3 && chars >= 15 ? key : null;
}

function tagsOf(article: EnrichedArticle): [TagRowField, string][] {
  const tags: [TagRowField, string][] = [
    ['outlet', article.outletId],
    ['lang', article.language],
  ];
  for (const v of article.actors) tags.push(['actor', v]);
  for (const v of article.themes) tags.push(['theme', v]);
  for (const v of article.keywords) tags.push(['keyword', v]);
  for (const e of article.entities) tags.push(['entity', e.text]);
  // `entity:` queries compare folded text; the `entity` rows above keep the spelling for display.
  for (const k of entityKeyTags(article.entities)) tags.push([ENTITY_KEY_TAG, k]);
  return tags.filter(([, value]) => value.length > 0);
}

function rowToArticle(row: ArticleRow): Article {
  return {
    id: row.id,
    url: row.url,
    canonicalUrl: row.canonical_url,
    feedId: row.feed_id,
    outletId: row.outlet_id,
    guid: row.guid,
    title: row.title,
    text: row.text,
    publishedAt: row.published_at,
    firstSeenAt: row.first_seen_at,
    author: row.author,
    language: row.language,
    languageConfidence: row.language_confidence,
    keywords: JSON.parse(row.keywords) as string[],
    entities: JSON.parse(row.entities) as Entity[],
    actors: JSON.parse(row.actors) as string[],
    themes: JSON.parse(row.themes) as string[],
    date: row.date,
    dateIsFallback: row.date_is_fallback === 1,
    ...(row.summary !== null ? { summary: row.summary } : {}),
  };
}

function rowToHit(row: ArticleRow, snippet: string): SearchHit {
  return {
    id: row.id,
    title: row.title,
    url: row.url,
    outletId: row.outlet_id,
    feedId: row.feed_id,
    publishedAt: row.published_at,
    firstSeenAt: row.first_seen_at,
    date: row.date,
    dateIsFallback: row.date_is_fallback === 1,
    language: row.language,
    actors: JSON.parse(row.actors) as string[],
    themes: JSON.parse(row.themes) as string[],
    keywords: JSON.parse(row.keywords) as string[],
    snippet,
    clusterId: row.cluster_id ?? row.id,
    clusterSize: row.cluster_size ?? 1,
  };
}

function rowToEvent(row: AlertEventRow): AlertEvent {
  return {
    id: row.id,
    alertId: row.alert_id,
    articleId: row.article_id,
    createdAt: row.created_at,
    deliveryStatus: row.delivery_status,
    deliveryAttempts: row.delivery_attempts,
    lastDeliveryError: row.last_delivery_error,
    nextDeliveryAt: row.next_delivery_at,
  };
}
