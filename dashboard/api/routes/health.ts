/** GET /api/health: liveness plus the numbers the dashboard header shows. */
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { HealthResponse } from '../schemas.ts';

const packageVersion = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

export function healthRoutes(deps: ApiDeps) {
  return new Hono().get('/', async (c) => {
    const [articles, feeds] = await Promise.all([deps.articles.count(), deps.catalog.listFeeds()]);
    const body: HealthResponse = {
      status: 'ok',
      store: deps.articles.kind,
      queue: deps.queueKind === 'bullmq' ? 'bullmq' : 'embedded',
      articles,
      feeds: feeds.length,
      version: deps.version ?? packageVersion,
    };
    return c.json(body, 200);
  });
}
