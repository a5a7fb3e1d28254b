/** GET /api/terms: the most frequent keywords, actors, themes, entities, outlets or languages of a query. */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import { zodHook } from '../errors.ts';
import { parseRange, parseUserQuery } from '../params.ts';
import { loadCatalogLookup } from '../resolve-query.ts';
import { TopTermsQuerySchema, type TopTermsResponse } from '../schemas.ts';

export function termsRoutes(deps: ApiDeps) {
  return new Hono().get('/', zValidator('query', TopTermsQuerySchema, zodHook), async (c) => {
    const params = c.req.valid('query');
    const lookup = await loadCatalogLookup(deps.catalog);
    const query = parseUserQuery(params.q, lookup, 'q');
    const { range } = parseRange(params.from, params.to);
    const terms = await deps.articles.topTerms(query, { ...range, field: params.field, limit: params.limit });
    const body: TopTermsResponse = { field: params.field, terms };
    return c.json(body, 200);
  });
}
