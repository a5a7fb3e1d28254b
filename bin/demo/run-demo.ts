/**
 * `narrative-monitor demo`: a working monitor offline in under a minute. Serves the demo feed bundle on
 * 127.0.0.1, points a fresh embedded deployment (DATA_DIR, default ./data/demo) at it with the default
 * watchlist's actors, themes and alerts, polls once, and keeps running like `start`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { parseWatchlist, type Watchlist } from '../../core/watchlist.ts';
import { applyWatchlist } from '../../store/apply-watchlist.ts';
import { createFeedPoller, openRuntime, REPO_ROOT, startApi, startWorker } from '../runtime.ts';
import { startDemoFeedServer, type DemoFeed } from './demo-feed-server.ts';

/** The default watchlist's actors, themes and alerts, with the demo's local outlets instead of real ones. */
export function demoWatchlist(feeds: readonly DemoFeed[]): Watchlist {
  const base = parseWatchlist(fs.readFileSync(path.join(REPO_ROOT, 'watchlist.yaml'), 'utf8'), 'watchlist.yaml');
  return {
    ...base,
    outlets: feeds.map((f) => ({
      outlet: {
        id: f.outlet.id,
        name: f.outlet.name,
        country: f.outlet.country,
        language: f.outlet.language,
        tags: f.outlet.tags,
      },
      feeds: [f.url],
    })),
  };
}

/** The dashboard link that opens on the demo's story. */
export const DEMO_VIEW =
  '/#/trends?q=theme%3Astaged-chemical-attack&q=actor%3Awhite-helmets&q=actor%3Aopcw&interval=week&from=2018-01-01&to=2018-05-31';

export interface DemoOptions {
  /** Stop after the first poll instead of running until interrupted (tests, benchmarks). */
  once?: boolean;
  /** Called when the dashboard has data, with its URL. */
  onReady?: (info: { url: string; articles: number; seconds: number }) => void;
}

export async function runDemo(env: Record<string, string | undefined>, logger: Logger, options: DemoOptions = {}): Promise<number> {
  const started = performance.now();
  const dataDir = path.resolve(env.DATA_DIR || path.join('data', 'demo'));
  // The demo always starts from an empty archive, so what it shows is what this run ingested.
  fs.rmSync(dataDir, { recursive: true, force: true });
  const config = loadConfig({ ...env, DATA_DIR: dataDir, ALLOW_PRIVATE_FEEDS: 'true', REDIS_URL: undefined });
  const feedServer = await startDemoFeedServer();
  const runtime = openRuntime(config, logger);
  try {
    await applyWatchlist(runtime.stores.catalog, demoWatchlist(feedServer.feeds), runtime.now());
    const worker = startWorker(runtime);
    const server = await startApi(runtime);
    const poller = createFeedPoller(runtime);
    const summary = await poller.pollAll();
    await runtime.queue.drained();
    const articles = await runtime.stores.articles.count();
    const seconds = (performance.now() - started) / 1000;
    const url = `${server.url}${DEMO_VIEW}`;
    process.stdout.write(
      `Demo ready in ${seconds.toFixed(1)} s: ${articles} articles from ${summary.totals.ok} of ${summary.totals.feeds} feeds.\n` +
        (feedServer.seedIncluded ? '' : 'Note: ../shared/fixtures/seed not found, so the seed article is not included.\n') +
        `Open ${url}\n`,
    );
    options.onReady?.({ url, articles, seconds });
    if (!options.once) {
      const abort = new AbortController();
      const loop = poller.runLoop(abort.signal);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      abort.abort();
      await loop;
    }
    await server.close();
    await worker.stop();
    return 0;
  } finally {
    await runtime.close();
    await feedServer.close();
  }
}
