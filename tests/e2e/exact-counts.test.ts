/**
 * Exact counts: the ReCOVery corpus (../shared, CC BY-NC-SA, read at test time, never copied) served as 55
 * per-outlet RSS feeds on 127.0.0.1 and ingested by the real embedded pipeline, then recounted independently —
 * each stored row mapped back to its corpus row by canonical URL, bucketed by the corpus date (first-seen for
 * rows without one), theme/actor membership from the stored tags — and compared with the store's trend
 * series for every bucket of several themes and actors at day, week and month: no difference allowed. Also:
 * stored = distinct canonical URLs − title dedupes (each one explained), fallback dates = rows without a date,
 * and a theme added after ingest is re-tagged in the background to exactly the index-time tags.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusAvailable, CORPUS_FILE, readCorpus, serveCorpusFeeds, type CorpusArticle, type CorpusFeedServer } from '../../bench/corpus-feeds.ts';
import { applyWatchlistFile, createFeedPoller, openRuntime, startWorker, type Runtime } from '../../bin/runtime.ts';
import { loadConfig } from '../../core/config.ts';
import { normalizeUrl, slugify } from '../../core/ids.ts';
import { parseQuery } from '../../core/query/parse.ts';
import type { TrendInterval } from '../../core/types.ts';
import { createWatchlistResolver } from '../../worker/enrich/themes.ts';
import { silentLogger } from '../helpers/silent-logger.ts';

const available = corpusAvailable();
if (!available) console.warn(`SKIPPED exact-counts test: corpus not found at ${CORPUS_FILE} (it lives in ../shared, beside the clone)`);

/** The pipeline's clock: after every corpus date, so no date is "in the future" and fallbacks land on this day. */
const NOW = new Date('2020-08-03T08:00:00.000Z');
const DAY_MS = 86_400_000;
const TITLE_WINDOW_MS = 7 * DAY_MS;

const ACTORS = [
  { id: 'who', name: 'WHO', type: 'organization', aliases: ['World Health Organization'] },
  { id: 'cdc', name: 'CDC', type: 'organization', aliases: ['Centers for Disease Control and Prevention', 'Centers for Disease Control'] },
  { id: 'donald-trump', name: 'Donald Trump', type: 'person', aliases: ['President Trump', 'Trump'] },
  { id: 'china', name: 'China', type: 'place', aliases: [] },
  { id: 'bill-gates', name: 'Bill Gates', type: 'person', aliases: ['Gates Foundation'] },
];
const THEMES = [
  { id: 'lab-leak', name: 'Lab leak', query: '"lab leak" OR "wuhan lab" OR "wuhan institute of virology" OR bioweapon' },
  { id: 'five-g', name: '5G', query: '5g' },
  { id: 'hydroxychloroquine', name: 'Hydroxychloroquine', query: 'hydroxychloroquine' },
  { id: 'vaccine', name: 'Vaccine', query: 'vaccine OR vaccines OR vaccination' },
  { id: 'gates-vaccine', name: 'Gates and vaccines', query: 'actor:"Bill Gates" AND (vaccine OR vaccines)' },
];

interface StoredRow {
  id: string;
  canonical_url: string;
  outlet_id: string;
  themes: string;
  actors: string;
  date_is_fallback: number;
  title: string;
}

/** What the recount knows of one stored article, from the corpus and the stored tags only. */
interface Recount {
  day: string;
  fallback: boolean;
  themes: Set<string>;
  actors: Set<string>;
  outletId: string;
}

function bucketOf(day: string, interval: TrendInterval): string {
  if (interval === 'day') return day;
  if (interval === 'month') return `${day.slice(0, 7)}-01`;
  const ms = Date.parse(`${day}T00:00:00Z`);
  const back = (new Date(ms).getUTCDay() + 6) % 7;
  return new Date(ms - back * DAY_MS).toISOString().slice(0, 10);
}

