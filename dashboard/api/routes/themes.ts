/**
 * GET/POST /api/themes: saved queries that tag articles. A theme's query must parse against the current
 * catalog and may not use `theme:` itself, since themes are computed from article text during enrichment.
 * Saving a new query queues a background re-tag of the stored articles (run by the worker process); its
 * progress is at GET /api/themes/:id/retag and, for every theme, GET /api/themes/retag.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { NotFoundError, ValidationError } from '../../../core/errors.ts';
import { slugify } from '../../../core/ids.ts';
import type { QueryNode } from '../../../core/query/ast.ts';
import type { Theme } from '../../../core/types.ts';
import type { RetagJob } from '../../../store/catalog-store.ts';
import { notifyWatchlistChanged, type ApiDeps } from '../deps.ts';
import { zodHook } from '../errors.ts';
import { parseUserQuery } from '../params.ts';
import { loadCatalogLookup } from '../resolve-query.ts';
import {
  ThemeBodySchema,
  type RetagJobsResponse,
  type RetagJobView,
  type ThemeSaveResponse,
  type ThemesResponse,
} from '../schemas.ts';

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

/** The job without its runner bookkeeping (cursor, generation). */
export function toRetagJobView(job: RetagJob): RetagJobView {
  return {
    themeId: job.themeId,
    query: job.query,
    status: job.status,
    done: job.done,
    total: job.total,
    added: job.added,
    removed: job.removed,
    requestedAt: job.requestedAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    error: job.error,
  };
}

export function themeRoutes(deps: ApiDeps) {
  return new Hono()
    .get('/', async (c) => {
      const body: ThemesResponse = { themes: await deps.catalog.listThemes() };
      return c.json(body, 200);
    })
    .get('/retag', async (c) => {
      const body: RetagJobsResponse = { jobs: (await deps.catalog.listRetagJobs()).map(toRetagJobView) };
      return c.json(body, 200);
    })
    .get('/:id/retag', async (c) => {
      const id = c.req.param('id');
      const job = await deps.catalog.getRetagJob(id);
      if (!job) {
        const known = (await deps.catalog.listThemes()).some((t) => t.id === id);
        throw new NotFoundError(known ? 'retag_job_not_found' : 'theme_not_found', known ? `themes: theme ${id} has no re-tag job yet` : `themes: no theme ${id}`);
      }
      return c.json(toRetagJobView(job), 200);
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
      // The worker's re-tagger would also notice the changed query on its own; requesting here lets the answer
      // carry the job. A renamed theme with the same query keeps its last job.
      const last = await deps.catalog.getRetagJob(id);
      const job = last !== null && last.query === theme.query ? last : await deps.catalog.requestRetag(id, theme.query, deps.now());
      notifyWatchlistChanged(deps);
      const body: ThemeSaveResponse = { ...theme, retag: toRetagJobView(job) };
      return c.json(body, existed ? 200 : 201);
    });
}
