/**
 * The background theme re-tagger on a real SQLite file: new and edited themes re-tag stored articles exactly as
 * index-time enrichment would, in pages that survive a crash (resume from the stored cursor under a lease taken
 * over from a dead runner), stop when superseded, fail visibly on a broken query, and catch late articles.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../core/errors.ts';
import { articleId } from '../../core/ids.ts';
import { parseQuery } from '../../core/query/parse.ts';
import type { Actor, EnrichedArticle, Theme } from '../../core/types.ts';
import type { ArticleStore } from '../../store/article-store.ts';
import { openSqliteStores, type SqliteStores } from '../../store/sqlite/open-database.ts';
import { buildThemeMatcher, createWatchlistResolver } from '../../worker/enrich/themes.ts';
import { createRetagger } from '../../worker/retag/retagger.ts';
import { silentLogger } from '../helpers/silent-logger.ts';

const ACTORS: Actor[] = [
  { id: 'who', name: 'WHO', type: 'organization', aliases: ['World Health Organization'] },
  { id: 'gates', name: 'Bill Gates', type: 'person', aliases: [] },
];

const TEXTS: Array<[title: string, text: string, actors: string[]]> = [
  ['Vaccine trial begins', 'A vaccine trial started in Oxford with volunteers.', []],
  ['Gates and vaccines', 'Bill Gates funds vaccine research, critics claim microchips.', ['gates']],
  ['5G towers burned', 'Conspiracy theories link 5G masts to the virus.', []],
  ['WHO briefing', 'The World Health Organization warned about the pandemic.', ['who']],
  ['Lab leak claims', 'Officials discussed a lab leak in Wuhan; the WHO disagreed.', ['who']],
  ['Hydroxychloroquine debate', 'Doctors argue over hydroxychloroquine and a vaccine timeline.', []],
  ['Markets fall', 'Stocks fell sharply on Monday.', []],
  ['Gates foundation', 'The foundation gave money to the WHO.', ['gates', 'who']],
  ['Vaccine skeptics rally', 'Protesters rallied against a vaccine mandate.', []],
  ['Weather', 'Rain is expected tomorrow.', []],
  ['Microchip myth', 'No vaccine contains a microchip, experts say.', []],
];

function article(i: number, title: string, text: string, actors: string[], themes: string[] = []): EnrichedArticle {
  const url = `https://news.example/${i}`;
  return {
    id: articleId(url), url, canonicalUrl: url, feedId: 'feed-x', outletId: i % 2 ? 'rt' : 'npr', guid: null,
    title, text, publishedAt: `2020-05-${String(1 + i).padStart(2, '0')}T12:00:00.000Z`, firstSeenAt: '2020-06-01T00:00:00.000Z',
    author: null, language: 'en', languageConfidence: 1, keywords: [], entities: [], actors, themes,
  };
}

const CLOCK_START = Date.parse('2024-01-01T00:00:00.000Z');

let dir: string;
let stores: SqliteStores;
let clock: number;
const now = (): Date => new Date(clock);

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nm-retag-'));
  stores = openSqliteStores(path.join(dir, 'db.sqlite'));
  clock = CLOCK_START;
  for (const a of ACTORS) await stores.catalog.upsertActor(a);
  await stores.catalog.upsertOutlet({ id: 'rt', name: 'RT', tags: [] });
  await stores.catalog.upsertOutlet({ id: 'npr', name: 'NPR', tags: [] });
  // 'stale' is a tag no current theme query produces: stored articles carry it from an older query.
  await stores.articles.insertArticles(
    TEXTS.map(([t, x, a], i) => ({ article: article(i, t, x, a, i === 6 ? ['vaccine', 'other'] : ['other']), alertIds: [] })),
    now(),
  );
});

afterEach(async () => {
  await stores.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Ids of stored articles the enrichment matcher (index-time path) assigns `theme` to. */
async function expectedIds(theme: Theme): Promise<string[]> {
  const themes = [theme];
  const match = buildThemeMatcher(themes, createWatchlistResolver({ actors: ACTORS, themes }));
  const out: string[] = [];
  for (const [i, [t, x, a]] of TEXTS.entries()) {
    const art = article(i, t, x, a);
    if (match(art).includes(theme.id)) out.push(art.id);
  }
  return out.sort();
}

/** Ids tagged with `themeId`, read both ways the store exposes it: the tag index (search) and the article's list. */
async function taggedIds(themeId: string): Promise<string[]> {
  const viaIndex = await stores.articles.search(parseQuery(`theme:${themeId}`), { limit: 100 });
  const viaList: string[] = [];
  for (const [i, [t, x, a]] of TEXTS.entries()) {
    const stored = await stores.articles.getArticle(article(i, t, x, a).id);
    if (stored?.themes.includes(themeId)) viaList.push(stored.id);
  }
  expect(viaIndex.hits.map((h) => h.id).sort()).toEqual(viaList.sort());
  return viaList.sort();
}

