/**
 * What the HTTP API needs from the composition root. Kept apart from app.ts so route modules can import
 * the type without an import cycle.
 */
import type { Logger } from '../../core/logger.ts';
import type { WorkQueue } from '../../core/work-queue.ts';
import type { ArticleStore } from '../../store/article-store.ts';
import type { CatalogStore } from '../../store/catalog-store.ts';

export interface ApiDeps {
  articles: ArticleStore;
  catalog: CatalogStore;
  /** The work queue's kind, reported by /api/health; 'memory' is accepted as another name for 'embedded'. */
  queueKind: WorkQueue['kind'] | 'memory';
  logger: Logger;
  now: () => Date;
  /** Bearer token for write requests; see `requireToken`. */
  apiToken?: string;
  /** When true every non-GET /api request must carry `Authorization: Bearer <apiToken>`. */
  requireToken: boolean;
  /** Decides whether a feed or webhook URL may be used: null = allowed, otherwise the refusal reason. */
  checkFeedUrl: (url: string) => Promise<string | null>;
  /** Called after actors, themes or alerts change, so the worker can rebuild its matchers. */
  onWatchlistChanged?: () => void;
  /** Reported by /api/health. @defaultValue the version in package.json */
  version?: string;
}

/**
 * Tells the worker that actors, themes or alerts changed. The write has already succeeded, so a failing
 * hook is logged rather than turned into an error answer for a change that did happen.
 */
export function notifyWatchlistChanged(deps: ApiDeps): void {
  try {
    deps.onWatchlistChanged?.();
  } catch (err) {
    deps.logger.error({ err, component: 'api' }, 'watchlist change hook failed');
  }
}
