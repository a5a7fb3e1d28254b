/** GET /api/search: full-text and tag search, newest or best matches first, with highlighted snippets. */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import { zodHook } from '../errors.ts';
import { parseOutlets, parseRange, parseUserQuery } from '../params.ts';
import { loadCatalogLookup } from '../resolve-query.ts';
import { SearchQuerySchema, type SearchResponse } from '../schemas.ts';

export function searchRoutes(deps: ApiDeps) {
  return new Hono().get('/', zValidator('query', SearchQuerySchema, zodHook), async (c) => {
    const params = c.req.valid('query');
    const lookup = await loadCatalogLookup(deps.catalog);
    const query = parseUserQuery(params.q, lookup, 'q');
    const { range } = parseRange(params.from, params.to);
    const outlets = parseOutlets(params.outlet, lookup);
    const result = await deps.articles.search(query, {
      ...range,
      outlets,
      limit: params.limit,
      cursor: params.cursor,
    });
    const body: SearchResponse = { query: params.q, total: result.total, hits: result.hits, nextCursor: result.nextCursor };
    return c.json(body, 200);
  });
}