const retagger = (extra: Partial<Parameters<typeof createRetagger>[0]> = {}) =>
  createRetagger({ articles: stores.articles, catalog: stores.catalog, logger: silentLogger, now, pageSize: 3, ...extra });

describe('theme re-tagger', () => {
  it('tags stored articles with a new theme exactly as enrichment would, actor: included', async () => {
    const theme: Theme = { id: 'vaccine', name: 'Vaccine', query: 'vaccine OR actor:gates' };
    await stores.catalog.upsertTheme(theme);
    const r = retagger();
    expect(await r.reconcile()).toEqual(['vaccine']);
    expect(await r.reconcile()).toEqual([]);
    const finished = await r.runPending();

    const expected = await expectedIds(theme);
    expect(expected.length).toBeGreaterThan(3);
    expect(await taggedIds('vaccine')).toEqual(expected);
    expect(finished).toHaveLength(1);
    // Article 6 carried the tag from an older query and does not match: removed. The rest were added.
    expect(finished[0]).toMatchObject({ status: 'done', done: TEXTS.length, total: TEXTS.length, removed: 1, added: expected.length });
    // Other tags are untouched.
    expect((await taggedIds('other')).length).toBe(TEXTS.length);
    const trend = await stores.articles.countOverTime(parseQuery('theme:vaccine'), { interval: 'month' });
    expect(trend.total).toBe(expected.length);
  });

  it('re-tags after an edit of the query: new matches gain the tag, old ones lose it', async () => {
    await stores.catalog.upsertTheme({ id: 'vaccine', name: 'Vaccine', query: 'vaccine' });
    const r = retagger();
    await r.runPending();
    const first = await taggedIds('vaccine');

    const edited: Theme = { id: 'vaccine', name: 'Vaccine', query: 'microchip OR microchips' };
    await stores.catalog.upsertTheme(edited);
    const [job] = await r.runPending();
    const second = await taggedIds('vaccine');
    expect(second).toEqual(await expectedIds(edited));
    expect(job?.generation).toBe(2);
    expect(job?.added).toBe(second.filter((id) => !first.includes(id)).length);
    expect(job?.removed).toBe(first.filter((id) => !second.includes(id)).length);
    expect(job?.removed).toBeGreaterThan(0);
  });

  it('resumes a crashed job from its cursor once the lease runs out, without counting pages twice', async () => {
    const theme: Theme = { id: 'who-lab', name: 'WHO or lab', query: 'actor:who OR "lab leak"' };
    await stores.catalog.upsertTheme(theme);
    let pages = 0;
    // Fails (transiently) on the third page write: the first two pages are committed, the runner stops.
    const flaky: ArticleStore = {
      ...stores.articles,
      setThemeTag: async (id, change) => {
        pages++;
        if (pages === 3) throw new TransientError('busy', 'test: store busy');
        return stores.articles.setThemeTag(id, change);
      },
    };
    const crashed = retagger({ articles: flaky, owner: 'a', leaseMs: 30_000 });
    expect(await crashed.runPending()).toEqual([]);
    const halfway = await stores.catalog.getRetagJob('who-lab');
    expect(halfway).toMatchObject({ status: 'running', done: 6 });
    expect(halfway?.cursor).not.toBeNull();

    // Another process cannot take a job whose lease is fresh ...
    const other = retagger({ owner: 'b', leaseMs: 30_000 });
    expect(await other.runPending()).toEqual([]);
    expect((await stores.catalog.getRetagJob('who-lab'))?.done).toBe(6);
    // ... and takes it over once the lease ran out, starting after the committed pages.
    clock += 31_000;
    const scans: (string | null)[] = [];
    const watched: ArticleStore = {
      ...stores.articles,
      scanArticles: (after, limit) => {
        scans.push(after);
        return stores.articles.scanArticles(after, limit);
      },
    };
    const [job] = await retagger({ articles: watched, owner: 'b' }).runPending();
    expect(scans[0]).toBe(halfway?.cursor);
    expect(job).toMatchObject({ status: 'done', done: TEXTS.length, total: TEXTS.length, startedAt: halfway?.startedAt });
    expect(await taggedIds('who-lab')).toEqual(await expectedIds(theme));
  });

  it('a runner whose theme was edited mid-job stops writing, and the new query wins', async () => {
    await stores.catalog.upsertTheme({ id: 'vaccine', name: 'Vaccine', query: 'vaccine' });
    let editedOnce = false;
    const editing: ArticleStore = {
      ...stores.articles,
      scanArticles: async (after, limit) => {
        const page = await stores.articles.scanArticles(after, limit);
        if (after !== null && !editedOnce) {
          editedOnce = true;
          await stores.catalog.upsertTheme({ id: 'vaccine', name: 'Vaccine', query: 'weather OR rain' });
          await stores.catalog.requestRetag('vaccine', 'weather OR rain', now());
        }
        return page;
      },
    };
    const finished = await retagger({ articles: editing }).runPending();
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ query: 'weather OR rain', generation: 2, status: 'done' });
    expect(await taggedIds('vaccine')).toEqual(await expectedIds({ id: 'vaccine', name: 'Vaccine', query: 'weather OR rain' }));
  });

  it('marks a job failed with the parser error when its query no longer compiles', async () => {
    await stores.catalog.upsertTheme({ id: 'gone', name: 'Gone actor', query: 'actor:nobody-known' });
    const r = retagger();
    expect(await r.runPending()).toEqual([]);
    const job = await stores.catalog.getRetagJob('gone');
    expect(job?.status).toBe('failed');
    expect(job?.error).toMatch(/nobody-known/);
    // Not retried in a loop: the query is unchanged, so nothing new is requested.
    expect(await r.reconcile()).toEqual([]);
  });

  it('corrects an article stored with a stale tag list after the walk ended (tail window)', async () => {
    const theme: Theme = { id: 'fiveg', name: '5G', query: '5g' };
    await stores.catalog.upsertTheme(theme);
    const r = retagger({ tailMs: 60_000 });
    await r.runPending();
    // A batch enriched before the theme existed commits now: its 5G article lacks the tag.
    const late = article(40, '5G masts again', 'More 5G claims spread online.', []);
    await stores.articles.insertArticles([{ article: late, alertIds: [] }], now());
    await r.runPending();
    expect((await stores.articles.getArticle(late.id))?.themes).toContain('fiveg');
    // After the window the tail is dropped: a later stale article stays as stored (enrichment is current by then).
    clock += 61_000;
    const later = article(41, '5G once more', '5G everywhere.', []);
    await stores.articles.insertArticles([{ article: later, alertIds: [] }], now());
    await r.runPending();
    expect((await stores.articles.getArticle(later.id))?.themes).not.toContain('fiveg');
  });

  it('runs in the background loop and stops cleanly', async () => {
    await stores.catalog.upsertTheme({ id: 'markets', name: 'Markets', query: 'stocks' });
    const r = retagger({ pollMs: 10 });
    r.start();
    for (let i = 0; i < 200 && (await stores.catalog.getRetagJob('markets'))?.status !== 'done'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await r.stop();
    expect((await stores.catalog.getRetagJob('markets'))?.status).toBe('done');
    expect(await taggedIds('markets')).toHaveLength(1);
  });
});

