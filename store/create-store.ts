/**
 * The one place that chooses the store adapters, from configuration, once at start-up.
 */
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { ArticleStore } from './article-store.ts';
import type { CatalogStore } from './catalog-store.ts';
import { createElasticClient } from './elastic/client.ts';
import { createElasticArticleStore } from './elastic/elastic-article-store.ts';
import { openSqliteStores } from './sqlite/open-database.ts';
import { createSqliteTermStats } from './sqlite/term-stats.ts';
import type { TermStats } from './term-stats.ts';

export interface Stores {
  articles: ArticleStore;
  catalog: CatalogStore;
  /** Corpus document frequencies for TF-IDF keywords; kept in the SQLite file with either article store. */
  termStats: TermStats;
  close(): Promise<void>;
}

/** Options of {@link createStores}. */
export interface CreateStoresOptions {
  /** Passed to adapters that log (the Elasticsearch store logs dead letters). */
  logger?: Logger;
}

/**
 * Opens the stores. The catalog is always SQLite (decisions.md §2): with STORE=elasticsearch only the article
 * archive and its alert events live in the cluster, and the SQLite file keeps outlets, feeds, actors, themes
 * and alerts.
 */
export function createStores(config: Config, options: CreateStoresOptions = {}): Stores {
  const stores = openSqliteStores(config.sqlitePath);
  const termStats = createSqliteTermStats(stores.db);
  if (config.store.kind === 'elasticsearch') {
    const catalog = stores.catalog;
    const articles = createElasticArticleStore({
      client: createElasticClient({ url: config.store.url }),
      alertWebhook: async (alertId) => (await catalog.getAlert(alertId))?.webhookUrl ?? null,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return {
      articles,
      catalog,
      termStats,
      close: async () => {
        await articles.close();
        await stores.catalog.close();
        await stores.close();
      },
    };
  }
  return {
    articles: stores.articles,
    catalog: stores.catalog,
    termStats,
    close: async () => {
      await stores.articles.close();
      await stores.catalog.close();
      await stores.close();
    },
  };
}
