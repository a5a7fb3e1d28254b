/**
 * The article batch processor: skip known ids, enrich the rest, match alert queries, store with alert events.
 * Pure apart from its deps (no queue, no Redis): both work-queue adapters call it.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../core/logger.ts';
import { compilePreparedMatcher, type PreparedArticle } from '../../core/query/match.ts';
import { parseQuery } from '../../core/query/parse.ts';
import type { Actor, AlertEvent, Alert, Outlet, RawArticle, Theme } from '../../core/types.ts';
import type { ArticleStore, ArticleToStore } from '../../store/article-store.ts';
import type { CatalogStore } from '../../store/catalog-store.ts';
import type { TermStats } from '../../store/term-stats.ts';
import { createPreparingEnricher, type EnrichResult } from '../enrich/enrich-article.ts';
import { fingerprintArticle } from '../enrich/syndication.ts';
import { createWatchlistResolver, type InvalidQuery } from '../enrich/themes.ts';

/** The watchlist compiled for processing: rebuilt only when the catalog's watchlist content changes. */
export interface CompiledWatchlist {
  /** sha256 of the actors, themes, alerts and outlets it was built from. */
  fingerprint: string;
  enrich: (raw: RawArticle) => EnrichResult;
  /** Ids of the alerts whose query matches the prepared (enriched) article. */
  matchAlerts: (article: PreparedArticle) => string[];
}

export interface WatchlistSource {
  /** The compiled watchlist reflecting the catalog now. */
  current(): Promise<CompiledWatchlist>;
}

/** The raw catalog content a watchlist is compiled from. */
export interface WatchlistContent {
  actors: readonly Actor[];
  themes: readonly Theme[];
  alerts: readonly Alert[];
  outlets: readonly Outlet[];
}

