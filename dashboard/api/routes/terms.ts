/**
 * GET /api/terms: the most frequent keywords, actors, themes, entities, outlets or languages of a query — the
 * "top terms" panels of the Trends page, each term a drill-down to its articles.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import type { QueryNode } from '../../../core/query/ast.ts';
import type { ApiDeps } from '../deps.ts';
import { zodHook } from '../errors.ts';
import { parseOutlets, parseRange, parseUserQuery } from '../params.ts';
import { loadCatalogLookup } from '../resolve-query.ts';
import { TopTermsQuerySchema, type TopTermsResponse } from '../schemas.ts';

export function termsRoutes(deps: ApiDeps) {
  return new Hono().get('/', zValidator('query', TopTermsQuerySchema, zodHook), async (c) => {
    const params = c.req.valid('query');
    const lookup = await loadCatalogLookup(deps.catalog);
    const parsed = parseUserQuery(params.q, lookup, 'q');
    const { range } = parseRange(params.from, params.to);
    // topTerms has no outlet option: the outlet filter joins the query as an OR of outlet tags, as `outlet:` would.
    const outlets = parseOutlets(params.outlet, lookup);
    const query: QueryNode = outlets
      ? { kind: 'and', children: [parsed, { kind: 'or', children: outlets.map((value) => ({ kind: 'tag', field: 'outlet', value })) }] }
      : parsed;
    const terms = await deps.articles.topTerms(query, { ...range, field: params.field, limit: params.limit });
    const body: TopTermsResponse = { field: params.field, terms };
    return c.json(body, 200);
  });
}
