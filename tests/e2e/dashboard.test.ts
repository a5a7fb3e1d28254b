/**
 * End-to-end: the built dashboard, served by the real server over the real API and a temp-file SQLite
 * archive, driven in headless Chromium. Checks what a researcher relies on: chart totals equal the
 * articles behind them, points drill down to those articles, snippets highlight but never run HTML.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseOpml } from '../../core/opml.ts';
import type { EnrichedArticle } from '../../core/types.ts';
import { createApp } from '../../dashboard/api/app.ts';
import { startServer, type RunningServer } from '../../dashboard/server.ts';
import { openSqliteStores, type SqliteStores } from '../../store/sqlite/open-database.ts';
import { makeRawArticle } from '../helpers/raw-article.ts';
import { silentLogger } from '../helpers/silent-logger.ts';
import { chromiumAvailable, CHROMIUM_PATH, launchBrowser } from './browser.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UI_SRC = path.join(REPO_ROOT, 'dashboard/ui');
const UI_DIR = path.join(REPO_ROOT, 'dist/ui');

const HAS_CHROMIUM = chromiumAvailable();
if (!HAS_CHROMIUM) {
  process.stderr.write(
    `\n!!! SKIPPING the dashboard browser tests: ${CHROMIUM_PATH} not found. Install it with \`apt-get install -y chromium\` (CI must). !!!\n\n`,
  );
}

/** Newest modification time under a directory (the UI sources), to tell whether dist/ui is stale. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the UI when dist/ui is missing or older than its sources (npm test builds it first anyway). */
function ensureUiBuilt(): void {
  const index = path.join(UI_DIR, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(UI_SRC)) return;
  execFileSync('npx', ['vite', 'build', '--config', 'dashboard/ui/vite.config.ts', '--logLevel', 'error'], {
    cwd: REPO_ROOT,
    // vitest sets NODE_ENV=test, which would make vite bundle React's development build.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

// ---- The fixture archive -------------------------------------------------------------------------------

const NOW = new Date('2018-02-20T12:00:00.000Z');
const DAYS = ['2018-02-10', '2018-02-11', '2018-02-12', '2018-02-13', '2018-02-14', '2018-02-15'];
/** Phrase articles per day: uneven so a wrong bucket shows up as a wrong count. */
const PHRASE_PER_DAY = [2, 5, 3, 6, 1, 5];
const OTHER_PER_DAY = [1, 0, 2, 0, 1, 0];

/** Set on `window` by the planted payloads if the browser ever runs them. */
const XSS_FLAG = '__nmXss';
const XSS_TEXT = `<img src=x onerror="window.${XSS_FLAG}=1"><script>window.${XSS_FLAG}=2</script>`;

interface Fixture {
  articles: EnrichedArticle[];
  /** Ids matching "white helmets" (the phrase), per day. */
  phraseByDay: Map<string, string[]>;
  /** Ids tagged with the white-helmets actor. */
  actorIds: string[];
  alertIds: Set<string>;
  /** Title of the article carrying the planted HTML payloads. */
  plantedTitle: string;
}

function buildFixture(feedIds: { rt: string; wire: string }): Fixture {
  const articles: EnrichedArticle[] = [];
  const phraseByDay = new Map<string, string[]>();
  const actorIds: string[] = [];
  let n = 0;
  let plantedTitle = '';
  const enrich = (raw: ReturnType<typeof makeRawArticle>, actors: string[], themes: string[]): EnrichedArticle => ({
    ...raw,
    language: 'en',
    languageConfidence: 0.99,
    keywords: ['syria', 'idlib'],
    entities: [],
    actors,
    themes,
  });
  DAYS.forEach((day, d) => {
    for (let i = 0; i < (PHRASE_PER_DAY[d] ?? 0); i += 1) {
      n += 1;
      const fallback = d === 1 && i === 0;
      const planted = d === 3 && i === 0;
      const raw = makeRawArticle(n, {
        feedId: i % 2 === 0 ? feedIds.rt : feedIds.wire,
        outletId: i % 2 === 0 ? 'rt' : 'wire-service',
        title: planted ? `Report ${n} <img src=x onerror="window.${XSS_FLAG}=3">` : `White Helmets report ${n} from Idlib`,
        text: planted
          ? `Residents said the White Helmets ${XSS_TEXT} arrived after the strike on Saraqib.`
          : `Volunteers of the White Helmets worked in Saraqib on day ${d}. Staged claims were repeated on air.`,
        // One article without a usable date: it is placed by first-seen time and flagged.
        publishedAt: fallback ? null : `${day}T${String(8 + i).padStart(2, '0')}:00:00.000Z`,
        firstSeenAt: `${day}T${String(9 + i).padStart(2, '0')}:30:00.000Z`,
      });
      const article = enrich(raw, ['white-helmets'], i % 3 === 0 ? ['staged-attack'] : []);
      if (planted) plantedTitle = raw.title;
      articles.push(article);
      phraseByDay.set(day, [...(phraseByDay.get(day) ?? []), article.id]);
      actorIds.push(article.id);
    }
    for (let i = 0; i < (OTHER_PER_DAY[d] ?? 0); i += 1) {
      n += 1;
      const raw = makeRawArticle(n, {
        feedId: feedIds.wire,
        outletId: 'wire-service',
        title: `Security Council session ${n}`,
        // Tagged with the actor through an alias, without the phrase: the two series must differ.
        text: `The Syria Civil Defence said the council met again on ${day}.`,
        publishedAt: `${day}T15:00:00.000Z`,
        firstSeenAt: `${day}T15:10:00.000Z`,
      });
      const article = enrich(raw, d === 0 ? ['white-helmets'] : [], []);
      articles.push(article);
      if (d === 0) actorIds.push(article.id);
    }
  });
  const alertIds = new Set([...phraseByDay.values()].flat());
  return { articles, phraseByDay, actorIds, alertIds, plantedTitle };
}

const PHRASE_TOTAL = PHRASE_PER_DAY.reduce((a, b) => a + b, 0);

// ---- Browser plumbing ----------------------------------------------------------------------------------

interface TrackedPage {
  page: Page;
  errors: string[];
}

describe.skipIf(!HAS_CHROMIUM)('dashboard in Chromium', () => {
  let tmp: string;
  let stores: SqliteStores;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let fixture: Fixture;
  let failingFeedId: string;
  const opened: TrackedPage[] = [];

  beforeAll(async () => {
    ensureUiBuilt();
    tmp = mkdtempSync(path.join(tmpdir(), 'nm-e2e-'));
    stores = openSqliteStores(path.join(tmp, 'narrative-monitor.db'));
    const { catalog, articles } = stores;

    await catalog.upsertOutlet({ id: 'rt', name: 'RT', tags: ['state-affiliated'] });
    await catalog.upsertOutlet({ id: 'wire-service', name: 'Wire Service', tags: ['wire'] });
    const rtFeed = await catalog.addFeed('https://rt.example/rss', 'rt', NOW);
    const wireFeed = await catalog.addFeed('https://wire.example/world.xml', 'wire-service', NOW);
    await catalog.recordFeedOutcome(wireFeed.id, {
      status: 'ok',
      at: new Date('2018-02-20T11:00:00.000Z'),
      nextCheckAt: new Date('2018-02-20T11:15:00.000Z'),
      title: 'Wire Service — World',
      httpStatus: 200,
    });
    await catalog.recordFeedOutcome(rtFeed.id, {
      status: 'error',
      at: new Date('2018-02-20T11:00:00.000Z'),
      nextCheckAt: new Date('2018-02-20T13:00:00.000Z'),
      errorCode: 'http_404',
      errorMessage: 'fetch-feed: 404 from rt.example',
      httpStatus: 404,
    });
    failingFeedId = rtFeed.id;

    await catalog.upsertActor({ id: 'white-helmets', name: 'White Helmets', type: 'organization', aliases: ['Syria Civil Defence'] });
    await catalog.upsertTheme({ id: 'staged-attack', name: 'Staged attack', query: 'staged' });
    await catalog.upsertAlert({ id: 'wh-mentions', name: 'White Helmets mentions', query: '"white helmets"', createdAt: '2018-02-01T00:00:00.000Z' });

    fixture = buildFixture({ rt: rtFeed.id, wire: wireFeed.id });
    const result = await articles.insertArticles(
      fixture.articles.map((article) => ({ article, alertIds: fixture.alertIds.has(article.id) ? ['wh-mentions'] : [] })),
      NOW,
    );
    expect(result.inserted).toHaveLength(fixture.articles.length);

    const app = createApp({
      articles,
      catalog,
      queueKind: 'memory',
      logger: silentLogger,
      now: () => NOW,
      requireToken: false,
      // Adding a feed must not reach the network from a test; the URL policy itself is tested with the API.
      checkFeedUrl: async () => null,
    });
    server = await startServer({ app, host: '127.0.0.1', port: 0, uiDir: UI_DIR, logger: silentLogger });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // The page must only ever talk to the server under test (article links point at *.example hosts).
    const origin = new URL(server.url).origin;
    await context.route('**/*', (route) => {
      const url = route.request().url();
      return url.startsWith(`${origin}/`) || url.startsWith('data:') ? route.continue() : route.abort();
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await stores?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** A page that records uncaught errors and console errors (the favicon is the server's business). */
  /**
   * Chromium logs every 4xx fetch as a console error; tests that provoke a 400 on purpose pass `allow400`.
   */
  async function openPage(hash: string, options: { allow400?: boolean } = {}): Promise<Page> {
    const page = await context.newPage();
    const tracked: TrackedPage = { page, errors: [] };
    page.on('pageerror', (err) => tracked.errors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      const text = msg.text();
      const expected400 = options.allow400 === true && /status of 400 \(Bad Request\)/.test(text);
      if (msg.type() === 'error' && !expected400 && !/favicon/i.test(text) && !/favicon/i.test(msg.location().url)) {
        tracked.errors.push(`console: ${msg.text()}`);
      }
    });
    opened.push(tracked);
    await page.goto(`${server.url}/${hash}`);
    return page;
  }

  afterEach(async () => {
    const pages = opened.splice(0);
    const errors = pages.flatMap((p) => p.errors);
    await Promise.all(pages.map((p) => p.page.close()));
    expect(errors).toEqual([]);
  });

  const trendsHash = (queries: string[], extra: Record<string, string> = {}): string => {
    const params = new URLSearchParams();
    for (const q of queries) params.append('q', q);
    for (const [k, v] of Object.entries(extra)) params.set(k, v);
    return `#/trends?${params.toString()}`;
  };

  it('draws one line per series from the URL, with legend totals equal to the matching articles', async () => {
    const page = await openPage(trendsHash(['"white helmets"', 'actor:white-helmets'], { from: '2018-02-10', to: '2018-02-16' }));
    await page.locator('[data-testid="trend-chart"] .recharts-line path.recharts-line-curve').first().waitFor();
    await expect.poll(() => page.locator('.recharts-line').count()).toBe(2);
    // One dot per day per series: six days, two series.
    await expect.poll(() => page.locator('[data-testid="trend-dot"]').count()).toBe(DAYS.length * 2);
    const curve = await page.locator('.recharts-line path.recharts-line-curve').first().getAttribute('d');
    expect(curve ?? '').toMatch(/^M[\d.]+,[\d.]+L/);

    const items = page.getByTestId('trend-legend-item');
    await expect.poll(() => items.nth(1).getByTestId('trend-legend-total').count()).toBe(1);
    expect(await items.nth(0).getByTestId('trend-legend-label').textContent()).toBe('"white helmets"');
    expect(await items.nth(0).getByTestId('trend-legend-total').textContent()).toBe(String(PHRASE_TOTAL));
    expect(await items.nth(1).getByTestId('trend-legend-label').textContent()).toBe('White Helmets');
    expect(await items.nth(1).getByTestId('trend-legend-total').textContent()).toBe(String(fixture.actorIds.length));
    expect(fixture.actorIds.length).not.toBe(PHRASE_TOTAL);

    // The article without a published date is disclosed under the chart.
    expect(await page.getByTestId('fallback-note').textContent()).toContain('"white helmets" (1 of');

    // The quick-add buttons know the watchlist; the actor already charted is disabled.
    expect(await page.getByTestId('quick-add-actor').isDisabled()).toBe(true);
    expect(await page.getByTestId('quick-add-theme').isEnabled()).toBe(true);
    expect(await page.getByTestId('health-articles').textContent()).toBe(String(fixture.articles.length));
  }, 60_000);

  it('drills down from a chart point to the articles of that series and day', async () => {
    const page = await openPage(trendsHash(['"white helmets"'], { from: '2018-02-10', to: '2018-02-16' }));
    const day = '2018-02-13';
    // Bucket starts are ISO with offset (UTC here); the drill-down range is the bucket's day.
    const dot = page.locator(`[data-testid="trend-dot"][data-series="0"][data-bucket="${day}T00:00:00+00:00"]`);
    await dot.waitFor();
    await dot.click();
    await page.getByTestId('page-search').waitFor();
    const url = new URL(page.url());
    const params = new URLSearchParams(url.hash.split('?')[1]);
    expect(params.get('q')).toBe('"white helmets"');
    expect(params.get('from')).toBe(day);
    expect(params.get('to')).toBe('2018-02-14');
    const expected = fixture.phraseByDay.get(day)?.length ?? -1;
    await expect.poll(() => page.getByTestId('search-result').count()).toBe(expected);
    expect(await page.getByTestId('search-total').textContent()).toBe(`${expected} articles`);
  }, 60_000);

  it('switching the interval keeps the state in the URL and rebuckets the series', async () => {
    const page = await openPage(trendsHash(['"white helmets"'], { from: '2018-02-10', to: '2018-02-16' }));
    await page.locator('[data-testid="trend-dot"]').first().waitFor();
    await page.getByTestId('interval-week').check();
    await expect.poll(() => new URLSearchParams(page.url().split('?')[1]).get('interval')).toBe('week');
    // 2018-02-10/11 are Sat/Sun of the week of Feb 5; Feb 12–15 fall in the week of Feb 12.
    await expect.poll(() => page.locator('[data-testid="trend-dot"]').count()).toBe(2);
    expect(await page.getByTestId('trend-legend-total').textContent()).toBe(String(PHRASE_TOTAL));
  }, 60_000);

  it('breaks a series down by outlet, switches to shares of all articles, and drills down from a top term', async () => {
    const page = await openPage(trendsHash(['"white helmets"'], { from: '2018-02-10', to: '2018-02-16', breakdown: 'outlet' }));
    const phraseIds = new Set([...fixture.phraseByDay.values()].flat());
    const byOutlet = (outlet: string) => fixture.articles.filter((a) => phraseIds.has(a.id) && a.outletId === outlet);
    const items = page.getByTestId('trend-legend-item');
    await expect.poll(() => items.count()).toBe(2);
    await expect.poll(() => page.getByTestId('trend-legend-total').count()).toBe(2);
    // The largest group first: RT carries the even-numbered phrase articles of every day.
    expect(await items.nth(0).getByTestId('trend-legend-label').textContent()).toBe('RT');
    expect(await items.nth(0).getByTestId('trend-legend-total').textContent()).toBe(String(byOutlet('rt').length));
    expect(await items.nth(1).getByTestId('trend-legend-label').textContent()).toBe('Wire Service');
    expect(await items.nth(1).getByTestId('trend-legend-total').textContent()).toBe(String(byOutlet('wire-service').length));
    expect(byOutlet('rt').length + byOutlet('wire-service').length).toBe(PHRASE_TOTAL);
    await expect.poll(() => page.locator('.recharts-line').count()).toBe(2);

    await page.getByTestId('trend-normalize').check();
    await expect.poll(() => new URLSearchParams(page.url().split('?')[1]).get('normalize')).toBe('true');
    await expect.poll(() => page.getByTestId('trend-chart').getAttribute('data-normalized')).toBe('true');
    // Wire Service on 10 Feb: 1 phrase article among its 2 articles that day (the other is a council session).
    const day = DAYS[0] ?? '';
    const wireAll = fixture.articles.filter((a) => a.outletId === 'wire-service' && (a.publishedAt ?? a.firstSeenAt).startsWith(day)).length;
    const wirePhrase = byOutlet('wire-service').filter((a) => (a.publishedAt ?? a.firstSeenAt).startsWith(day)).length;
    expect([wirePhrase, wireAll]).toEqual([1, 2]);
    const dot = page.locator(`[data-testid="trend-dot"][data-series="1"][data-bucket="${day}T00:00:00+00:00"]`);
    await expect.poll(() => dot.getAttribute('aria-label')).toContain(`50.0% (${wirePhrase} of ${wireAll})`);

    // The top outlets of the first query, each a drill-down to Search with an outlet: filter.
    const rtTerm = page.locator('[data-testid="terms-outlet"] [data-testid="term-link"][data-term="rt"]');
    await rtTerm.waitFor();
    await rtTerm.click();
    await page.getByTestId('page-search').waitFor();
    const params = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    expect(params.get('q')).toBe('("white helmets") AND outlet:"rt"');
    await expect.poll(() => page.getByTestId('search-total').textContent()).toBe(`${byOutlet('rt').length} articles`);
  }, 60_000);

  it('shows the actor x theme matrix as a heatmap whose cell counts the articles with both, and drills down', async () => {
    const page = await openPage('#/matrix?actors=white-helmets&themes=staged-attack&interval=week');
    const expected = fixture.articles.filter((a) => a.actors.includes('white-helmets') && a.themes.includes('staged-attack')).length;
    expect(expected).toBeGreaterThan(0);
    const cell = page.locator('[data-testid="heatmap-cell"][data-actor="white-helmets"][data-theme="staged-attack"]').first();
    await cell.waitFor();
    expect(await cell.getAttribute('data-count')).toBe(String(expected));
    expect(await cell.textContent()).toBe(String(expected));
    expect(await page.getByTestId('nav-matrix').getAttribute('aria-current')).toBe('page');
    // Per week: the slider shows one bucket at a time.
    await page.getByTestId('matrix-slider').waitFor();
    await cell.click();
    await page.getByTestId('page-search').waitFor();
    const params = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    expect(params.get('q')).toBe('actor:"white-helmets" AND theme:"staged-attack"');
    await expect.poll(() => page.getByTestId('search-total').textContent()).toBe(`${expected} articles`);
  }, 60_000);

  it('searches with highlighted snippets, never running HTML planted in articles, and pages with Load more', async () => {
    const page = await openPage(`#/search?q=${encodeURIComponent('"white helmets"')}`);
    const results = page.getByTestId('search-result');
    await results.first().waitFor();
    expect(await page.getByTestId('search-total').textContent()).toBe(`${PHRASE_TOTAL} articles`);
    expect(await results.count()).toBe(20);

    const marks = page.locator('[data-testid="search-result"] [data-testid="snippet"] mark');
    expect(await marks.count()).toBeGreaterThan(0);
    expect((await marks.first().textContent())?.toLowerCase()).toMatch(/white|helmets/);

    const link = results.first().getByTestId('result-link');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');

    await page.getByTestId('load-more').click();
    await expect.poll(() => results.count()).toBe(PHRASE_TOTAL);
    expect(await page.getByTestId('load-more').count()).toBe(0);

    // The planted payloads are visible as text and nowhere present as elements, and never ran.
    const planted = results.filter({ hasText: fixture.plantedTitle });
    expect(await planted.count()).toBe(1);
    expect(await planted.getByTestId('snippet').textContent()).toContain('<img src=x');
    expect(await planted.getByTestId('snippet').textContent()).toContain('<script>');
    expect(await page.locator('.results img, .results script').count()).toBe(0);
    expect(await page.evaluate((flag) => (window as unknown as Record<string, unknown>)[flag], XSS_FLAG)).toBeUndefined();

    // The article placed by its first-seen date says so.
    expect(await page.getByTestId('date-fallback').count()).toBe(1);
    // Actor chips carry the watchlist name, not the id.
    expect(await results.first().getByTestId('actor-chip').textContent()).toBe('White Helmets');
  }, 60_000);

  it('shows a query error with the position under the query box', async () => {
    const page = await openPage(`#/search?q=${encodeURIComponent('white AND')}`, { allow400: true });
    const error = page.getByTestId('query-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('AND needs a clause after it');
    const pointer = await page.getByTestId('query-error-pointer').textContent();
    expect(pointer).toBe(`white AND\n${' '.repeat(6)}^`);
    expect(await page.getByTestId('search-result').count()).toBe(0);

    // On Trends the API names the failing series (q.1), and the pointer sits under that query.
    const trends = await openPage(trendsHash(['"white helmets"', 'actor:white-helmets OR (idlib']), { allow400: true });
    const trendError = trends.getByTestId('query-error');
    await trendError.waitFor();
    expect(await trendError.textContent()).toMatch(/^Series 2: .*never closed/);
    expect(await trends.getByTestId('query-error-pointer').textContent()).toBe(`actor:white-helmets OR (idlib\n${' '.repeat(23)}^`);
  }, 60_000);

  it('refines a search from a facet, sorts by best match, and exports exactly the filtered result set', async () => {
    const page = await openPage(`#/search?q=${encodeURIComponent('"white helmets"')}`);
    const phraseIds = new Set([...fixture.phraseByDay.values()].flat());
    const rtIds = fixture.articles.filter((a) => a.outletId === 'rt' && phraseIds.has(a.id)).map((a) => a.id);
    const rtFacet = page.locator('[data-testid="facet-outlet"] [data-testid="facet-value"][data-value="rt"]');
    await rtFacet.waitFor();
    expect(await rtFacet.textContent()).toBe('RT');
    const rtRow = page.locator('[data-testid="facet-outlet"] li').filter({ has: page.locator('[data-value="rt"]') });
    expect(await rtRow.getByTestId('facet-count').textContent()).toBe(String(rtIds.length));

    await rtFacet.click();
    await expect.poll(() => new URLSearchParams(page.url().split('?')[1]).get('outlet')).toBe('rt');
    await expect.poll(() => page.getByTestId('search-total').textContent()).toBe(`${rtIds.length} articles`);
    expect(await page.getByTestId('active-filter').textContent()).toContain('Outlet: RT');

    await page.getByTestId('sort-relevance').check();
    await expect.poll(() => new URLSearchParams(page.url().split('?')[1]).get('sort')).toBe('relevance');
    await expect.poll(() => page.getByTestId('search-total').textContent()).toBe(`${rtIds.length} articles`);
    // The phrase in the title and the body outranks the planted article, which has it in the body only.
    await page.getByTestId('search-result').first().waitFor();
    expect(await page.getByTestId('search-result').first().getByTestId('result-link').textContent()).toMatch(/^White Helmets report/);

    const href = await page.getByTestId('export-csv').getAttribute('href');
    const exportParams = new URLSearchParams((href ?? '').split('?')[1]);
    expect(href?.startsWith('/api/export?')).toBe(true);
    expect(Object.fromEntries(exportParams)).toEqual({ format: 'csv', q: '"white helmets"', outlet: 'rt' });
    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), href ?? '');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[1]).toBe('# query: "white helmets"');
    expect(lines[4]).toBe(`# total: ${rtIds.length}`);
    expect(lines.slice(7).map((l) => l.split(',')[0]).sort()).toEqual([...rtIds].sort());
    expect(await page.getByTestId('export-jsonl').getAttribute('href')).toContain('format=jsonl');
  }, 60_000);

  it('lists feeds with their recorded health and reports the API reason when adding a bad feed', async () => {
    const page = await openPage('#/feeds', { allow400: true });
    const table = page.getByTestId('feeds-table');
    await table.locator('[data-testid="feed-row"]').first().waitFor();
    expect(await table.locator('[data-testid="feed-row"]').count()).toBe(2);
    const failing = table.locator(`[data-feed-id="${failingFeedId}"]`);
    expect(await failing.getAttribute('data-status')).toBe('error');
    expect(await failing.getByTestId('feed-error-code').textContent()).toBe('http_404');
    expect(await failing.textContent()).toContain('fetch-feed: 404 from rt.example');
    expect(await failing.getByTestId('feed-status').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(180, 35, 24)');

    await page.getByTestId('feed-url-input').fill('not a url');
    await page.getByTestId('feed-outlet-input').fill('Example News');
    await page.getByRole('button', { name: 'Add feed' }).click();
    const formError = page.getByTestId('feed-form-error');
    await formError.waitFor();
    expect(await formError.textContent()).toMatch(/^url: /);

    await page.getByTestId('feed-url-input').fill('https://news.example/feed.xml');
    await page.getByRole('button', { name: 'Add feed' }).click();
    await expect.poll(() => table.locator('[data-testid="feed-row"]').count()).toBe(3);
    expect(await table.locator('[data-testid="feed-row"]', { hasText: 'news.example/feed.xml' }).textContent()).toContain('Example News');
  }, 60_000);

  it('puts the failing count on top, filters by state, and exports and imports OPML', async () => {
    const page = await openPage('#/feeds');
    const table = page.getByTestId('feeds-table');
    await table.locator('[data-testid="feed-row"]').first().waitFor();
    expect(await page.getByTestId('feeds-failing-count').textContent()).toBe('1');
    expect(await page.getByTestId('feeds-summary').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(180, 35, 24)');
    // Problems first: the failing feed is the first row, with its HTTP status and error.
    const first = table.locator('[data-testid="feed-row"]').first();
    expect(await first.getAttribute('data-feed-id')).toBe(failingFeedId);
    expect(await first.getByTestId('feed-http-status').textContent()).toBe('404');
    expect(await first.textContent()).toContain('fetch-feed: 404 from rt.example');
    expect(await first.getByTestId('feed-next-check').textContent()).toBe('2018-02-20 13:00 UTC');

    await page.getByTestId('feed-state-filter').selectOption('error');
    await expect.poll(() => table.locator('[data-testid="feed-row"]').count()).toBe(1);
    await page.getByTestId('feed-state-filter').selectOption('ok');
    await expect.poll(() => table.locator('[data-testid="feed-row"]').count()).toBe(1);
    expect(await table.locator('[data-testid="feed-row"]').textContent()).toContain('wire.example/world.xml');
    await page.getByTestId('feed-state-filter').selectOption('all');

    const exportLink = page.getByTestId('opml-export');
    expect(await exportLink.getAttribute('download')).not.toBeNull();
    const href = await exportLink.getAttribute('href');
    const download = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), text: await res.text() };
    }, href ?? '');
    expect(download.status).toBe(200);
    expect(download.type).toBe('text/x-opml; charset=utf-8');
    expect(download.disposition).toMatch(/^attachment; filename="narrative-monitor-feeds-\d{4}-\d{2}-\d{2}\.opml"$/);
    const rt = parseOpml(download.text).outlets.find((o) => o.id === 'rt');
    expect(rt).toMatchObject({ name: 'RT', tags: ['state-affiliated'], feeds: ['https://rt.example/rss'] });

    const before = await table.locator('[data-testid="feed-row"]').count();
    const opml = `<opml version="2.0"><body><outline text="Imported"><outline type="rss" text="Enab Baladi" xmlUrl="https://enabbaladi.example/feed/"/></outline></body></opml>`;
    await page.getByTestId('opml-file-input').setInputFiles({ name: 'list.opml', mimeType: 'text/x-opml', buffer: Buffer.from(opml) });
    const result = page.getByTestId('opml-import-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('Imported 1 feed (0 already present) into 1 outlet (1 new).');
    await expect.poll(() => table.locator('[data-testid="feed-row"]').count()).toBe(before + 1);
    expect(await table.locator('[data-testid="feed-row"]', { hasText: 'enabbaladi.example/feed/' }).textContent()).toContain('Enab Baladi');
  }, 60_000);

  it('lists alerts with event counts and recent events, and creates a new alert', async () => {
    const page = await openPage('#/alerts', { allow400: true });
    const alert = page.locator('[data-testid="alert-item"][data-alert-id="wh-mentions"]');
    await alert.waitFor();
    expect(await alert.getByTestId('alert-event-count').textContent()).toBe(`${fixture.alertIds.size} events`);
    // The page shows the ten newest events.
    await expect.poll(() => alert.getByTestId('alert-event').count()).toBe(10);

    await page.getByTestId('alert-name-input').fill('Staging claims');
    await page.getByTestId('alert-query-input').fill('staged AND');
    await page.getByRole('button', { name: 'Create alert' }).click();
    await page.getByTestId('query-error-pointer').waitFor();

    await page.getByTestId('alert-query-input').fill('staged AND actor:"White Helmets"');
    await page.getByRole('button', { name: 'Create alert' }).click();
    const created = page.locator('[data-testid="alert-item"]', { hasText: 'Staging claims' });
    await created.waitFor();
    expect(await created.getByTestId('alert-event-count').textContent()).toBe('0 events');
  }, 60_000);
});
