/**
 * The HTTP API: a hono app with every /api route, one error handler and write protection. `AppType` lets
 * a typed client (`hc<AppType>`) reuse the route shapes instead of declaring them again.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requireWriteToken } from './auth.ts';
import type { ApiDeps } from './deps.ts';
import { createErrorHandler, notFoundHandler } from './errors.ts';
import { openApiRoutes } from './openapi.ts';
import { actorRoutes } from './routes/actors.ts';
import { alertRoutes } from './routes/alerts.ts';
import { articleRoutes } from './routes/articles.ts';
import { clusterRoutes } from './routes/clusters.ts';
import { coOccurrenceRoutes } from './routes/cooccurrence.ts';
import { feedRoutes } from './routes/feeds.ts';
import { healthRoutes } from './routes/health.ts';
import { opmlRoutes } from './routes/opml.ts';
import { exportRoutes } from './routes/export.ts';
import { searchRoutes } from './routes/search.ts';
import { termsRoutes } from './routes/terms.ts';
import { themeRoutes } from './routes/themes.ts';
import { trendsRoutes } from './routes/trends.ts';
import type { ErrorResponse } from './schemas.ts';

export type { ApiDeps } from './deps.ts';

/** Request bodies are small JSON documents; a megabyte is far beyond any legitimate one. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the API. Routes live under /api; anything else answers a JSON 404. */
export function createApp(deps: ApiDeps) {
  const log = deps.logger.child({ component: 'api' });
  // An OPML import is a document, not a small JSON body: /api/opml sets its own, larger limit.
  const jsonBodyLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) =>
      c.json({ error: { code: 'payload_too_large', message: `request body is larger than ${MAX_BODY_BYTES} bytes` } } satisfies ErrorResponse, 413),
  });
  return new Hono()
    .onError(createErrorHandler(log))
    .notFound(notFoundHandler)
    .use('/api/*', async (c, next) => {
      const started = performance.now();
      await next();
      log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'api request');
    })
    .use('/api/*', (c, next) => (c.req.path === '/api/opml' ? next() : jsonBodyLimit(c, next)))
    .use('/api/*', requireWriteToken({ requireToken: deps.requireToken, apiToken: deps.apiToken }))
    .route('/api/health', healthRoutes(deps))
    .route('/api/openapi.json', openApiRoutes({ version: deps.version }))
    .route('/api/search', searchRoutes(deps))
    .route('/api/export', exportRoutes(deps))
    .route('/api/trends', trendsRoutes(deps))
    .route('/api/terms', termsRoutes(deps))
    .route('/api/cooccurrence', coOccurrenceRoutes(deps))
    .route('/api/articles', articleRoutes(deps))
    .route('/api/clusters', clusterRoutes(deps))
    .route('/api', feedRoutes(deps))
    .route('/api/opml', opmlRoutes(deps))
    .route('/api/actors', actorRoutes(deps))
    .route('/api/themes', themeRoutes(deps))
    .route('/api/alerts', alertRoutes(deps));
}

/** The API's type, for `hc<AppType>` in the dashboard. */
export type AppType = ReturnType<typeof createApp>;
