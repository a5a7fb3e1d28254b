/**
 * The background theme re-tagger: when a theme is added or its query changes, walks every stored article and
 * adds or removes that theme's tag, with the same in-memory matcher that tags new articles at index time.
 *
 * Job state lives in the catalog (retag_jobs, one row per theme). A job is leased to one process at a time
 * (claimed in BEGIN IMMEDIATE, renewed by every progress write), pages are written one transaction each and are
 * idempotent, and the cursor after each committed page is stored: a crash loses at most one page of work, and
 * whoever claims the job after the lease runs out resumes from the cursor. Runs in the worker process.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { TransientError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { compilePreparedMatcher, prepareArticle, type PreparedArticle } from '../../core/query/match.ts';
import { parseQuery } from '../../core/query/parse.ts';
import type { ArticleStore, ScannedArticle } from '../../store/article-store.ts';
import type { CatalogStore, RetagJob } from '../../store/catalog-store.ts';
import { createWatchlistResolver } from '../enrich/themes.ts';

export interface RetaggerOptions {
  articles: ArticleStore;
  catalog: CatalogStore;
  logger: Logger;
  now: () => Date;
  /** Identifies this process in job leases. @defaultValue host:pid:random */
  owner?: string;
  /** Articles per page (one store transaction each). @defaultValue 500 */
  pageSize?: number;
  /**
   * A running job whose progress was last written longer ago than this is taken over. Pages take well under
   * a second, so a live runner renews its lease many times within it. @defaultValue 30000
   */
  leaseMs?: number;
  /** How often the background loop looks for changed themes and claimable jobs. @defaultValue 1000 */
  pollMs?: number;
  /**
   * After a job ends, articles stored during this long are still checked. A pipeline batch enriched with the
   * watchlist from before the edit can commit after the walk passed the end; this catches it. One batch is
   * enriched in a few seconds. @defaultValue 30000
   */
  tailMs?: number;
}

export interface Retagger {
  /** Requests a job for every theme that has none or whose last job applied another query. Returns their ids. */
  reconcile(): Promise<string[]>;
  /** Reconciles, then runs claimable jobs until none is left. Returns the jobs this call ran to their end. */
  runPending(): Promise<RetagJob[]>;
  /** Starts the background loop (idempotent). */
  start(): void;
  /** Stops the loop after the current page; an unfinished job keeps its cursor and is resumed later. */
  stop(): Promise<void>;
}

/** Fields of a scanned article a theme query sees: `theme:` sees nothing, exactly as during enrichment. */
export function prepareScanned(article: ScannedArticle): PreparedArticle {
  return prepareArticle({ ...article, themes: [] });
}

/** A finished job still watching newly stored articles. */
interface TailTheme {
  generation: number;
  match: (a: PreparedArticle) => boolean;
  until: number;
}

/**
 * One follower shared by every tailing theme, so each late article is tokenized once. A theme joining later keeps
 * the shared cursor, which is never past its own end (it was the end of the archive at an earlier pass), so at
 * worst it re-checks a few articles — harmless, pages are idempotent.
 */
interface Tail {
  cursor: string | null;
  themes: Map<string, TailTheme>;
}

