/**
 * The poller: for each due feed, fetch → parse → normalize → (full text) → enqueue, then record the outcome
 * and the next check on the feed. Every feed is isolated: its failure becomes a recorded error code and never
 * stops the others. Politeness (global and per-host limits, a gap per host, jitter) lives here.
 */
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { Logger } from '../core/logger.ts';
import type { WorkQueue } from '../core/work-queue.ts';
import type { Feed, Outlet, RawArticle } from '../core/types.ts';
import type { CatalogStore, FeedOutcome } from '../store/catalog-store.ts';
import { createFetchDispatcher, fetchFeed, type FetchOptions, type FetchResult } from './fetch-feed.ts';
import { addFullText } from './full-text.ts';
import { createHostLimiter, hostKey, type HostLimiter } from './host-limiter.ts';
import { cleanTitle } from './html-to-text.ts';
import { normalizeFeedItems, type NormalizeResult } from './normalize-item.ts';
import { FeedParseError, parseFeed, type ParsedFeed } from './parse-feed.ts';
import { errorKind, needsUnconditionalFetch, planNextCheck, type ScheduleOutcome } from './schedule.ts';
import { mapLimited } from './map-limited.ts';

export interface PollerDeps {
  catalog: CatalogStore;
  queue: WorkQueue;
  logger: Logger;
  now: () => Date;
  /** Fetch settings; the poller supplies its own guarded dispatcher (one per poll run, kept alive). */
  fetchOptions: Omit<FetchOptions, 'dispatcher'>;
  /** Interval of a feed whose posting rate is unknown. @defaultValue 15 */
  intervalMinutes?: number;
  /** Clamp of the adaptive interval. @defaultValue min(5, intervalMinutes) */
  minIntervalMinutes?: number;
  /** Clamp of the adaptive interval. @defaultValue 1440 */
  maxIntervalMinutes?: number;
  /** Jitter source for the schedule. @defaultValue Math.random */
  random?: () => number;
  /** Feeds fetched at the same time, all hosts together. @defaultValue 8 */
  concurrency?: number;
  /** Requests in flight to one host (feeds and article pages). @defaultValue 2 */
  perHostConcurrency?: number;
  /** Least time between the starts of two requests to one host. @defaultValue 1000 */
  minHostGapMs?: number;
  /** Hosts exempt from the per-host limits. @defaultValue loopback literals (see isLoopbackHostKey) */
  politenessExempt?: (host: string) => boolean;
  /**
   * Feeds whose last attempt ended `too_large` (a bomb, an endless body) fetched at the same time. Each may
   * buffer up to maxBytes, so this bounds what known offenders can hold in memory together. @defaultValue 1
   */
  oversizedConcurrency?: number;
  /**
   * Which article ids are already stored. Full-text outlets fetch pages only for the others; without it,
   * every item's page is fetched.
   */
  knownIds?: (ids: readonly string[]) => Promise<Set<string>>;
  /** Article pages of one feed fetched at the same time (the per-host limits still apply). @defaultValue 2 */
  fullTextConcurrency?: number;
}

/** What happened to one feed in one poll. */
export interface FeedPollResult {
  feedId: string;
  url: string;
  /** 'gone' = HTTP 410: recorded, counted among errors, and no longer due. */
  status: 'ok' | 'not_modified' | 'error' | 'gone';
  /** Stable code when status is 'error' or 'gone', e.g. "http_500", "timeout", "not_a_feed", "enqueue_failed". */
  errorCode?: string;
  /** Items in the document (0 for 304, unchanged bodies and fetch errors). */
  items: number;
  /** Articles handed to the queue (after dropping linkless and duplicate items). */
  enqueued: number;
  /** Full-text outlets only: pages whose text was extracted, and pages that failed (summary kept). */
  fullText?: { fetched: number; failed: number };
}

export interface PollSummary {
  feeds: FeedPollResult[];
  totals: { feeds: number; ok: number; notModified: number; errors: number; gone: number; items: number; enqueued: number };
}

export interface PollAllOptions {
  /** Also re-check feeds marked gone (HTTP 410); a 200 brings one back. @defaultValue false */
  includeGone?: boolean;
}

export interface Poller {
  /** Polls the feeds whose nextCheckAt <= now (never gone ones). */
  pollDue(): Promise<PollSummary>;
  /** Polls every feed once, due or not (`ingest --once`); gone feeds only with `includeGone`. */
  pollAll(options?: PollAllOptions): Promise<PollSummary>;
  /** Polls due feeds until `signal` aborts, sleeping until the next feed is due (30 s at most). */
  runLoop(signal: AbortSignal): Promise<void>;
}

// Upper bound of feeds taken per pass; the loop comes back at once (MIN_SLEEP_MS) when more are due.
const DUE_BATCH = 1000;
const MAX_SLEEP_MS = 30_000;
// Keeps a loop whose outcomes cannot be recorded (broken catalog) from spinning.
const MIN_SLEEP_MS = 1_000;

