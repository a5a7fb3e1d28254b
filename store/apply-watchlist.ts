/**
 * Applies the watchlist file to the catalog at start-up. The file wins for every id it names; objects
 * created through the API and absent from the file are left alone (see README, "Watchlist").
 */
import type { Watchlist } from '../core/watchlist.ts';
import type { CatalogStore } from './catalog-store.ts';

export interface ApplyWatchlistResult {
  outlets: number;
  feedsAdded: number;
  actors: number;
  themes: number;
  alerts: number;
}

export async function applyWatchlist(catalog: CatalogStore, watchlist: Watchlist, now: Date): Promise<ApplyWatchlistResult> {
  const knownFeeds = new Set((await catalog.listFeeds()).map((f) => f.id));
  let feedsAdded = 0;
  for (const { outlet, feeds } of watchlist.outlets) {
    await catalog.upsertOutlet(outlet);
    for (const url of feeds) {
      const feed = await catalog.addFeed(url, outlet.id, now);
      if (!knownFeeds.has(feed.id)) {
        knownFeeds.add(feed.id);
        feedsAdded++;
      }
    }
  }
  for (const actor of watchlist.actors) await catalog.upsertActor(actor);
  for (const theme of watchlist.themes) await catalog.upsertTheme(theme);
  const existingAlerts = new Map((await catalog.listAlerts()).map((a) => [a.id, a]));
  for (const alert of watchlist.alerts) {
    // Keep the original creation time: alert history is reported relative to it.
    const createdAt = existingAlerts.get(alert.id)?.createdAt ?? now.toISOString();
    await catalog.upsertAlert({ ...alert, createdAt });
  }
  return {
    outlets: watchlist.outlets.length,
    feedsAdded,
    actors: watchlist.actors.length,
    themes: watchlist.themes.length,
    alerts: watchlist.alerts.length,
  };
}
