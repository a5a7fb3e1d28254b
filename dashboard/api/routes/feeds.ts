/**
 * Feeds and outlets: GET /api/feeds lists every feed with its health (`?status=` keeps one state), POST
 * /api/feeds adds one (after the URL policy check), GET /api/outlets lists outlets. A feed names its outlet
 * by id or name; an unknown name creates the outlet.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { ValidationError } from '../../../core/errors.ts';
import { feedId, slugify } from '../../../core/ids.ts';
import { FeedStatusSchema, type Outlet } from '../../../core/types.ts';
import type { CatalogStore } from '../../../store/catalog-store.ts';
import type { ApiDeps } from '../deps.ts';
import { zodHook } from '../errors.ts';
import { AddFeedBodySchema, FeedsQuerySchema, type FeedCounts, type FeedsResponse, type FeedView, type OutletsResponse } from '../schemas.ts';

/** Finds the outlet a user meant (id, then name, then the slug of the name) or creates it from the name. */
async function findOrCreateOutlet(catalog: CatalogStore, given: string): Promise<Outlet> {
  const wanted = given.trim();
  const lower = wanted.toLowerCase();
  const outlets = await catalog.listOutlets();
  const found =
    outlets.find((o) => o.id === lower) ??
    outlets.find((o) => o.name.toLowerCase() === lower) ??
    outlets.find((o) => o.id === slugify(wanted));
  if (found) return found;
  const outlet: Outlet = { id: slugify(wanted), name: wanted, tags: [] };
  await catalog.upsertOutlet(outlet);
  return outlet;
}

export function feedRoutes(deps: ApiDeps) {
  const log = deps.logger.child({ component: 'api' });
  return new Hono()
    .get('/feeds', zValidator('query', FeedsQuerySchema, zodHook), async (c) => {
      const { status } = c.req.valid('query');
      const [feeds, outlets, counts] = await Promise.all([
        deps.catalog.listFeeds(),
        deps.catalog.listOutlets(),
        deps.articles.articleCountsByFeed(),
      ]);
      const names = new Map(outlets.map((o) => [o.id, o.name]));
      const tally = Object.fromEntries(FeedStatusSchema.options.map((s) => [s, 0])) as Record<FeedView['lastStatus'], number>;
      for (const f of feeds) tally[f.lastStatus] += 1;
      const body: FeedsResponse = {
        // The article store is authoritative for counts: with Elasticsearch the catalog cannot see articles.
        feeds: feeds
          .filter((f) => status === undefined || f.lastStatus === status)
          .map((f) => ({ ...f, articleCount: counts.get(f.id) ?? f.articleCount, outletName: names.get(f.outletId) ?? f.outletId })),
        counts: { ...tally, total: feeds.length } satisfies FeedCounts,
      };
      return c.json(body, 200);
    })
    .post('/feeds', zValidator('json', AddFeedBodySchema, zodHook), async (c) => {
      const { url, outlet: outletName } = c.req.valid('json');
      const refusal = await deps.checkFeedUrl(url);
      if (refusal !== null) {
        throw new ValidationError('url_refused', `url: ${refusal}`, { details: { param: 'url' } });
      }
      const existed = (await deps.catalog.getFeed(feedId(url))) !== null;
      const outlet = await findOrCreateOutlet(deps.catalog, outletName);
      const feed = await deps.catalog.addFeed(url, outlet.id, deps.now());
      if (!existed) log.info({ feedId: feed.id, feedUrl: feed.url, outletId: outlet.id }, 'feed added');
      const outletNameOfFeed = feed.outletId === outlet.id ? outlet.name : ((await deps.catalog.getOutlet(feed.outletId))?.name ?? feed.outletId);
      const body: FeedView = { ...feed, outletName: outletNameOfFeed };
      // Adding a known URL is not an error: the stored feed comes back with 200 instead of 201.
      return c.json(body, existed ? 200 : 201);
    })
    .get('/outlets', async (c) => {
      const body: OutletsResponse = { outlets: await deps.catalog.listOutlets() };
      return c.json(body, 200);
    });
}