/** Compiles actors, themes and alert queries once; invalid stored queries are reported and skipped. */
export function compileWatchlist(
  content: WatchlistContent,
  fingerprint: string,
  onInvalid: (kind: 'theme' | 'alert', invalid: InvalidQuery) => void = () => {},
  termStats?: TermStats,
): CompiledWatchlist {
  const enrich = createPreparingEnricher(
    { actors: content.actors, themes: content.themes, outlets: content.outlets },
    { onInvalidTheme: (inv) => onInvalid('theme', inv), ...(termStats ? { documentFrequencies: termStats } : {}) },
  );
  const resolve = createWatchlistResolver(content);
  const alerts: Array<{ id: string; match: (a: PreparedArticle) => boolean }> = [];
  for (const alert of content.alerts) {
    try {
      alerts.push({ id: alert.id, match: compilePreparedMatcher(parseQuery(alert.query, resolve)) });
    } catch (err) {
      onInvalid('alert', { id: alert.id, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }
  return {
    fingerprint,
    enrich,
    matchAlerts: (article) => alerts.filter((a) => a.match(article)).map((a) => a.id),
  };
}

/**
 * A watchlist source that re-reads the catalog on every call and recompiles only when its content changed.
 *
 * Why not a version counter: actors, themes and alerts are edited through the API, which may run in another
 * process on the same database, so an in-process counter would miss changes. Reading the four small catalog
 * tables and hashing them costs well under a millisecond per batch, far below enriching one article, and needs
 * no change to the catalog contract. Recompiling (trie, gazetteer, queries) happens only on a real change.
 */
export function createCatalogWatchlistSource(deps: { catalog: CatalogStore; logger: Logger; termStats?: TermStats }): WatchlistSource {
  const log = deps.logger.child({ component: 'watchlist' });
  let compiled: CompiledWatchlist | undefined;
  return {
    async current() {
      const [actors, themes, alerts, outlets] = await Promise.all([
        deps.catalog.listActors(),
        deps.catalog.listThemes(),
        deps.catalog.listAlerts(),
        deps.catalog.listOutlets(),
      ]);
      // Only what matching depends on: an alert's webhook or createdAt must not force a recompile.
      const fingerprint = createHash('sha256')
        .update(
          JSON.stringify([
            actors,
            themes,
            alerts.map((a) => [a.id, a.query]),
            // collection: and country: resolve to outlet ids through tags and country, so those count too.
            outlets.map((o) => [o.id, o.name, o.tags, o.country ?? null]),
          ]),
        )
        .digest('hex');
      if (compiled?.fingerprint !== fingerprint) {
        compiled = compileWatchlist({ actors, themes, alerts, outlets }, fingerprint, (kind, { id, error }) =>
          log.warn({ kind, id, err: error }, 'stored query does not compile; skipped'),
          deps.termStats,
        );
        log.info(
          { actors: actors.length, themes: themes.length, alerts: alerts.length },
          'watchlist compiled',
        );
      }
      return compiled;
    },
  };
}

/** Articles enriched between two yields to the event loop (~20–50 ms of work on this project's machines). */
const YIELD_EVERY = 5;

export interface ArticleProcessorDeps {
  store: ArticleStore;
  catalog: CatalogStore;
  logger: Logger;
  now: () => Date;
  /** Where the compiled watchlist comes from. @defaultValue createCatalogWatchlistSource({ catalog, logger, termStats }) */
  watchlist?: WatchlistSource;
  /** Corpus document frequencies for TF-IDF keywords, counted after each insert. Without it keywords are plain TF. */
  termStats?: TermStats;
}

/** Outcome of one batch. Duplicates are counted, not errors. */
export interface ProcessResult {
  /** Ids newly stored. */
  inserted: string[];
  /** Ids already stored (before enrichment, or by a concurrent writer) or repeated within the batch. */
  duplicates: string[];
  /** Ids whose enrichment threw: logged and left out, so one bad article cannot block its batch forever. */
  failed: string[];
  /** Alert events created for the inserted articles. */
  alertEvents: AlertEvent[];
}

/**
 * Builds the batch processor. Each call: drops ids the store already has (no enrichment for replays), enriches
 * the rest with the current watchlist, matches every alert query, and stores articles and alert events in one
 * store call. Idempotent: processing the same batch twice inserts once and creates each alert event once.
 */
export function createArticleProcessor(deps: ArticleProcessorDeps): (batch: readonly RawArticle[]) => Promise<ProcessResult> {
  const log = deps.logger.child({ component: 'process-articles' });
  const watchlist =
    deps.watchlist ?? createCatalogWatchlistSource({ catalog: deps.catalog, logger: deps.logger, termStats: deps.termStats });

  return async (batch) => {
    const result: ProcessResult = { inserted: [], duplicates: [], failed: [], alertEvents: [] };
    if (batch.length === 0) return result;

    const unique = new Map<string, RawArticle>();
    for (const raw of batch) {
      if (unique.has(raw.id)) result.duplicates.push(raw.id);
      else unique.set(raw.id, raw);
    }
    const existing = await deps.store.existingIds([...unique.keys()]);
    const fresh = [...unique.values()].filter((raw) => {
      if (!existing.has(raw.id)) return true;
      result.duplicates.push(raw.id);
      return false;
    });

    const items: ArticleToStore[] = [];
    let syndicated = 0;
    const termsById = new Map<string, string[]>();
    if (fresh.length > 0) {
      const compiled = await watchlist.current();
      for (const [i, raw] of fresh.entries()) {
        // Enrichment is synchronous CPU work: yield now and then so the API, the poller's sockets and the
        // webhook timers of the same (embedded) process keep being served during a large batch.
        if (i > 0 && i % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        try {
          const { article, prepared, terms } = compiled.enrich(raw);
          termsById.set(raw.id, terms);
          // The body tokens enrichment already produced: the fingerprint costs no second tokenization. The store
          // matches it against stored fingerprints in the insert transaction (syndication clusters).
          const fingerprint = fingerprintArticle(article, prepared.bodyTokens);
          items.push({ article, alertIds: compiled.matchAlerts(prepared), fingerprint });
        } catch (err) {
          result.failed.push(raw.id);
          log.error({ articleId: raw.id, url: raw.url, err }, 'article enrichment failed');
        }
      }
    }

    if (items.length > 0) {
      const stored = await deps.store.insertArticles(items, deps.now());
      result.inserted.push(...stored.inserted);
      result.duplicates.push(...stored.duplicates);
      result.alertEvents.push(...stored.alertEvents);
      syndicated = stored.syndicated?.length ?? 0;
      // After the insert, only for rows this call stored; idempotent by article id (store/term-stats.ts).
      deps.termStats?.addDocuments(stored.inserted.map((id) => ({ id, terms: termsById.get(id) ?? [] })));
    }
    log.info(
      {
        batch: batch.length,
        inserted: result.inserted.length,
        duplicates: result.duplicates.length,
        failed: result.failed.length,
        alertEvents: result.alertEvents.length,
        syndicated,
      },
      'article batch processed',
    );
    return result;
  };
}
