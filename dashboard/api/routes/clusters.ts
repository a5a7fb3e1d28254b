/**
 * GET /api/clusters/:id: one syndication cluster — which outlets republished which origin, and how long after.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { NotFoundError } from '../../../core/errors.ts';
import type { ApiDeps } from '../deps.ts';
import { zodHook } from '../errors.ts';
import { ClusterQuerySchema, type ClusterResponse } from '../schemas.ts';

// Cluster ids are article ids: 32 hex chars (core/ids.ts); anything else cannot exist, so skip the store.
const CLUSTER_ID = /^[0-9a-f]{32}$/;

export function clusterRoutes(deps: ApiDeps) {
  return new Hono().get('/:id', zValidator('query', ClusterQuerySchema, zodHook), async (c) => {
    const id = c.req.param('id');
    const { limit } = c.req.valid('query');
    const cluster = CLUSTER_ID.test(id) ? await deps.articles.getCluster(id, limit) : null;
    if (!cluster) throw new NotFoundError('not_found', `no cluster with id "${id}"`);
    const outlets = await deps.catalog.listOutlets();
    const wanted = new Set(cluster.members.map((m) => m.outletId));
    const outletNames = Object.fromEntries(outlets.filter((o) => wanted.has(o.id)).map((o) => [o.id, o.name]));
    const body: ClusterResponse = { ...cluster, outletNames };
    return c.json(body, 200);
  });
}
