/** GET/POST /api/actors: the watchlist's actors; POST upserts by id (default: slug of the name). */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { slugify } from '../../../core/ids.ts';
import type { Actor } from '../../../core/types.ts';
import { notifyWatchlistChanged, type ApiDeps } from '../deps.ts';
import { zodHook } from '../errors.ts';
import { ActorBodySchema, type ActorsResponse } from '../schemas.ts';

export function actorRoutes(deps: ApiDeps) {
  return new Hono()
    .get('/', async (c) => {
      const body: ActorsResponse = { actors: await deps.catalog.listActors() };
      return c.json(body, 200);
    })
    .post('/', zValidator('json', ActorBodySchema, zodHook), async (c) => {
      const input = c.req.valid('json');
      const id = input.id ?? slugify(input.name);
      const existed = (await deps.catalog.listActors()).some((a) => a.id === id);
      const actor: Actor = { id, name: input.name.trim(), type: input.type, aliases: [...new Set(input.aliases.map((a) => a.trim()))] };
      await deps.catalog.upsertActor(actor);
      notifyWatchlistChanged(deps);
      return c.json(actor, existed ? 200 : 201);
    });
}
