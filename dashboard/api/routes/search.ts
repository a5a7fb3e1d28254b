/**
 * GET /api/search: full-text and tag search, newest or best matches first, with highlighted snippets, filters
 * beside the query, facet counts over the whole result set, and cursor paging for either order.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import { zodHook } from '../errors.ts';
import { loadCatalogLookup } from '../resolve-query.ts';
import { SearchQuerySchema, type SearchResponse } from '../schemas.ts';
import { facetFieldsOf, labelFacets, outletGroupsOf, resolveSearch } from '../search-request.ts';

export function searchRoutes(deps: ApiDeps) {
  return new Hono().get('/', zValidator('query', SearchQuerySchema, zodHook), async (c) => {
    const params = c.req.valid('query');
    const lookup = await loadCatalogLookup(deps.catalog);
    const { query, range, outlets, filters } = resolveSearch(params, lookup);
    const facets = facetFieldsOf(params.facets, params.cursor !== undefined);
    // Only the country and tag facets need the outlet catalog (to fold outlet counts).
    const outletGroups = facets.includes('country') || facets.includes('tag') ? outletGroupsOf(await deps.catalog.listOutlets()) : undefined;
    const result = await deps.articles.search(query, {
      ...range,
      outlets,
      limit: params.limit,
      cursor: params.cursor,
      sort: params.sort,
      ...(facets.length > 0 ? { facets, facetLimit: params.facetLimit } : {}),
      ...(outletGroups ? { outletGroups } : {}),
    });
    const body: SearchResponse = {
      query: params.q,
      total: result.total,
      hits: result.hits,
      nextCursor: result.nextCursor,
      sort: params.sort,
      filters,
      ...(result.facets ? { facets: labelFacets(result.facets, lookup) } : {}),
    };
    return c.json(body, 200);
  });
}
