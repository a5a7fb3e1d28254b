/** GET /api/articles/:id: one stored article with its enrichment and its syndication cluster (id and size). */
import { Hono } from 'hono';
import { NotFoundError } from '../../../core/errors.ts';
import type { ApiDeps } from '../deps.ts';
import type { ArticleResponse } from '../schemas.ts';

// Article ids are 32 hex chars (core/ids.ts); anything else cannot exist, so skip the store.
const ARTICLE_ID = /^[0-9a-f]{32}$/;

export function articleRoutes(deps: ApiDeps) {
  return new Hono().get('/:id', async (c) => {
    const id = c.req.param('id');
    const article = ARTICLE_ID.test(id) ? await deps.articles.getArticle(id) : null;
    if (!article) throw new NotFoundError('not_found', `no article with id "${id}"`);
    const cluster = await deps.articles.getArticleCluster(id);
    const body: ArticleResponse = {
      ...article,
      clusterId: cluster?.clusterId ?? id,
      clusterSize: cluster?.size ?? 1,
      clusterOriginId: cluster?.originId ?? id,
    };
    return c.json(body, 200);
  });
}
