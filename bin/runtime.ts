/**
 * Composition root: builds the stores, the queue, the pipeline stages and the API from one parsed Config.
 * Every CLI command assembles the parts it needs from here; no other module chooses an adapter.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLoopbackHost, type Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { parseWatchlist } from '../core/watchlist.ts';
import type { WorkQueue } from '../core/work-queue.ts';
import { createApp } from '../dashboard/api/app.ts';
import { startServer, type RunningServer } from '../dashboard/server.ts';
import { createPoller, type Poller } from '../ingest/poller.ts';
import {
  checkResolved,
  checkUrl,
  createGuardedAgent,
  systemResolver,
  type ResolvedAddress,
  type Resolver,
} from '../ingest/ssrf-guard.ts';
import { applyWatchlist, type ApplyWatchlistResult } from '../store/apply-watchlist.ts';
import { createStores, type Stores } from '../store/create-store.ts';
import { createUndiciPost, createWebhookDeliverer } from '../worker/alerts/deliver-webhooks.ts';
import { createArticleProcessor } from '../worker/processors/process-articles.ts';
import { createWorkQueue } from '../worker/queue/create-queue.ts';
import { createRetagger } from '../worker/retag/retagger.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const UI_DIR = path.join(REPO_ROOT, 'dist/ui');

export interface Runtime {
  config: Config;
  logger: Logger;
  stores: Stores;
  queue: WorkQueue;
  now: () => Date;
  close(): Promise<void>;
}

/** Opens the stores and the queue. */
export function openRuntime(config: Config, logger: Logger): Runtime {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const stores = createStores(config, { logger });
  const queue = createWorkQueue(config, logger);
  let closed = false;
  return {
    config,
    logger,
    stores,
    queue,
    now: () => new Date(),
    async close() {
      if (closed) return;
      closed = true;
      await queue.close();
      await stores.close();
    },
  };
}

/** Reads the watchlist file (if it exists) and applies it to the catalog: the file wins for the ids it names. */
export async function applyWatchlistFile(runtime: Runtime, file = runtime.config.watchlistPath): Promise<ApplyWatchlistResult | null> {
  if (!fs.existsSync(file)) {
    runtime.logger.warn({ file }, 'watchlist file not found; using the objects already in the database');
    return null;
  }
  const watchlist = parseWatchlist(fs.readFileSync(file, 'utf8'), path.basename(file));
  const result = await applyWatchlist(runtime.stores.catalog, watchlist, runtime.now());
  runtime.logger.info({ file, ...result }, 'watchlist applied');
  return result;
}

/**
 * Decides whether a user-supplied feed or webhook URL may be fetched: scheme and literal address first,
 * then every address its name resolves to, under ALLOW_PRIVATE_FEEDS and FEED_ALLOWLIST. Returns null when
 * allowed, else a reason naming the variable that would allow it. The fetcher checks again at connect
 * time, so DNS changes after this check are still caught.
 */
export function createUrlChecker(config: Config, resolver: Resolver = systemResolver): (url: string) => Promise<string | null> {
  const policy = { allowPrivate: config.allowPrivateFeeds, allowlist: config.feedAllowlist };
  return async (url) => {
    const decision = checkUrl(url, policy);
    if (!decision.allowed) return decision.reason;
    const host = decision.url.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(host)) return null;
    let addresses: ResolvedAddress[];
    try {
      addresses = await resolver(host);
    } catch {
      // An unresolvable name is not a security problem; the feed's health will show the DNS error.
      return null;
    }
    return checkResolved(host, addresses, policy);
  };
}

export function createFeedPoller(runtime: Runtime): Poller {
  const { config } = runtime;
  return createPoller({
    catalog: runtime.stores.catalog,
    queue: runtime.queue,
    logger: runtime.logger,
    now: runtime.now,
    intervalMinutes: config.pollIntervalMinutes,
    concurrency: config.polling.concurrency,
    perHostConcurrency: config.polling.hostConcurrency,
    minHostGapMs: config.polling.hostGapMs,
    // Full-text outlets fetch article pages only for ids the archive does not have yet.
    knownIds: (ids) => runtime.stores.articles.existingIds(ids),
    fetchOptions: {
      timeoutMs: config.fetch.timeoutMs,
      connectTimeoutMs: config.fetch.connectTimeoutMs,
      headersTimeoutMs: config.fetch.headersTimeoutMs,
      maxBytes: config.fetch.maxBytes,
      userAgent: config.fetch.userAgent,
      allowPrivate: config.allowPrivateFeeds,
      allowlist: config.feedAllowlist,
    },
  });
}

const WEBHOOK_TIMEOUT_MS = 10_000;
/** How often due webhook deliveries (new events and retries) are sent. */
const WEBHOOK_PASS_MS = 5_000;

export interface RunningWorker {
  stop(): Promise<void>;
}

/** Consumes the queue (enrich → store → alert events) and delivers alert webhooks in the background. */
export function startWorker(runtime: Runtime): RunningWorker {
  const processor = createArticleProcessor({
    store: runtime.stores.articles,
    catalog: runtime.stores.catalog,
    logger: runtime.logger,
    now: runtime.now,
    termStats: runtime.stores.termStats,
  });
  runtime.queue.consume(async (batch) => {
    await processor(batch);
  });
  // Webhook URLs come from users, so deliveries go through the same SSRF guard as feed fetches.
  const webhookAgent = createGuardedAgent({
    allowPrivate: runtime.config.allowPrivateFeeds,
    allowlist: runtime.config.feedAllowlist,
  });
  const deliverer = createWebhookDeliverer({
    store: runtime.stores.articles,
    catalog: runtime.stores.catalog,
    logger: runtime.logger,
    now: runtime.now,
    post: createUndiciPost(WEBHOOK_TIMEOUT_MS, runtime.config.fetch.userAgent, webhookAgent),
  });
  // Theme re-tag jobs run where articles are processed; the job lease keeps several workers from doubling up.
  const retagger = createRetagger({
    articles: runtime.stores.articles,
    catalog: runtime.stores.catalog,
    logger: runtime.logger,
    now: runtime.now,
  });
  retagger.start();
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (stopped) return;
    current = deliverer.deliverDue().catch((err: unknown) => runtime.logger.error({ err }, 'webhook delivery pass failed'));
  }, WEBHOOK_PASS_MS);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await retagger.stop();
      await current;
      await webhookAgent.close();
    },
  };
}

/**
 * Serves the API and the built dashboard. Watchlist edits made through the API reach the worker without a
 * signal: the processor fingerprints the catalog's actors, themes and alerts on every batch.
 */
export async function startApi(runtime: Runtime): Promise<RunningServer> {
  const { config } = runtime;
  const app = createApp({
    articles: runtime.stores.articles,
    catalog: runtime.stores.catalog,
    queueKind: runtime.queue.kind,
    logger: runtime.logger,
    now: runtime.now,
    ...(config.apiToken ? { apiToken: config.apiToken } : {}),
    requireToken: !isLoopbackHost(config.host),
    checkFeedUrl: createUrlChecker(config),
  });
  return startServer({ app, host: config.host, port: config.port, uiDir: UI_DIR, logger: runtime.logger });
}