/** Builds the re-tagger. Nothing runs until `start()` or `runPending()`. */
export function createRetagger(options: RetaggerOptions): Retagger {
  const { articles, catalog, now } = options;
  const log = options.logger.child({ component: 'retag' });
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pageSize = options.pageSize ?? 500;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 1000;
  const tailMs = options.tailMs ?? 30_000;
  let tail: Tail | null = null;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();

  const compile = async (query: string): Promise<(a: PreparedArticle) => boolean> => {
    const [actors, themes, outlets] = await Promise.all([catalog.listActors(), catalog.listThemes(), catalog.listOutlets()]);
    return compilePreparedMatcher(parseQuery(query, createWatchlistResolver({ actors, themes, outlets })));
  };

  const changesOf = (themeId: string, page: readonly ScannedArticle[], match: (a: PreparedArticle) => boolean) => {
    const add: string[] = [];
    const remove: string[] = [];
    for (const a of page) {
      const matches = match(prepareScanned(a));
      const tagged = a.themes.includes(themeId);
      if (matches && !tagged) add.push(a.id);
      else if (!matches && tagged) remove.push(a.id);
    }
    return { add, remove };
  };

  /** Still this generation? Checked before each write, so a superseded runner stops before touching tags. */
  const isCurrent = async (themeId: string, generation: number): Promise<boolean> =>
    (await catalog.getRetagJob(themeId))?.generation === generation;

  const runJob = async (job: RetagJob): Promise<RetagJob | null> => {
    const { themeId, generation } = job;
    let match: (a: PreparedArticle) => boolean;
    try {
      match = await compile(job.query);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      log.warn({ themeId, generation, err }, 're-tag query does not compile');
      await catalog.finishRetagJob(themeId, generation, owner, { status: 'failed', error }, now());
      return null;
    }
    const resumed = job.cursor !== null;
    let { cursor, done, added, removed, total } = job;
    if (!resumed) total = await articles.count();
    log.info({ themeId, generation, resumed, done, total }, 're-tag started');
    for (;;) {
      if (stopping) return null;
      const page = await articles.scanArticles(cursor, pageSize);
      const change = changesOf(themeId, page.articles, match);
      if (!(await isCurrent(themeId, generation))) return null;
      const r = await articles.setThemeTag(themeId, change);
      done += page.articles.length;
      added += r.added;
      removed += r.removed;
      cursor = page.cursor;
      total = page.end ? done : Math.max(total, done);
      const held = await catalog.recordRetagProgress(themeId, generation, owner, { cursor, done, total, added, removed }, now());
      if (!held) {
        log.info({ themeId, generation }, 're-tag superseded');
        return null;
      }
      if (page.end) break;
      // Let the API and the pipeline sharing this process (and its SQLite connection) run between pages.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!(await catalog.finishRetagJob(themeId, generation, owner, { status: 'done' }, now()))) return null;
    tail ??= { cursor, themes: new Map() };
    tail.themes.set(themeId, { generation, match, until: now().getTime() + tailMs });
    log.info({ themeId, generation, done, added, removed }, 're-tag finished');
    return catalog.getRetagJob(themeId);
  };

  const runTails = async (): Promise<void> => {
    if (!tail) return;
    for (const [themeId, t] of tail.themes) {
      if (now().getTime() > t.until || !(await isCurrent(themeId, t.generation))) tail.themes.delete(themeId);
    }
    if (tail.themes.size === 0) {
      tail = null;
      return;
    }
    for (;;) {
      if (stopping) return;
      const page = await articles.scanArticles(tail.cursor, pageSize);
      if (page.articles.length > 0) {
        const prepared = page.articles.map((a) => ({ a, p: prepareScanned(a) }));
        for (const [themeId, t] of tail.themes) {
          const change = { add: [] as string[], remove: [] as string[] };
          for (const { a, p } of prepared) {
            const matches = t.match(p);
            const tagged = a.themes.includes(themeId);
            if (matches && !tagged) change.add.push(a.id);
            else if (!matches && tagged) change.remove.push(a.id);
          }
          if (change.add.length + change.remove.length === 0 || !(await isCurrent(themeId, t.generation))) continue;
          const r = await articles.setThemeTag(themeId, change);
          if (r.added + r.removed > 0) log.info({ themeId, ...r }, 're-tag tail corrected late articles');
        }
      }
      tail.cursor = page.cursor;
      if (page.end) return;
    }
  };

  const reconcile = async (): Promise<string[]> => {
    const [themes, jobs] = await Promise.all([catalog.listThemes(), catalog.listRetagJobs()]);
    const byTheme = new Map(jobs.map((j) => [j.themeId, j]));
    const requested: string[] = [];
    for (const theme of themes) {
      if (byTheme.get(theme.id)?.query === theme.query) continue;
      await catalog.requestRetag(theme.id, theme.query, now());
      requested.push(theme.id);
    }
    if (requested.length > 0) log.info({ themes: requested }, 're-tag requested for changed themes');
    return requested;
  };

  const runPending = async (): Promise<RetagJob[]> => {
    await reconcile();
    const finished: RetagJob[] = [];
    while (!stopping) {
      const at = now();
      const job = await catalog.claimRetagJob(owner, at, new Date(at.getTime() - leaseMs));
      if (!job) break;
      try {
        const result = await runJob(job);
        if (result) finished.push(result);
      } catch (err) {
        // Transient (store busy, cluster away): keep the lease and cursor; the job is taken up again once the
        // lease runs out. Anything else would fail the same way on every retry.
        if (err instanceof TransientError) {
          log.warn({ themeId: job.themeId, err }, 're-tag page failed; will resume');
          break;
        }
        log.error({ themeId: job.themeId, err }, 're-tag failed');
        const error = err instanceof Error ? err.message : String(err);
        await catalog.finishRetagJob(job.themeId, job.generation, owner, { status: 'failed', error }, now());
      }
    }
    if (!stopping) await runTails();
    return finished;
  };

  const loop = (): void => {
    current = runPending()
      .catch((err: unknown) => log.error({ err }, 're-tag pass failed'))
      .finally(() => {
        if (!stopping) timer = setTimeout(loop, pollMs);
      });
  };

  return {
    reconcile,
    runPending,
    start() {
      if (timer !== undefined || stopping) return;
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopping = true;
      if (timer !== undefined) clearTimeout(timer);
      await current;
    },
  };
}
