/**
 * GET/POST /api/themes: saved queries that tag articles. A theme's query must parse against the current
 * catalog and may not use `theme:` itself, since themes are computed from article text during enrichment.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { ValidationError } from '../../../core/errors.ts';
import { slugify } from '../../../core/ids.ts';
import type { QueryNode } from '../../../core/query/ast.ts';
import type { Theme } from '../../../core/types.ts';
import { notifyWatchlistChanged, type ApiDeps } from '../deps.ts';
import { zodHook } from '../errors.ts';
import { parseUserQuery } from '../params.ts';
import { loadCatalogLookup } from '../resolve-query.ts';
import { ThemeBodySchema, type ThemesResponse } from '../schemas.ts';

function usesTheme(node: QueryNode): boolean {
  switch (node.kind) {
    case 'tag':
      return node.field === 'theme';
    case 'and':
    case 'or':
      return node.children.some(usesTheme);
    case 'not':
      return usesTheme(node.child);
    default:
      return false;
  }
}

export function themeRoutes(deps: ApiDeps) {
  return new Hono()
    .get('/', async (c) => {
      const body: ThemesResponse = { themes: await deps.catalog.listThemes() };
      return c.json(body, 200);
    })
    .post('/', zValidator('json', ThemeBodySchema, zodHook), async (c) => {
      const input = c.req.valid('json');
      const lookup = await loadCatalogLookup(deps.catalog);
      const parsed = parseUserQuery(input.query, lookup, 'query');
      if (usesTheme(parsed)) {
        throw new ValidationError('invalid_request', 'query: a theme query cannot use theme:, because themes are computed from article text', {
          details: { param: 'query' },
        });
      }
      const id = input.id ?? slugify(input.name);
      const existed = (await deps.catalog.listThemes()).some((t) => t.id === id);
      const theme: Theme = { id, name: input.name.trim(), query: input.query };
      await deps.catalog.upsertTheme(theme);
      notifyWatchlistChanged(deps);
      return c.json(theme, existed ? 200 : 201);
    });
}
