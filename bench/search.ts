/**
 * Search-at-scale section of `npm run bench`: builds (once, cached under the OS temp dir) a SQLite archive of
 * BENCH_SEARCH_SIZE synthetic articles (default 1M; bench/synthetic-corpus.ts) through the real store code, then times
 * search, trends, facets and export on one core, sequentially, against baselines measured in the same process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { Logger } from '../core/logger.ts';
import type { QueryNode } from '../core/query/ast.ts';
import { parseQuery } from '../core/query/parse.ts';
import { createCatalogResolver } from '../core/query/resolver.ts';
import type { ArticleStore, SearchOptions } from '../store/article-store.ts';
import { MIGRATIONS } from '../store/sqlite/migrations.ts';
import { openSqliteStores } from '../store/sqlite/open-database.ts';
import { corpusAvailable, CORPUS_FILE, readCorpus } from './corpus-feeds.ts';
import {
  buildCorpusModel,
  createSyntheticGenerator,
  PLANTED_PHRASES,
  SYNTHETIC_GENERATOR_VERSION,
  YEAR_END,
  YEAR_START,
  type SyntheticGenerator,
} from './synthetic-corpus.ts';
import type { GenerateReply, GenerateRequest } from './synthetic-worker.ts';
import { median, type BenchRow } from './table.ts';

/** The goals (ms). */
export const SEARCH_P50_GOAL_MS = 50;
export const SEARCH_P95_GOAL_MS = 200;
export const TREND_P50_GOAL_MS = 150;
/** Articles per insertArticles call while building, as the worker batches them. */
const BUILD_BATCH = 1000;
/** Fixed "now" for stored_at: the build must not depend on the clock. */
const BUILD_NOW = new Date('2025-01-02T00:00:00.000Z');
/** Export is timed over at most this many rows or this many ms, whichever comes first. */
const EXPORT_MAX_ROWS = 50_000;
const EXPORT_MAX_MS = 60_000;

export interface BenchSearchOptions {
  /** Articles in the archive. @defaultValue BENCH_SEARCH_SIZE or 1,000,000 */
  size?: number;
  /** Timed repetitions of each query. @defaultValue 5 */
  runs?: number;
  /** Where built databases are cached. @defaultValue `<os.tmpdir()>/narrative-monitor-bench` */
  cacheDir?: string;
  /** Progress lines (build progress, phases); the bench prints them to stderr. */
  progress?: (line: string) => void;
}

/** What the build records beside the cached database. */
export interface SearchBenchManifest {
  generatorVersion: number;
  schemaVersion: number;
  size: number;
  inserted: number;
  duplicates: number;
  /** Articles carrying each planted phrase (exact: the phrases are nonce words). */
  planted: Record<string, number>;
  /** Articles whose build time is in buildSeconds (all, unless the build resumed without a progress file). */
  timedArticles: number;
  buildSeconds: number;
  /** Time the store thread waited for generated batches (generation runs in a worker, beside the inserts). */
  generatorWaitSeconds: number;
  insertSeconds: number;
  dbBytes: number;
  builtAt: string;
}

/** "100k", "1M", "250000" → a count. */
export function parseSize(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(value);
  if (!m) throw new Error(`bench: BENCH_SEARCH_SIZE "${value}" is not a count like 100k or 1M`);
  const n = Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1);
  if (!Number.isInteger(n) || n < 1000) throw new Error(`bench: BENCH_SEARCH_SIZE must be at least 1000, got ${value}`);
  return n;
}

/**
 * Cached database path for this generator version and size. The schema version is deliberately not in the key:
 * opening the cached file runs any newer migrations on it, as on a production archive.
 */
export function cachedDbPath(cacheDir: string, size: number): string {
  return path.join(cacheDir, `search-g${SYNTHETIC_GENERATOR_VERSION}-${size}.sqlite`);
}

