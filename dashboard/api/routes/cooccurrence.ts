/**
 * GET /api/cooccurrence?actors=…&themes=…: how many articles matching `q` carry both an actor and a theme, for every
 * actor x theme pair, overall and (with `interval`) per local bucket in `tz` — the data of the Matrix heatmap.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { ValidationError } from '../../../core/errors.ts';
import type { ApiDeps } from '../deps.ts';
import { invalidRequest, zodHook } from '../errors.ts';
import { parseOutlets, parseRange, parseUserQuery } from '../params.ts';
import { loadCatalogLookup, type CatalogLookup } from '../resolve-query.ts';
import { CoOccurrenceQuerySchema, type CoOccurrenceResponse } from '../schemas.ts';
import { trendGrid, zoneBucketsParam } from './trends.ts';

/** Most actors or themes per matrix (the store's limit too). */
export const MAX_MATRIX_SIDE = 50;

/** Comma-separated actor or theme ids/names -> ids, in the order given, duplicates dropped. */
function parseTagList(value: string, field: 'actor' | 'theme', param: string, lookup: CatalogLookup): string[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw invalidRequest(param, `give at least one ${field}`);
  if (names.length > MAX_MATRIX_SIDE) throw invalidRequest(param, `at most ${MAX_MATRIX_SIDE} ${field}s`);
  const ids = names.map((name) => {
    const id = lookup.resolve(field, name);
    if (id === null) throw new ValidationError(`unknown_${field}`, `${param}: no ${field} "${name}" in the catalog`, { details: { param } });
    return id;
  });
  return [...new Set(ids)];
}

export function coOccurrenceRoutes(deps: ApiDeps) {
  return new Hono().get('/', zValidator('query', CoOccurrenceQuerySchema, zodHook), async (c) => {
    const params = c.req.valid('query');
    const lookup = await loadCatalogLookup(deps.catalog);
    const actors = parseTagList(params.actors, 'actor', 'actors', lookup);
    const themes = parseTagList(params.themes, 'theme', 'themes', lookup);
    const query = parseUserQuery(params.q, lookup, 'q');
    const parsedRange = parseRange(params.from, params.to);
    const outlets = parseOutlets(params.outlet, lookup);
    const zb = params.interval ? zoneBucketsParam(params.interval, params.tz) : null;
    const result = await deps.articles.coOccurrence(query, {
      ...parsedRange.range,
      actors,
      themes,
      ...(zb ? { interval: zb.interval, timeZone: zb.timeZone } : {}),
      ...(outlets ? { outlets } : {}),
    });
    let buckets: CoOccurrenceResponse['buckets'] = [];
    if (zb) {
      // Dense, so a slider or small multiples step through time evenly.
      const byStart = new Map(result.buckets.map((b) => [zb.start(Date.parse(b.t)), b.cells]));
      const grid = trendGrid(zb, [result.buckets.map((b) => ({ t: b.t, count: 1 }))], parsedRange);
      buckets = grid.map((b) => ({ t: zb.iso(b.start), end: zb.iso(b.end), cells: byStart.get(b.start) ?? [] }));
    }
    const body: CoOccurrenceResponse = {
      actors: actors.map((id) => ({ id, name: lookup.actorName(id) ?? id })),
      themes: themes.map((id) => ({ id, name: lookup.themeName(id) ?? id })),
      cells: result.cells,
      interval: zb ? zb.interval : null,
      timeZone: zb ? zb.timeZone : 'UTC',
      buckets,
    };
    return c.json(body, 200);
  });
}
