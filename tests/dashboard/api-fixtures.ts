/**
 * Shared setup for the API tests: real SQLite stores in a temp file, a small hand-built corpus, and an
 * app wired with a URL checker that refuses private addresses (decision only, no connection).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { articleId } from '../../core/ids.ts';
import type { EnrichedArticle } from '../../core/types.ts';
import { createApp } from '../../dashboard/api/app.ts';
import type { ApiDeps } from '../../dashboard/api/deps.ts';
import { openSqliteStores, type SqliteStores } from '../../store/sqlite/open-database.ts';

export const FIXED_NOW = new Date('2018-03-01T12:00:00.000Z');
export const TOKEN = 'test-token-0123456789abcdef';

/** Refuses 10.0.0.1 (and any 10.x host) the way the real policy refuses private networks. */
export async function refusePrivate(url: string): Promise<string | null> {
  const host = new URL(url).hostname;
  return /^10\./.test(host) ? `host ${host} is a private address` : null;
}

export function makeArticle(partial: {
  slug: string;
  title: string;
  text: string;
  outletId: string;
  publishedAt: string | null;
  firstSeenAt?: string;
  actors?: string[];
  themes?: string[];
  keywords?: string[];
  language?: string;
}): EnrichedArticle {
  const url = `https://news.example/${partial.outletId}/${partial.slug}`;
  return {
    id: articleId(url),
    url,
    canonicalUrl: url,
    feedId: `feed-${partial.outletId}`,
    outletId: partial.outletId,
    guid: null,
    title: partial.title,
    text: partial.text,
    publishedAt: partial.publishedAt,
    firstSeenAt: partial.firstSeenAt ?? partial.publishedAt ?? FIXED_NOW.toISOString(),
    author: null,
    language: partial.language ?? 'en',
    languageConfidence: 0.9,
    keywords: partial.keywords ?? [],
    entities: [],
    actors: partial.actors ?? [],
    themes: partial.themes ?? [],
  };
}

/** Four articles in February 2018: two RT pieces in week 6, two BBC pieces in week 8 (one without a date). */
export const ARTICLES: EnrichedArticle[] = [
  makeArticle({
    slug: 'staged',
    title: 'White Helmets accused of staging chemical attack',
    text: 'Officials in Syria claimed the White Helmets staged a chemical attack near Idlib.',
    outletId: 'rt',
    publishedAt: '2018-02-05T10:00:00.000Z',
    actors: ['white-helmets'],
    themes: ['chemical'],
    keywords: ['chemical', 'syria'],
  }),
  makeArticle({
    slug: 'talks',
    title: 'Syria talks resume in Sochi',
    text: 'Delegations met in Sochi to discuss a settlement for Syria.',
    outletId: 'rt',
    publishedAt: '2018-02-07T08:00:00.000Z',
    keywords: ['syria', 'sochi'],
  }),
  makeArticle({
    slug: 'inquiry',
    title: 'Inquiry into chemical weapons use',
    text: 'Inspectors in Syria are investigating reports of chemical weapons in Ghouta.',
    outletId: 'bbc',
    publishedAt: '2018-02-20T09:00:00.000Z',
    themes: ['chemical'],
    keywords: ['chemical', 'syria'],
  }),
  makeArticle({
    slug: 'undated',
    title: 'Rescuers in Ghouta',
    text: 'Volunteers known as the White Helmets pulled survivors from rubble.',
    outletId: 'bbc',
    publishedAt: null,
    firstSeenAt: '2018-02-21T06:00:00.000Z',
    actors: ['white-helmets'],
  }),
];

export interface TestEnv {
  stores: SqliteStores;
  app: ReturnType<typeof createApp>;
  deps: ApiDeps;
  watchlistChanges: { count: number };
  cleanup(): Promise<void>;
}

/** Opens fresh stores with outlets, an actor, a theme, an alert and the corpus (alert events for article 0). */
export async function setupApi(overrides: Partial<ApiDeps> = {}): Promise<TestEnv> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-api-'));
  const stores = openSqliteStores(path.join(dir, 'test.db'));
  const { catalog, articles } = stores;
  await catalog.upsertOutlet({ id: 'rt', name: 'RT', tags: ['state-affiliated'] });
  await catalog.upsertOutlet({ id: 'bbc', name: 'BBC News', tags: [] });
  await catalog.upsertActor({ id: 'white-helmets', name: 'White Helmets', type: 'organization', aliases: ['Syria Civil Defence', 'Белые каски'] });
  await catalog.upsertTheme({ id: 'chemical', name: 'Chemical attacks', query: 'chemical' });
  await catalog.upsertAlert({ id: 'helmets-alert', name: 'Helmets', query: 'actor:white-helmets', createdAt: '2018-01-01T00:00:00.000Z' });
  await articles.insertArticles(
    ARTICLES.map((article, i) => ({ article, alertIds: i === 0 || i === 3 ? ['helmets-alert'] : [] })),
    FIXED_NOW,
  );
  const watchlistChanges = { count: 0 };
  const deps: ApiDeps = {
    articles,
    catalog,
    queueKind: 'embedded',
    logger: pino({ level: 'silent' }),
    now: () => FIXED_NOW,
    requireToken: false,
    checkFeedUrl: refusePrivate,
    onWatchlistChanged: () => {
      watchlistChanges.count += 1;
    },
    ...overrides,
  };
  return {
    stores,
    app: createApp(deps),
    deps,
    watchlistChanges,
    cleanup: async () => {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** JSON POST through app.request. */
export function postJson(app: TestEnv['app'], url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
  );
}