/** A counting semaphore. */
function createGate(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiters: Array<() => void> = [];
  return async (fn) => {
    if (active >= limit) await new Promise<void>((resolve) => waiters.push(resolve));
    else active++;
    try {
      return await fn();
    } finally {
      const next = waiters.shift();
      if (next) next();
      else active--;
    }
  };
}

/**
 * Orders feeds so that consecutive ones are on different hosts (round robin over hosts, each host's feeds in
 * their original order): a global slot waiting for one host's gap then rarely blocks feeds of other hosts.
 */
export function interleaveByHost(feeds: readonly Feed[]): Feed[] {
  const byHost = new Map<string, Feed[]>();
  for (const f of feeds) {
    const key = hostKey(f.url);
    const list = byHost.get(key);
    if (list) list.push(f);
    else byHost.set(key, [f]);
  }
  const lists = [...byHost.values()];
  const out: Feed[] = [];
  for (let round = 0; out.length < feeds.length; round++) {
    for (const list of lists) if (round < list.length) out.push(list[round]!);
  }
  return out;
}

function summarize(feeds: FeedPollResult[]): PollSummary {
  const totals = { feeds: feeds.length, ok: 0, notModified: 0, errors: 0, gone: 0, items: 0, enqueued: 0 };
  for (const f of feeds) {
    if (f.status === 'ok') totals.ok++;
    else if (f.status === 'not_modified') totals.notModified++;
    else {
      totals.errors++;
      if (f.status === 'gone') totals.gone++;
    }
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

const DATE_FLAG_WORDS: Record<string, string> = {
  unparseable: 'unparseable',
  future: 'in the future (ignored)',
  too_old: 'before 1970 (ignored)',
};

/** The health notes of one parsed document: parser repairs, date flags, linkless items, full-text failures. */
export function describeProblems(
  parsed: Pick<ParsedFeed, 'problems'>,
  normalized: Pick<NormalizeResult, 'dateFlags' | 'skippedNoLink'>,
  fullText?: { attempted: number; failures: Record<string, number> },
): string[] {
  const notes = [...new Set(parsed.problems ?? [])];
  const flags = new Map<string, number>();
  for (const f of normalized.dateFlags) flags.set(f.flag, (flags.get(f.flag) ?? 0) + 1);
  for (const [flag, n] of flags) notes.push(`${n} date${n === 1 ? '' : 's'} ${DATE_FLAG_WORDS[flag] ?? flag}`);
  if (normalized.skippedNoLink > 0) notes.push(`${normalized.skippedNoLink} item${normalized.skippedNoLink === 1 ? '' : 's'} without a usable link`);
  if (fullText) {
    const failed = Object.values(fullText.failures).reduce((a, b) => a + b, 0);
    if (failed > 0) {
      const codes = Object.entries(fullText.failures).map(([code, n]) => `${code} ×${n}`).join(', ');
      notes.push(`full text: ${failed} of ${fullText.attempted} pages failed (${codes}); summary kept`);
    }
  }
  return notes;
}

/** Builds a poller over the catalog and queue ports. */
export function createPoller(deps: PollerDeps): Poller {
  const log = deps.logger.child({ component: 'poller' });
  const intervalMinutes = deps.intervalMinutes ?? 15;
  const random = deps.random ?? Math.random;
  const concurrency = deps.concurrency ?? 8;
  const perHost = deps.perHostConcurrency ?? 2;
  // One limiter for the poller's life: the gap holds across consecutive passes of runLoop too.
  const limiter: HostLimiter = createHostLimiter({
    perHost,
    minGapMs: deps.minHostGapMs ?? 1000,
    ...(deps.politenessExempt ? { exempt: deps.politenessExempt } : {}),
  });
  const oversizedGate = createGate(Math.max(1, deps.oversizedConcurrency ?? 1));
  const policy = {
    intervalMinutes,
    random,
    ...(deps.minIntervalMinutes !== undefined ? { minIntervalMinutes: deps.minIntervalMinutes } : {}),
    ...(deps.maxIntervalMinutes !== undefined ? { maxIntervalMinutes: deps.maxIntervalMinutes } : {}),
  };

  const plan = (feed: Feed, outcome: ScheduleOutcome, at: Date) =>
    planNextCheck(outcome, { intervalMinutes: feed.intervalMinutes }, at, policy);

  async function record(feed: Feed, outcome: FeedOutcome, result: FeedPollResult): Promise<FeedPollResult> {
    try {
      await deps.catalog.recordFeedOutcome(feed.id, outcome);
      return result;
    } catch (err) {
      log.error({ feedId: feed.id, feedUrl: feed.url, err }, 'feed outcome not recorded');
      return { ...result, status: 'error', errorCode: 'record_failed' };
    }
  }

  interface Failure {
    code: string;
    message: string;
    transient: boolean;
    httpStatus: number | null;
    retryAfterSeconds?: number;
    items?: number;
  }

  async function fail(feed: Feed, at: Date, f: Failure): Promise<FeedPollResult> {
    log.warn(
      { feedId: feed.id, feedUrl: feed.url, errorCode: f.code, transient: f.transient, httpStatus: f.httpStatus, error: f.message },
      'feed poll failed',
    );
    const next = plan(
      feed,
      { status: 'error', kind: errorKind(f.code, f.transient), consecutiveFailures: feed.consecutiveFailures + 1, retryAfterSeconds: f.retryAfterSeconds ?? null },
      at,
    );
    const outcome: FeedOutcome = {
      status: 'error',
      at,
      nextCheckAt: next.nextCheckAt,
      errorCode: f.code,
      errorMessage: f.message,
      httpStatus: f.httpStatus,
    };
    return record(feed, outcome, { feedId: feed.id, url: feed.url, status: 'error', errorCode: f.code, items: f.items ?? 0, enqueued: 0 });
  }

  async function gone(feed: Feed, at: Date, message: string): Promise<FeedPollResult> {
    log.warn({ feedId: feed.id, feedUrl: feed.url }, 'feed gone');
    const outcome: FeedOutcome = {
      status: 'gone',
      at,
      nextCheckAt: plan(feed, { status: 'gone' }, at).nextCheckAt,
      errorCode: 'http_410',
      errorMessage: message,
      httpStatus: 410,
    };
    return record(feed, outcome, { feedId: feed.id, url: feed.url, status: 'gone', errorCode: 'http_410', items: 0, enqueued: 0 });
  }

  async function fetchPolitely(feed: Feed, at: Date, dispatcher: Dispatcher): Promise<FetchResult> {
    // A feed with its last full response over 12 h ago is fetched without validators: some servers answer
    // 304 forever although the feed changed.
    const validators = needsUnconditionalFetch(feed.lastFullFetchAt, at) ? {} : { etag: feed.etag, lastModified: feed.lastModified };
    const go = () => limiter.run(hostKey(feed.url), () => fetchFeed(feed.url, validators, { ...deps.fetchOptions, dispatcher }));
    return feed.lastErrorCode === 'too_large' ? oversizedGate(go) : go();
  }

  async function pollFeed(feed: Feed, outlet: Outlet | undefined, dispatcher: Dispatcher): Promise<FeedPollResult> {
    const at = deps.now();
    const fetched = await fetchPolitely(feed, at, dispatcher);
    if (fetched.kind === 'error') {
      if (fetched.code === 'http_410') return gone(feed, at, fetched.message);
      return fail(feed, at, {
        code: fetched.code,
        message: fetched.message,
        transient: fetched.transient,
        httpStatus: fetched.status ?? null,
        ...(fetched.retryAfterSeconds !== undefined ? { retryAfterSeconds: fetched.retryAfterSeconds } : {}),
      });
    }
    const moved = fetched.permanentRedirect !== undefined ? { newUrl: fetched.permanentRedirect } : {};
    if (fetched.permanentRedirect) log.info({ feedId: feed.id, from: feed.url, to: fetched.permanentRedirect }, 'feed moved permanently');
    if (fetched.kind === 'not_modified') {
      log.debug({ feedId: feed.id, feedUrl: feed.url }, 'feed not modified');
      const next = plan(feed, { status: 'not_modified', freshnessSeconds: fetched.freshnessSeconds ?? null }, at);
      return record(
        feed,
        { status: 'not_modified', at, nextCheckAt: next.nextCheckAt, intervalMinutes: next.intervalMinutes, httpStatus: 304, ...moved },
        { feedId: feed.id, url: feed.url, status: 'not_modified', items: 0, enqueued: 0 },
      );
    }

    const bodyHash = createHash('sha256').update(fetched.body).digest('hex');
    if (bodyHash === feed.bodyHash) {
      // Same bytes as the last committed body: nothing new to parse or enqueue. The validators describe these
      // bytes, so saving them is safe.
      const next = plan(feed, { status: 'not_modified', freshnessSeconds: fetched.freshnessSeconds ?? null }, at);
      return record(
        feed,
        {
          status: 'not_modified', at, nextCheckAt: next.nextCheckAt, intervalMinutes: next.intervalMinutes,
          httpStatus: fetched.status, etag: fetched.etag, lastModified: fetched.lastModified, fullFetch: true, ...moved,
        },
        { feedId: feed.id, url: feed.url, status: 'not_modified', items: 0, enqueued: 0 },
      );
    }

    let parsed: ParsedFeed;
    try {
      parsed = await parseFeed(fetched.body, fetched.contentType, fetched.finalUrl, {
        contentLocation: fetched.contentLocation ?? null,
        contentLanguage: fetched.contentLanguage ?? null,
      });
    } catch (err) {
      const code = err instanceof FeedParseError ? err.code : 'parse_error';
      return fail(feed, at, { code, message: err instanceof Error ? err.message : String(err), transient: false, httpStatus: fetched.status });
    }
    const normalized = normalizeFeedItems(parsed, { feedId: feed.id, outletId: feed.outletId, feedUrl: fetched.finalUrl, now: at });
    let articles: RawArticle[] = normalized.articles;
    let fullText: { attempted: number; failures: Record<string, number>; fetched: number } | undefined;
    if (outlet?.fullText && articles.length > 0) {
      const known = deps.knownIds ? await deps.knownIds(articles.map((a) => a.id)) : new Set<string>();
      const result = await addFullText(articles, known, {
        fetchOptions: { ...deps.fetchOptions, dispatcher },
        limiter,
        concurrency: deps.fullTextConcurrency ?? 2,
      });
      articles = result.articles;
      fullText = { attempted: articles.length - known.size, failures: result.failures, fetched: result.fetched };
    }
    try {
      await deps.queue.enqueue(articles);
    } catch (err) {
      // Validators and the body hash are not saved, so the next poll fetches and enqueues everything again.
      return fail(feed, at, {
        code: 'enqueue_failed',
        message: `poller: enqueue failed: ${(err as Error).message}`,
        transient: true,
        httpStatus: fetched.status,
        items: parsed.items.length,
      });
    }
    log.info(
      {
        feedId: feed.id, feedUrl: feed.url, items: parsed.items.length, enqueued: articles.length,
        skippedNoLink: normalized.skippedNoLink, duplicates: normalized.duplicates,
        ...(fullText ? { fullTextFetched: fullText.fetched, fullTextFailed: fullText.attempted - fullText.fetched } : {}),
      },
      'feed polled',
    );
    const title = parsed.title ? cleanTitle(parsed.title) : '';
    const next = plan(
      feed,
      {
        status: 'ok',
        itemDates: parsed.items.map((i) => i.published),
        ttlMinutes: parsed.ttl ?? null,
        freshnessSeconds: fetched.freshnessSeconds ?? null,
      },
      at,
    );
    return record(
      feed,
      {
        status: 'ok',
        at,
        nextCheckAt: next.nextCheckAt,
        intervalMinutes: next.intervalMinutes,
        httpStatus: fetched.status,
        ...(title ? { title } : {}),
        // Saved only now, after the queue accepted the items (both queues are durable once enqueue resolves).
        etag: fetched.etag,
        lastModified: fetched.lastModified,
        bodyHash,
        fullFetch: true,
        problems: describeProblems(parsed, normalized, fullText),
        ...moved,
      },
      {
        feedId: feed.id,
        url: feed.url,
        status: 'ok',
        items: parsed.items.length,
        enqueued: articles.length,
        ...(fullText ? { fullText: { fetched: fullText.fetched, failed: fullText.attempted - fullText.fetched } } : {}),
      },
    );
  }

  async function pollFeeds(feeds: Feed[]): Promise<PollSummary> {
    if (feeds.length === 0) return summarize([]);
    const outlets = new Map((await deps.catalog.listOutlets()).map((o) => [o.id, o]));
    // One keep-alive agent per run. The limiter keeps a remote host at perHost requests; the socket cap only
    // bounds exempt (loopback) origins, which may take every global slot.
    const dispatcher = createFetchDispatcher(deps.fetchOptions, { connections: Math.max(perHost, concurrency) });
    try {
      const ordered = interleaveByHost(feeds);
      const results = await mapLimited(ordered, concurrency, async (feed) => {
        try {
          return await pollFeed(feed, outlets.get(feed.outletId), dispatcher);
        } catch (err) {
          // A bug in one feed's path must not take the others down; it is recorded like any failure.
          log.error({ feedId: feed.id, feedUrl: feed.url, err }, 'feed poll crashed');
          return fail(feed, deps.now(), { code: 'internal_error', message: `poller: ${(err as Error).message}`, transient: true, httpStatus: null });
        }
      });
      // Results in the caller's order, not the host-interleaved one.
      const byId = new Map(results.map((r) => [r.feedId, r]));
      const summary = summarize(feeds.map((f) => byId.get(f.id)!));
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
      if (f.lastStatus === 'gone') continue;
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
    async pollAll(options = {}) {
      const feeds = await deps.catalog.listFeeds();
      return pollFeeds(options.includeGone ? feeds : feeds.filter((f) => f.lastStatus !== 'gone'));
    },
    async runLoop(signal) {
      log.info({ intervalMinutes, concurrency, perHost }, 'poll loop started');
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