describe('SQLite scan and theme tags', () => {
  it('scans every article once in storage order, including ones stored mid-walk', async () => {
    const seen: string[] = [];
    let page = await stores.articles.scanArticles(null, 4);
    seen.push(...page.articles.map((a) => a.id));
    await stores.articles.insertArticles([{ article: article(50, 'Late arrival story', 'Text.', []), alertIds: [] }], now());
    while (!page.end) {
      page = await stores.articles.scanArticles(page.cursor, 4);
      seen.push(...page.articles.map((a) => a.id));
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(TEXTS.length + 1);
    expect(seen).toContain(article(50, '', '', []).id);
    // An empty page keeps the cursor, so a follower can wait at the end.
    const again = await stores.articles.scanArticles(page.cursor, 4);
    expect(again).toEqual({ articles: [], cursor: page.cursor, end: true });
    await expect(stores.articles.scanArticles('not-a-seq', 4)).rejects.toThrow(/scan cursor/);
  });

  it('adds and removes one theme atomically, idempotently, leaving other themes alone', async () => {
    const a = article(0, ...TEXTS[0]!);
    const b = article(1, ...TEXTS[1]!);
    expect(await stores.articles.setThemeTag('x', { add: [a.id, b.id, 'f'.repeat(32)], remove: [] })).toEqual({ added: 2, removed: 0 });
    expect(await stores.articles.setThemeTag('x', { add: [a.id], remove: [] })).toEqual({ added: 0, removed: 0 });
    expect(await stores.articles.setThemeTag('x', { add: [], remove: [b.id] })).toEqual({ added: 0, removed: 1 });
    expect((await stores.articles.getArticle(a.id))?.themes).toEqual(['other', 'x']);
    expect((await stores.articles.getArticle(b.id))?.themes).toEqual(['other']);
    expect(await stores.articles.topTerms(parseQuery('theme:x'), { field: 'themes', limit: 10 })).toEqual([
      { term: 'other', count: 1 },
      { term: 'x', count: 1 },
    ]);
  });
});
