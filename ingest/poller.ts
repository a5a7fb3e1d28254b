/**
 * The poller: for each due feed, fetch → parse → normalize → enqueue, then record the outcome on the feed.
 * Every feed is isolated: its failure becomes a recorded error code and never stops the others.
 */
import type { Logger } from '../core/logger.ts';
import type { WorkQueue } from '../core/work-queue.ts';
import type { Feed } from '../core/types.ts';
import type { CatalogStore, FeedOutcome } from '../store/catalog-store.ts';
import { fetchFeed, type FetchOptions } from './fetch-feed.ts';
import { cleanTitle } from './html-to-text.ts';
import { normalizeFeedItems } from './normalize-item.ts';
import { FeedParseError, parseFeed } from './parse-feed.ts';
import { nextCheckAt, type ScheduleOutcome } from './schedule.ts';
import { createGuardedAgent } from './ssrf-guard.ts';

export interface PollerDeps {
  catalog: CatalogStore;
  queue: WorkQueue;
  logger: Logger;
  now: () => Date;
  /** Fetch settings; the poller supplies its own guarded dispatcher. */
  fetchOptions: Omit<FetchOptions, 'dispatcher'>;
  /** Normal polling interval. @defaultValue 15 */
  intervalMinutes?: number;
  /** Jitter source for the schedule. @defaultValue Math.random */
  random?: () => number;
  /** Feeds fetched at the same time. @defaultValue 4 */
  concurrency?: number;
}

/** What happened to one feed in one poll. */
export interface FeedPollResult {
  feedId: string;
  url: string;
  status: 'ok' | 'not_modified' | 'error';
  /** Stable code when status is 'error', e.g. "http_500", "timeout", "not_a_feed", "enqueue_failed". */
  errorCode?: string;
  /** Items in the document (0 for 304 and errors). */
  items: number;
  /** Articles handed to the queue (after dropping linkless and duplicate items). */
  enqueued: number;
}

export interface PollSummary {
  feeds: FeedPollResult[];
  totals: { feeds: number; ok: number; notModified: number; errors: number; items: number; enqueued: number };
}

export interface Poller {
  /** Polls the feeds whose nextCheckAt <= now. */
  pollDue(): Promise<PollSummary>;
  /** Polls every feed once, due or not (`ingest --once`). */
  pollAll(): Promise<PollSummary>;
  /** Polls due feeds until `signal` aborts, sleeping until the next feed is due (30 s at most). */
  runLoop(signal: AbortSignal): Promise<void>;
}

// Upper bound of feeds taken per pass; the loop comes back at once (MIN_SLEEP_MS) when more are due.
const DUE_BATCH = 1000;
const MAX_SLEEP_MS = 30_000;
// Keeps a loop whose outcomes cannot be recorded (broken catalog) from spinning.
const MIN_SLEEP_MS = 1_000;

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