/**
 * Builds the archive through openSqliteStores + insertArticles in batches of BUILD_BATCH, exactly as the worker
 * stores articles (FTS rows, tags, title dedupe; no syndication fingerprints, so every article is its own
 * cluster). Only connection settings that do not change the stored content are relaxed (synchronous=OFF, a large
 * page cache). Writes to a temp name and renames, so an interrupted build is never taken for a finished one.
 */
export async function buildSearchDb(
  file: string,
  size: number,
  generator: SyntheticGenerator,
  progress: (line: string) => void,
): Promise<SearchBenchManifest> {
  const partial = `${file}.partial`;
  const progressFile = `${partial}.progress.json`;
  const stores = openSqliteStores(partial);
  stores.db.pragma('synchronous = OFF');
  stores.db.pragma('cache_size = -524288');
  for (const o of generator.catalog.outlets) await stores.catalog.upsertOutlet(o);
  for (const a of generator.catalog.actors) await stores.catalog.upsertActor(a);
  for (const t of generator.catalog.themes) await stores.catalog.upsertTheme(t);

  // An interrupted build resumes after its last committed batch (the progress file is written after each commit;
  // a batch committed without its progress line is skipped by the existingIds check below). Without a progress
  // file, the stored count is the resume point and the planted counts of the prefix are replayed.
  let state: BuildProgress = { next: 0, inserted: 0, duplicates: 0, planted: Object.fromEntries(PLANTED_PHRASES.map((p) => [p.phrase, 0])), seconds: 0, insertSeconds: 0, waitSeconds: 0 };
  if (fs.existsSync(progressFile)) {
    state = JSON.parse(fs.readFileSync(progressFile, 'utf8')) as BuildProgress;
  } else {
    const stored = await stores.articles.count();
    if (stored > 0) {
      state.next = Math.floor(stored / BUILD_BATCH) * BUILD_BATCH;
      state.inserted = stored;
      for (let i = 0; i < state.next; i++) {
        generator.plantedIntact(i).forEach((has, p) => {
          if (has) state.planted[PLANTED_PHRASES[p]!.phrase]! += 1;
        });
      }
      state.resumedWithoutProgressAt = stored;
    }
  }
  if (state.next > 0) progress(`bench search: resuming the build at article ${state.next}`);
  const planted = state.planted;
  let waitMs = 0;
  let insertMs = 0;
  const started = performance.now();
  let lastReport = started;
  // The bench runs under tsx, whose loader a worker does not inherit on Node 20: register it, then import the entry.
  const entry = new URL('./synthetic-worker.ts', import.meta.url).href;
  const worker = new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`,
    { eval: true },
  );
  // Pending requests in order. No Promise.race against a never-settling "worker failed" promise: each race would
  // leave a reaction on it holding its batch, and the build ran out of heap at 339k articles that way.
  const pending: { resolve: (reply: GenerateReply) => void; reject: (err: Error) => void }[] = [];
  let dead: Error | null = null;
  const fail = (err: Error): void => {
    dead ??= err;
    for (const p of pending.splice(0)) p.reject(dead);
  };
  worker.on('message', (reply: GenerateReply) => pending.shift()?.resolve(reply));
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`bench search: generator worker exited with ${code}`)));
  const request = (start: number): Promise<GenerateReply> =>
    new Promise<GenerateReply>((resolve, reject) => {
      if (dead) return reject(dead);
      pending.push({ resolve, reject });
      worker.postMessage({ start, count: Math.min(BUILD_BATCH, size - start) } satisfies GenerateRequest);
    });
  const resumedAt = state.next;
  try {
    // One batch always in flight: the worker generates batch k+1 while this thread stores batch k.
    let next = request(state.next);
    for (let start = state.next; start < size; start += BUILD_BATCH) {
      const t0 = performance.now();
      const batch = await next;
      if (start + BUILD_BATCH < size) next = request(start + BUILD_BATCH);
      const known = start === resumedAt && start > 0 ? await stores.articles.existingIds(batch.items.map((i) => i.article.id)) : new Set<string>();
      const fresh = batch.items.map((item, k) => ({ item, k })).filter(({ item }) => !known.has(item.article.id));
      const t1 = performance.now();
      const result = await stores.articles.insertArticles(fresh.map((f) => f.item), BUILD_NOW);
      const t2 = performance.now();
      waitMs += t1 - t0;
      insertMs += t2 - t1;
      state.inserted += result.inserted.length;
      state.duplicates += result.duplicates.length;
      const stored = new Set(result.inserted);
      for (const { item, k } of fresh) {
        if (!stored.has(item.article.id)) continue;
        batch.planted[k]!.forEach((has, p) => {
          if (has) planted[PLANTED_PHRASES[p]!.phrase]! += 1;
        });
      }
      state.next = start + batch.items.length;
      fs.writeFileSync(
        progressFile,
        JSON.stringify({
          ...state,
          seconds: state.seconds + (t2 - started) / 1000,
          insertSeconds: state.insertSeconds + insertMs / 1000,
          waitSeconds: state.waitSeconds + waitMs / 1000,
        }),
      );
      if (t2 - lastReport > 15_000 || start + BUILD_BATCH >= size) {
        lastReport = t2;
        const rate = (state.next - resumedAt) / ((t2 - started) / 1000);
        progress(
          `bench search: built ${state.next}/${size} articles (${Math.round(rate)}/s; waited for the generator ${Math.round(waitMs / 1000)} s, ` +
            `store ${Math.round(insertMs / 1000)} s; ~${Math.round((size - state.next) / rate)} s left)`,
        );
      }
    }
  } finally {
    await worker.terminate();
  }
  stores.db.pragma('wal_checkpoint(TRUNCATE)');
  await stores.close();
  fs.renameSync(partial, file);
  for (const f of [`${partial}-wal`, `${partial}-shm`, progressFile]) fs.rmSync(f, { force: true });
  const manifest: SearchBenchManifest = {
    generatorVersion: SYNTHETIC_GENERATOR_VERSION,
    schemaVersion: MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0,
    size,
    inserted: state.inserted,
    duplicates: state.duplicates,
    planted,
    // Of the articles built with timings (a build resumed without a progress file timed only the rest).
    timedArticles: state.next - (state.resumedWithoutProgressAt !== undefined ? Math.floor(state.resumedWithoutProgressAt / BUILD_BATCH) * BUILD_BATCH : 0),
    buildSeconds: state.seconds + (performance.now() - started) / 1000,
    generatorWaitSeconds: state.waitSeconds + waitMs / 1000,
    insertSeconds: state.insertSeconds + insertMs / 1000,
    dbBytes: fs.statSync(file).size,
    builtAt: new Date().toISOString(),
  };
  fs.writeFileSync(`${file}.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Written after each committed batch of a build, to resume an interrupted one. */
interface BuildProgress {
  next: number;
  inserted: number;
  duplicates: number;
  planted: Record<string, number>;
  seconds: number;
  insertSeconds: number;
  waitSeconds: number;
  /** Set when the build resumed from a partial file without progress: its stored count then. */
  resumedWithoutProgressAt?: number;
}

/** Timings of one measured operation, in ms. */
interface Timings {
  samples: number[];
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

const ms = (v: number): string => (v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`);
const ratio = (v: number, base: number): string => `${(v / base).toFixed(1)}x`;
const goal = (v: number, limit: number): string => (v <= limit ? `goal <= ${limit} ms: met` : `goal <= ${limit} ms: MISSED`);

/** One search case: the query text (as a user types it) and the filter beside it. */
interface SearchCase {
  label: string;
  q: string;
  filter: Pick<SearchOptions, 'outlets' | 'from' | 'to'>;
}

/** One SQL statement run by the store during a traced call. */
interface TracedStatement {
  sql: string;
  params: unknown[];
  ms: number;
}

/**
 * Records every statement the store prepares and runs on `db` while `trace` runs, with its time, so the bench can
 * say which SQL of a slow call is slow and show its real plan. Bench-only instrumentation of this one connection:
 * the store prepares its query statements per call, so they go through the wrapped `prepare`.
 */
function createStatementTracer(db: Database) {
  let log: TracedStatement[] | null = null;
  const prepare = db.prepare.bind(db);
  const wrapped = (sql: string) => {
    const stmt = prepare(sql);
    for (const method of ['all', 'get', 'run'] as const) {
      const original = (stmt[method] as (...args: unknown[]) => unknown).bind(stmt);
      (stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        if (log === null) return original(...args);
        const t0 = performance.now();
        const out = original(...args);
        log.push({ sql, params: args, ms: performance.now() - t0 });
        return out;
      };
    }
    return stmt;
  };
  (db as unknown as { prepare: typeof wrapped }).prepare = wrapped;
  return {
    async trace(fn: () => Promise<unknown>): Promise<TracedStatement[]> {
      const own: TracedStatement[] = [];
      log = own;
      try {
        await fn();
      } finally {
        log = null;
      }
      return own;
    },
    /** EXPLAIN QUERY PLAN of a traced statement, one node per `;`. */
    plan(s: TracedStatement): string {
      const rows = prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...(s.params as never[])) as { detail: string }[];
      return rows.map((r) => r.detail).join(' ; ');
    },
  };
}

/** The slowest statements of a traced call, for the progress output (SQL squeezed to one line). */
function describeSlowest(label: string, statements: TracedStatement[], plan: (s: TracedStatement) => string, top = 2): string[] {
  const total = statements.reduce((sum, s) => sum + s.ms, 0);
  return [...statements]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top)
    .map(
      (s) =>
        `bench search: [${label}] ${s.ms.toFixed(1)} of ${total.toFixed(1)} ms in ${statements.length} statements: ` +
        `${s.sql.replace(/\s+/g, ' ').trim()}\n    params ${JSON.stringify(s.params).slice(0, 200)}\n    plan: ${plan(s)}`,
    );
}

/**
 * The search section: returns the table rows. Skips (one row saying why) when the shared corpus is absent, since
 * the generator is seeded with it.
 */
export async function benchSearch(logger: Logger, options: BenchSearchOptions = {}): Promise<BenchRow[]> {
  const section = 'search';
  const log = logger.child({ component: 'bench-search' });
  const progress = options.progress ?? ((line: string) => log.info(line));
  if (!corpusAvailable()) {
    return [{ section, measure: 'skipped', value: '-', note: `${CORPUS_FILE} not found: the generator is seeded with it` }];
  }
  const size = options.size ?? parseSize(process.env.BENCH_SEARCH_SIZE, 1_000_000);
  const runs = options.runs ?? 5;
  const cacheDir = options.cacheDir ?? path.join(os.tmpdir(), 'narrative-monitor-bench');
  fs.mkdirSync(cacheDir, { recursive: true });
  const file = cachedDbPath(cacheDir, size);

  const generator = createSyntheticGenerator(buildCorpusModel(readCorpus()));
  let manifest: SearchBenchManifest;
  let cached = false;
  if (fs.existsSync(file) && fs.existsSync(`${file}.json`)) {
    manifest = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as SearchBenchManifest;
    cached = true;
    progress(`bench search: using cached ${file}`);
  } else {
    progress(`bench search: building ${size} articles into ${file}`);
    manifest = await buildSearchDb(file, size, generator, progress);
  }

  const stores = openSqliteStores(file);
  const db = stores.db;
  const store: ArticleStore = stores.articles;
  const tracer = createStatementTracer(db);
  const rows: BenchRow[] = [];
  try {
    const resolver = createCatalogResolver({
      actors: await stores.catalog.listActors(),
      themes: await stores.catalog.listThemes(),
      outlets: await stores.catalog.listOutlets(),
    });
    const parse = (q: string): QueryNode => parseQuery(q, resolver);
    const outlets = generator.catalog.outlets;
    const [rare, mid, common] = PLANTED_PHRASES.map((p) => `"${p.phrase}"`);
    const topOutlet = outlets[0]!.id;
    const midOutlet = outlets[9]!.id;
    const tailOutlet = outlets[40]!.id;
    const march = { from: '2024-03-01', to: '2024-04-01' };

    rows.push({
      section,
      measure: `archive (${cached ? 'cached' : 'built now'})`,
      value: `${manifest.inserted} articles`,
      note: `${(manifest.dbBytes / 1e9).toFixed(2)} GB; ${manifest.duplicates} title duplicates dropped by the store`,
    });
    rows.push({
      section,
      measure: 'build rate (insertArticles x1000)',
      value: `${Math.round(manifest.timedArticles / manifest.buildSeconds)} articles/s`,
      note: `${Math.round(manifest.buildSeconds)} s for ${manifest.timedArticles} articles; insertArticles alone ${Math.round(manifest.insertSeconds)} s (${Math.round(manifest.timedArticles / manifest.insertSeconds)}/s); waited ${Math.round(manifest.generatorWaitSeconds)} s for the generator worker`,
    });

    // Warm the page cache the way a running server's would be, then measure baselines in this process.
    const countAll = db.prepare<[], number>('SELECT count(*) FROM articles').pluck();
    countAll.get();
    const base: Timings = { samples: [] };
    for (let r = 0; r < runs; r++) base.samples.push((await time(() => countAll.get())).ms);
    const baseMs = median(base.samples);
    rows.push({ section, measure: 'baseline: SELECT count(*) FROM articles', value: ms(baseMs), ratio: '1.0x', note: 'ratios below are against this' });
    const ftsCount = db.prepare<[string], number>('SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?').pluck();
    const single: number[] = [];
    let singleTotal = 0;
    for (let r = 0; r < runs + 1; r++) {
      const t = await time(() => ftsCount.get('"health"') ?? 0);
      if (r > 0) single.push(t.ms);
      singleTotal = t.value;
    }
    rows.push({
      section,
      measure: 'baseline: FTS count of one common term',
      value: ms(median(single)),
      ratio: ratio(median(single), baseMs),
      note: `"health": ${singleTotal} docs`,
    });

    // The first query after opening loads the store's in-memory facts (store/sqlite/article-facts.ts); every later
    // query only loads what was written since. Measured once, cold, so the warm figures below do not hide it.
    const rssBefore = process.memoryUsage().rss;
    const firstQuery = await time(() => store.countOverTime(parse(''), { interval: 'month' }));
    rows.push({
      section,
      measure: 'first query after open (loads in-memory facts)',
      value: ms(firstQuery.ms),
      ratio: ratio(firstQuery.ms, baseMs),
      note: `once per process; RSS +${Math.round((process.memoryUsage().rss - rssBefore) / 1e6)} MB for ${firstQuery.value.total} articles`,
    });

    // Planted phrases are exact: the store must find each exactly as often as it was planted.
    for (const p of PLANTED_PHRASES) {
      const result = await store.search(parse(`"${p.phrase}"`), { limit: 1 });
      const expected = manifest.planted[p.phrase] ?? -1;
      if (result.total !== expected) {
        throw new Error(`bench search: "${p.phrase}" found ${result.total} articles, ${expected} were planted`);
      }
    }

    const cases: SearchCase[] = [
      { label: 'rare phrase (0.1%)', q: rare!, filter: {} },
      { label: 'rare phrase + top outlet', q: rare!, filter: { outlets: [topOutlet] } },
      { label: 'rare phrase + month', q: rare!, filter: march },
      { label: 'mid phrase (1%) + mid outlet', q: mid!, filter: { outlets: [midOutlet] } },
      { label: 'mid phrase + month', q: mid!, filter: march },
      { label: 'common phrase (10%) + top outlet', q: common!, filter: { outlets: [topOutlet] } },
      { label: 'common phrase + tail outlet', q: common!, filter: { outlets: [tailOutlet] } },
      { label: 'common phrase + month', q: common!, filter: march },
      { label: 'natural "public health" + month', q: '"public health"', filter: march },
      { label: 'natural "the white house" + top outlet', q: '"the white house"', filter: { outlets: [topOutlet] } },
      { label: 'term AND actor: + month', q: `vaccine AND actor:${generator.catalog.actors[0]!.id}`, filter: march },
      { label: 'common phrase, no filter', q: common!, filter: {} },
    ];
    const perCase: { c: SearchCase; samples: number[]; total: number }[] = [];
    for (const c of cases) {
      const query = parse(c.q);
      await store.search(query, { ...c.filter, limit: 20 });
      const samples: number[] = [];
      let total = 0;
      for (let r = 0; r < runs; r++) {
        const t = await time(() => store.search(parse(c.q), { ...c.filter, limit: 20 }));
        samples.push(t.ms);
        total = t.value.total;
      }
      perCase.push({ c, samples, total });
    }
    const all = perCase.flatMap((p) => p.samples);
    const p50 = percentile(all, 0.5);
    const p95 = percentile(all, 0.95);
    rows.push({
      section,
      measure: `search p50 (${cases.length} phrase+filter cases x ${runs}, top 20, highlights)`,
      value: ms(p50),
      ratio: ratio(p50, baseMs),
      note: goal(p50, SEARCH_P50_GOAL_MS),
    });
    rows.push({ section, measure: 'search p95', value: ms(p95), ratio: ratio(p95, baseMs), note: goal(p95, SEARCH_P95_GOAL_MS) });
    for (const p of [...perCase].sort((a, b) => median(b.samples) - median(a.samples))) {
      rows.push({
        section,
        measure: `  search: ${p.c.label}`,
        value: ms(median(p.samples)),
        ratio: ratio(median(p.samples), baseMs),
        note: `${p.total} matches`,
      });
    }
    // The same cases in relevance order (bm25 over every match of the phrase, then the filter): reported beside the
    // goal rows, which measure the default date order.
    const relevanceSamples: number[] = [];
    for (const c of cases) {
      await store.search(parse(c.q), { ...c.filter, limit: 20, sort: 'relevance' });
      for (let r = 0; r < runs; r++) relevanceSamples.push((await time(() => store.search(parse(c.q), { ...c.filter, limit: 20, sort: 'relevance' }))).ms);
    }
    for (const [label, p] of [['p50', 0.5], ['p95', 0.95]] as const) {
      const v = percentile(relevanceSamples, p);
      rows.push({ section, measure: `search ${label}, relevance order (same cases)`, value: ms(v), ratio: ratio(v, baseMs), note: 'no goal set; scoring reads every match of the phrase' });
    }
    const slowest = [...perCase].sort((a, b) => median(b.samples) - median(a.samples)).slice(0, 3);
    for (const s of slowest) {
      const traced = await tracer.trace(() => store.search(parse(s.c.q), { ...s.c.filter, limit: 20 }));
      for (const line of describeSlowest(`search ${s.c.label}`, traced, tracer.plan)) progress(line);
    }

    // Trends: 10 series x 365 days by outlet = one query broken down over the 10 biggest outlets. Measured as one
    // countOverTime with `breakdown: 'outlet'` when the store has it, and as 10 single-outlet calls (how a client
    // without breakdown, or the several-series API request, runs it), all sequential.
    const trendOutlets = outlets.slice(0, 10).map((o) => o.id);
    const trendRange = { interval: 'day' as const, from: YEAR_START, to: YEAR_END };
    const hasBreakdown =
      (await store.countOverTime(parse(''), { ...trendRange, outlets: trendOutlets, breakdown: 'outlet' })).groups !== undefined;
    const trendCases: { label: string; q: string }[] = [
      { label: 'common phrase', q: common! },
      { label: 'rare phrase', q: rare! },
      { label: 'actor: tag', q: `actor:${generator.catalog.actors[0]!.id}` },
      { label: 'all articles (normalization base)', q: '' },
    ];
    const trendMedians: { q: string; label: string; how: string; m: number }[] = [];
    for (const tc of trendCases) {
      const variants: { how: string; run: () => Promise<number> }[] = [
        {
          how: '10 single-outlet calls',
          run: async () => {
            let points = 0;
            for (const outlet of trendOutlets) points += (await store.countOverTime(parse(tc.q), { ...trendRange, outlets: [outlet] })).points.length;
            return points;
          },
        },
      ];
      if (hasBreakdown) {
        variants.unshift({
          how: "one call, breakdown 'outlet'",
          run: async () => {
            const r = await store.countOverTime(parse(tc.q), { ...trendRange, outlets: trendOutlets, breakdown: 'outlet' });
            return (r.groups ?? []).reduce((n, g) => n + g.points.length, 0);
          },
        });
      }
      for (const v of variants) {
        await v.run();
        const samples: number[] = [];
        let points = 0;
        for (let r = 0; r < runs; r++) {
          const t = await time(v.run);
          samples.push(t.ms);
          points = t.value;
        }
        const m = median(samples);
        trendMedians.push({ ...tc, how: v.how, m });
        rows.push({
          section,
          measure: `trend p50: ${tc.label}, 10 outlets x 365 days (${v.how})`,
          value: ms(m),
          ratio: ratio(m, baseMs),
          note: `${goal(m, TREND_P50_GOAL_MS)}; ${points} non-empty points${hasBreakdown ? '' : '; the store has no breakdown yet'}`,
        });
      }
    }

    // Ten different series (one per actor, as the API runs a several-series request: one call each), each broken
    // down by the same 10 outlets over the year.
    const actorSeries = generator.catalog.actors.slice(0, 10).map((a) => `actor:${a.id}`);
    const runSeries = async (): Promise<number> => {
      let points = 0;
      for (const q of actorSeries) {
        const r = await store.countOverTime(parse(q), { ...trendRange, outlets: trendOutlets, breakdown: 'outlet' });
        points += (r.groups ?? []).reduce((n, g) => n + g.points.length, 0);
      }
      return points;
    };
    await runSeries();
    const seriesSamples: number[] = [];
    let seriesPoints = 0;
    for (let r = 0; r < runs; r++) {
      const t = await time(runSeries);
      seriesSamples.push(t.ms);
      seriesPoints = t.value;
    }
    rows.push({
      section,
      measure: `trend p50: ${actorSeries.length} actor series x 10 outlets x 365 days (one call per series)`,
      value: ms(median(seriesSamples)),
      ratio: ratio(median(seriesSamples), baseMs),
      note: `${goal(median(seriesSamples), TREND_P50_GOAL_MS)}; ${seriesPoints} non-empty points`,
    });

    // Unique stories instead of copies (one row per syndication cluster at its earliest copy). Every bench article
    // is its own cluster (the build stores no fingerprints), which is the most clusters a trend can have.
    for (const sc of [{ label: 'common phrase', q: common! }, { label: 'all articles', q: '' }]) {
      const run = () => store.countOverTime(parse(sc.q), { ...trendRange, outlets: trendOutlets, breakdown: 'outlet', count: 'stories' });
      await run();
      const samples: number[] = [];
      for (let r = 0; r < runs; r++) samples.push((await time(run)).ms);
      rows.push({
        section,
        measure: `trend p50: unique stories, ${sc.label}, 10 outlets x 365 days (one call)`,
        value: ms(median(samples)),
        ratio: ratio(median(samples), baseMs),
        note: `${goal(median(samples), TREND_P50_GOAL_MS)}; every article its own cluster`,
      });
    }

    const slowTrend = [...trendMedians].filter((t) => t.how === trendMedians[0]!.how).sort((a, b) => b.m - a.m)[0]!;
    const trendTrace = await tracer.trace(() =>
      store.countOverTime(parse(slowTrend.q), hasBreakdown ? { ...trendRange, outlets: trendOutlets, breakdown: 'outlet' } : { ...trendRange, outlets: [trendOutlets[0]!] }),
    );
    for (const line of describeSlowest(`trend ${slowTrend.label}, ${slowTrend.how}`, trendTrace, tracer.plan, 1)) progress(line);

    // Facets over the whole result set of a search.
    const facetFields = ['outlet', 'language', 'country', 'actor', 'theme', 'tag'] as const;
    const outletGroups = new Map(outlets.map((o) => [o.id, { country: o.country, tags: o.tags }]));
    for (const fc of [
      { label: 'common phrase + month', q: common!, filter: march },
      { label: 'common phrase, no filter', q: common!, filter: {} },
      { label: 'all articles', q: '', filter: {} },
    ]) {
      const probe = await store.search(parse(fc.q), { ...fc.filter, limit: 20, facets: facetFields, outletGroups });
      const native = probe.facets !== undefined;
      const run = async (): Promise<void> => {
        if (native) {
          await store.search(parse(fc.q), { ...fc.filter, limit: 20, facets: facetFields, outletGroups });
          return;
        }
        for (const field of ['outlet', 'language', 'actors', 'themes'] as const) {
          await store.topTerms(parse(fc.q), { ...fc.filter, field, limit: 10 });
        }
      };
      const samples: number[] = [];
      for (let r = 0; r < runs; r++) samples.push((await time(run)).ms);
      const m = median(samples);
      if (fc.q === common && fc.filter === march) {
        const traced = await tracer.trace(run);
        for (const line of describeSlowest(`facets ${fc.label}`, traced, tracer.plan, 3)) progress(line);
      }
      rows.push({
        section,
        measure: `facets p50: ${fc.label}`,
        value: ms(m),
        ratio: ratio(m, baseMs),
        note: native
          ? `search with 6 facets, top 20 page included; ${probe.total} matches`
          : `no facets in the store yet: 4 topTerms calls (outlet, language, actors, themes); ${probe.total} matches`,
      });
    }

    // Export: every matching article of the 1% phrase (capped), newest first.
    const exportQuery = parse(mid!);
    const hasExport = typeof (store as Partial<ArticleStore>).exportArticles === 'function';
    const t0 = performance.now();
    let exported = 0;
    if (hasExport) {
      for await (const row of store.exportArticles(exportQuery, {})) {
        if (row.id) exported++;
        if (exported >= EXPORT_MAX_ROWS || performance.now() - t0 > EXPORT_MAX_MS) break;
      }
    } else {
      let cursor: string | undefined;
      do {
        const page = await store.search(exportQuery, { limit: 100, ...(cursor ? { cursor } : {}) });
        exported += page.hits.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor && exported < EXPORT_MAX_ROWS && performance.now() - t0 < EXPORT_MAX_MS);
    }
    const exportSeconds = (performance.now() - t0) / 1000;
    rows.push({
      section,
      measure: `export rows/s: mid phrase (${manifest.planted[PLANTED_PHRASES[1]!.phrase]} matches)`,
      value: `${Math.round(exported / exportSeconds)} rows/s`,
      note: hasExport
        ? `exportArticles, ${exported} rows in ${exportSeconds.toFixed(1)} s`
        : `no export in the store yet: search pages of 100 via the cursor, ${exported} rows in ${exportSeconds.toFixed(1)} s`,
    });
  } finally {
    await stores.close();
  }
  return rows;
}