/** Independent of the store's titleKey: NFKC, lower case, runs of non-letters/digits as one space. */
const simpleTitle = (t: string): string => t.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ').trim();

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!available)('exact counts over the ReCOVery corpus through the embedded pipeline', () => {
  let corpus: CorpusArticle[];
  let server: CorpusFeedServer;
  let dir: string;
  let runtime: Runtime;
  let worker: { stop(): Promise<void> } | undefined;
  let rows: StoredRow[];
  const recount = new Map<string, Recount>();

  beforeAll(async () => {
    corpus = readCorpus();
    server = await serveCorpusFeeds(corpus);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nm-exact-'));
    // JSON is YAML: the watchlist file the `start` command would read.
    const watchlist = {
      outlets: server.feeds.map((f) => ({ id: f.outletId, name: f.outletName, feeds: [f.url] })),
      actors: ACTORS,
      themes: THEMES,
    };
    fs.writeFileSync(path.join(dir, 'watchlist.yaml'), JSON.stringify(watchlist, null, 2));
    const config = loadConfig({ DATA_DIR: dir, WATCHLIST: path.join(dir, 'watchlist.yaml'), ALLOW_PRIVATE_FEEDS: 'true', LOG_LEVEL: 'silent' });
    runtime = openRuntime(config, silentLogger);
    runtime.now = () => NOW;
    await applyWatchlistFile(runtime);
    // Fetch first, then process: the embedded queue journals the items, and the CPU-bound enrichment sharing
    // this process cannot starve the in-process feed server into dropped connections.
    const t0 = Date.now();
    const summary = await createFeedPoller(runtime).pollAll();
    const t1 = Date.now();
    expect(summary.feeds.filter((f) => f.status !== 'ok')).toEqual([]);
    expect(summary.totals.enqueued).toBe(corpus.length);
    worker = startWorker(runtime);
    await runtime.queue.drained();
    console.info(`exact counts: fetched ${corpus.length} items in ${t1 - t0} ms, processed in ${Date.now() - t1} ms`);
    // The re-tagger started with the worker and queued a job per theme; they ran beside the ingest.
    await waitFor('the start-up re-tag jobs', async () => {
      const jobs = await runtime.stores.catalog.listRetagJobs();
      return jobs.length === THEMES.length && jobs.every((j) => j.status === 'done');
    });

    // Read the file directly, not through the store under test.
    const db = new Database(config.sqlitePath, { readonly: true });
    try {
      rows = db
        .prepare<[], StoredRow>(
          `SELECT a.id, a.canonical_url, a.outlet_id, a.themes, a.actors, a.date_is_fallback, c.title
           FROM articles AS a JOIN article_contents AS c ON c.seq = a.seq`,
        )
        .all();
    } finally {
      db.close();
    }
    const byUrl = new Map<string, CorpusArticle[]>();
    for (const a of corpus) {
      const key = normalizeUrl(a.url);
      byUrl.set(key, [...(byUrl.get(key) ?? []), a]);
    }
    for (const row of rows) {
      const candidates = byUrl.get(row.canonical_url) ?? [];
      // The same URL in two outlets' feeds is one article, stored under the outlet that delivered it first.
      const source = candidates.find((c) => slugify(c.outlet) === row.outlet_id);
      if (!source) throw new Error(`stored article ${row.canonical_url} maps to no corpus row of outlet ${row.outlet_id}`);
      recount.set(row.id, {
        day: source.published ?? NOW.toISOString().slice(0, 10),
        fallback: source.published === null,
        themes: new Set(JSON.parse(row.themes) as string[]),
        actors: new Set(JSON.parse(row.actors) as string[]),
        outletId: row.outlet_id,
      });
    }
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await runtime?.close();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores every distinct canonical URL except same-outlet title duplicates, each one explained', () => {
    const firstByUrl = new Map<string, CorpusArticle>();
    for (const a of corpus) if (!firstByUrl.has(normalizeUrl(a.url))) firstByUrl.set(normalizeUrl(a.url), a);
    const storedUrls = new Set(rows.map((r) => r.canonical_url));
    const missing = [...firstByUrl].filter(([url]) => !storedUrls.has(url));
    // A missing URL is a title dedupe when the same outlet has a stored article with the same title within 7 days.
    const unexplained = missing.filter(([, a]) => {
      const outlet = slugify(a.outlet);
      const ms = Date.parse(`${a.published ?? NOW.toISOString().slice(0, 10)}T12:00:00Z`);
      return !rows.some((r) => {
        const other = recount.get(r.id);
        return (
          other !== undefined &&
          r.outlet_id === outlet &&
          simpleTitle(r.title) === simpleTitle(a.title ?? '(untitled)') &&
          Math.abs(Date.parse(`${other.day}T12:00:00Z`) - ms) <= TITLE_WINDOW_MS
        );
      });
    });
    console.info(
      `exact counts: ${corpus.length} corpus rows, ${firstByUrl.size} distinct canonical URLs, ${rows.length} stored, ` +
        `${missing.length} same-outlet title duplicates`,
    );
    expect(unexplained.map(([url]) => url)).toEqual([]);
    expect(rows.length + missing.length).toBe(firstByUrl.size);
  });

  it('matches every trend bucket of every theme and actor at day, week and month: 0 differences', async () => {
    const outlets = server.feeds.map((f) => ({ id: f.outletId, name: f.outletName }));
    const resolve = createWatchlistResolver({ actors: ACTORS, themes: THEMES, outlets });
    const series: Array<{ q: string; member: (r: Recount) => boolean }> = [
      { q: '', member: () => true },
      ...THEMES.map((t) => ({ q: `theme:${t.id}`, member: (r: Recount) => r.themes.has(t.id) })),
      ...ACTORS.map((a) => ({ q: `actor:${a.id}`, member: (r: Recount) => r.actors.has(a.id) })),
      { q: 'theme:vaccine AND actor:donald-trump', member: (r: Recount) => r.themes.has('vaccine') && r.actors.has('donald-trump') },
      { q: 'outlet:sputnik-news', member: (r: Recount) => r.outletId === 'sputnik-news' },
    ];
    let buckets = 0;
    const differences: string[] = [];
    for (const { q, member } of series) {
      const members = [...recount.values()].filter(member);
      // A series that is empty would compare nothing: the watchlist must fit the corpus.
      expect(members.length, q).toBeGreaterThan(0);
      for (const interval of ['day', 'week', 'month'] as const) {
        const expected = new Map<string, number>();
        for (const r of members) expected.set(bucketOf(r.day, interval), (expected.get(bucketOf(r.day, interval)) ?? 0) + 1);
        const got = await runtime.stores.articles.countOverTime(parseQuery(q, resolve), { interval });
        const gotMap = new Map(got.points.map((p) => [p.t, p.count]));
        for (const t of new Set([...expected.keys(), ...gotMap.keys()])) {
          buckets++;
          if ((expected.get(t) ?? 0) !== (gotMap.get(t) ?? 0)) {
            differences.push(`${q || 'all'} ${interval} ${t}: store ${gotMap.get(t) ?? 0}, recount ${expected.get(t) ?? 0}`);
          }
        }
        if (got.total !== members.length) differences.push(`${q || 'all'} ${interval} total: store ${got.total}, recount ${members.length}`);
        const fallbacks = members.filter((r) => r.fallback).length;
        if (got.fallbackDateCount !== fallbacks) {
          differences.push(`${q || 'all'} ${interval} fallback: store ${got.fallbackDateCount}, recount ${fallbacks}`);
        }
      }
    }
    console.info(`exact counts: ${series.length} series × 3 intervals, ${buckets} buckets compared, ${differences.length} differences`);
    expect(differences).toEqual([]);
    expect(buckets).toBeGreaterThan(500);
  });

  it('places undated rows on their first-seen day, flagged, and counts them as fallback dates', async () => {
    const undated = rows.filter((r) => recount.get(r.id)?.fallback);
    const corpusUndated = corpus.filter((a) => a.published === null).length;
    expect(undated.length).toBeGreaterThan(0);
    expect(undated.length).toBeLessThanOrEqual(corpusUndated);
    // The store's own flag agrees with the corpus row for every article, dated or not.
    expect(rows.filter((r) => (r.date_is_fallback === 1) !== recount.get(r.id)?.fallback)).toEqual([]);
    const all = await runtime.stores.articles.countOverTime({ kind: 'all' }, { interval: 'day' });
    expect(all.fallbackDateCount).toBe(undated.length);
    expect(all.points.find((p) => p.t === NOW.toISOString().slice(0, 10))?.count).toBe(undated.length);
  });

  it('re-tags the archive in the background for a theme added after ingest, to exactly the index-time tags', async () => {
    const vaccine = THEMES.find((t) => t.id === 'vaccine');
    await runtime.stores.catalog.upsertTheme({ id: 'vaccine-again', name: 'Vaccine (added later)', query: vaccine?.query ?? '' });
    await waitFor('the re-tag of the new theme', async () => (await runtime.stores.catalog.getRetagJob('vaccine-again'))?.status === 'done');
    const job = await runtime.stores.catalog.getRetagJob('vaccine-again');
    expect(job).toMatchObject({ done: rows.length, total: rows.length, removed: 0 });
    const resolve = createWatchlistResolver({ actors: ACTORS, themes: [...THEMES, { id: 'vaccine-again', name: 'x', query: 'x' }] });
    for (const interval of ['day', 'week', 'month'] as const) {
      const later = await runtime.stores.articles.countOverTime(parseQuery('theme:vaccine-again', resolve), { interval });
      const atIndex = await runtime.stores.articles.countOverTime(parseQuery('theme:vaccine', resolve), { interval });
      expect(later).toEqual(atIndex);
    }
    expect(job?.added).toBe([...recount.values()].filter((r) => r.themes.has('vaccine')).length);
  });
});