function summarize(feeds: FeedPollResult[]): PollSummary {
  const totals = { feeds: feeds.length, ok: 0, notModified: 0, errors: 0, items: 0, enqueued: 0 };
  for (const f of feeds) {
    if (f.status === 'ok') totals.ok++;
    else if (f.status === 'not_modified') totals.notModified++;
    else totals.errors++;
    totals.items += f.items;
    totals.enqueued += f.enqueued;
  }
  return { feeds, totals };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Builds a poller over the catalog and queue ports. */
export function createPoller(deps: PollerDeps): Poller {
  const log = deps.logger.child({ component: 'poller' });
  const intervalMinutes = deps.intervalMinutes ?? 15;
  const random = deps.random ?? Math.random;
  const concurrency = deps.concurrency ?? 4;

  const schedule = (outcome: ScheduleOutcome, at: Date): Date =>
    nextCheckAt(outcome, at, { intervalMinutes, random });

  async function record(feed: Feed, outcome: FeedOutcome, result: FeedPollResult): Promise<FeedPollResult> {
    try {
      await deps.catalog.recordFeedOutcome(feed.id, outcome);
      return result;
    } catch (err) {
      log.error({ feedId: feed.id, feedUrl: feed.url, err }, 'feed outcome not recorded');
      return { ...result, status: 'error', errorCode: 'record_failed' };
    }
  }

  async function fail(feed: Feed, at: Date, code: string, message: string, transient: boolean, items = 0): Promise<FeedPollResult> {
    log.warn({ feedId: feed.id, feedUrl: feed.url, errorCode: code, transient, error: message }, 'feed poll failed');
    const outcome: FeedOutcome = {
      status: 'error',
      at,
      nextCheckAt: schedule({ status: 'error', transient, consecutiveFailures: feed.consecutiveFailures + 1 }, at),
      errorCode: code,
      errorMessage: message,
    };
    return record(feed, outcome, { feedId: feed.id, url: feed.url, status: 'error', errorCode: code, items, enqueued: 0 });
  }

  async function pollFeed(feed: Feed, dispatcher: FetchOptions['dispatcher']): Promise<FeedPollResult> {
    const at = deps.now();
    const fetched = await fetchFeed(
      feed.url,
      { etag: feed.etag, lastModified: feed.lastModified },
      { ...deps.fetchOptions, dispatcher },
    );
    if (fetched.kind === 'error') return fail(feed, at, fetched.code, fetched.message, fetched.transient);
    if (fetched.kind === 'not_modified') {
      log.debug({ feedId: feed.id, feedUrl: feed.url }, 'feed not modified');
      return record(
        feed,
        { status: 'not_modified', at, nextCheckAt: schedule({ status: 'not_modified' }, at) },
        { feedId: feed.id, url: feed.url, status: 'not_modified', items: 0, enqueued: 0 },
      );
    }

    let parsed;
    try {
      parsed = await parseFeed(fetched.body, fetched.contentType, fetched.finalUrl);
    } catch (err) {
      const code = err instanceof FeedParseError ? err.code : 'parse_error';
      return fail(feed, at, code, err instanceof Error ? err.message : String(err), false);
    }
    const { articles, skippedNoLink, duplicates } = normalizeFeedItems(parsed, {
      feedId: feed.id,
      outletId: feed.outletId,
      feedUrl: fetched.finalUrl,
      now: at,
    });
    try {
      await deps.queue.enqueue(articles);
    } catch (err) {
      // Validators are not saved, so the next poll fetches the full document again and nothing is lost.
      return fail(feed, at, 'enqueue_failed', `poller: enqueue failed: ${(err as Error).message}`, true, parsed.items.length);
    }
    log.info(
      { feedId: feed.id, feedUrl: feed.url, items: parsed.items.length, enqueued: articles.length, skippedNoLink, duplicates },
      'feed polled',
    );
    const title = parsed.title ? cleanTitle(parsed.title) : '';
    return record(
      feed,
      {
        status: 'ok',
        at,
        nextCheckAt: schedule({ status: 'ok' }, at),
        ...(title ? { title } : {}),
        etag: fetched.etag,
        lastModified: fetched.lastModified,
      },
      { feedId: feed.id, url: feed.url, status: 'ok', items: parsed.items.length, enqueued: articles.length },
    );
  }

  async function pollFeeds(feeds: Feed[]): Promise<PollSummary> {
    if (feeds.length === 0) return summarize([]);
    const dispatcher = createGuardedAgent({
      allowPrivate: deps.fetchOptions.allowPrivate,
      resolver: deps.fetchOptions.resolver,
      connectTimeoutMs: deps.fetchOptions.timeoutMs,
    });
    try {
      const results = await mapLimited(feeds, concurrency, async (feed) => {
        try {
          return await pollFeed(feed, dispatcher);
        } catch (err) {
          // A bug in one feed's path must not take the others down; it is recorded like any failure.
          log.error({ feedId: feed.id, feedUrl: feed.url, err }, 'feed poll crashed');
          return fail(feed, deps.now(), 'internal_error', `poller: ${(err as Error).message}`, true);
        }
      });
      const summary = summarize(results);
      log.info(summary.totals, 'poll finished');
      return summary;
    } finally {
      await dispatcher.destroy().catch(() => undefined);
    }
  }

  async function msUntilNextDue(): Promise<number> {
    const feeds = await deps.catalog.listFeeds();
    const nowMs = deps.now().getTime();
    let soonest = nowMs + MAX_SLEEP_MS;
    for (const f of feeds) {
      const t = Date.parse(f.nextCheckAt);
      if (Number.isFinite(t) && t < soonest) soonest = t;
    }
    return Math.min(MAX_SLEEP_MS, Math.max(MIN_SLEEP_MS, soonest - nowMs));
  }

  async function pollDue(): Promise<PollSummary> {
    return pollFeeds(await deps.catalog.dueFeeds(deps.now(), DUE_BATCH));
  }

  return {
    pollDue,
    async pollAll() {
      return pollFeeds(await deps.catalog.listFeeds());
    },
    async runLoop(signal) {
      log.info({ intervalMinutes, concurrency }, 'poll loop started');
      while (!signal.aborted) {
        let wait = MAX_SLEEP_MS;
        try {
          await pollDue();
          wait = await msUntilNextDue();
        } catch (err) {
          log.error({ err }, 'poll pass failed');
        }
        await sleep(wait, signal);
      }
      log.info('poll loop stopped');
    },
  };
}
