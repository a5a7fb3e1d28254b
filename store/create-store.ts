/**
 * The one place that chooses the store adapters, from configuration, once at start-up.
 */
import type { Config } from '../core/config.ts';
import { ValidationError } from '../core/errors.ts';
import type { ArticleStore } from './article-store.ts';
import type { CatalogStore } from './catalog-store.ts';
import { openSqliteStores } from './sqlite/open-database.ts';

export interface Stores {
  articles: ArticleStore;
  catalog: CatalogStore;
  close(): Promise<void>;
}

export function createStores(config: Config): Stores {
  if (config.store.kind === 'elasticsearch') {
    // The Elasticsearch adapter lands with the search-at-scale issue; refuse clearly rather than fall back.
    throw new ValidationError(
      'store_unavailable',
      'STORE=elasticsearch: the Elasticsearch article store is not available in this version; use STORE=sqlite',
    );
  }
  const stores = openSqliteStores(config.sqlitePath);
  return {
    articles: stores.articles,
    catalog: stores.catalog,
    close: async () => {
      await stores.articles.close();
      await stores.catalog.close();
      await stores.close();
    },
  };
}
