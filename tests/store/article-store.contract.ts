/**
 * Behavioural contract of the ArticleStore port: every adapter (SQLite, Elasticsearch) runs this suite
 * and must return the same ids for the same query ASTs over the same multilingual fixtures.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { articleId } from '../../core/ids.ts';
import type { QueryNode, TagField, TextField } from '../../core/query/ast.ts';
import { parseQuery } from '../../core/query/parse.ts';
import type { Alert, EnrichedArticle, Entity, TrendInterval } from '../../core/types.ts';
import type { ArticleStore, ArticleToStore, SearchOptions } from '../../store/article-store.ts';
import { fingerprintArticle } from '../../worker/enrich/syndication.ts';
import { registerSearchContract } from './article-store-search.contract.ts';

/** What the suite needs from an adapter's test harness. */
export interface ArticleStoreHarness {
  store: ArticleStore;
  cleanup: () => Promise<void>;
}

/** Known before the first insert: alerts decide whether a new event awaits webhook delivery. */
export interface ArticleStoreSetup {
  alerts: readonly Alert[];
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures: twelve short articles in English, Russian, Arabic and French (with diacritics).

type FixtureKey =
  | 'enRescue' | 'enStaged' | 'enCouncil' | 'ruHelmets' | 'ruCouncil' | 'arRescue'
  | 'arCouncil' | 'frIdlib' | 'frConseil' | 'enTricks' | 'enWeather' | 'frEconomie';

interface FixtureSpec {
  outlet: string;
  feed: string;
  lang: string;
  title: string;
  text: string;
  publishedAt: string | null;
  firstSeenAt?: string;
  actors?: string[];
  themes?: string[];
  keywords?: string[];
  entities?: [string, Entity['type']][];
}

const WEATHER_TEXT =
  'Sunny skies with a chance of rain in the afternoon. ' +
  'Forecasters expect mild temperatures across the region through the weekend. '.repeat(8) +
  'A storm may arrive on Monday.';

const SPECS: Record<FixtureKey, FixtureSpec> = {
  enRescue: {
    outlet: 'bbc', feed: 'feed-bbc-world', lang: 'en',
    title: 'White Helmets rescue civilians in Idlib',
    text: 'Volunteers of the White Helmets pulled survivors from the rubble after an air strike in Idlib province.',
    publishedAt: '2024-03-04T10:00:00.000Z',
    actors: ['white-helmets'], keywords: ['idlib', 'rescue', 'volunteers'],
    entities: [['White Helmets', 'ORG'], ['Idlib', 'LOC']],
  },
  enStaged: {
    outlet: 'rt', feed: 'feed-rt', lang: 'en',
    title: 'Staged chemical attack claims',
    text: 'Officials in Moscow claimed the White Helmets staged a chemical attack near Saraqib.',
    publishedAt: '2024-03-03T23:30:00.000Z',
    actors: ['white-helmets'], themes: ['staged-chemical-attack'], keywords: ['chemical attack', 'saraqib'],
    entities: [['Moscow', 'LOC'], ['White Helmets', 'ORG'], ['Saraqib', 'LOC']],
  },
  enCouncil: {
    outlet: 'bbc', feed: 'feed-bbc-world', lang: 'en',
    title: 'Security Council meets on Syria',
    text: 'The UN Security Council met to discuss the humanitarian situation in Syria.',
    publishedAt: '2024-03-10T09:00:00.000Z',
    keywords: ['syria', 'security council'], entities: [['UN Security Council', 'ORG'], ['Syria', 'LOC']],
  },
  ruHelmets: {
    outlet: 'rt', feed: 'feed-rt', lang: 'ru',
    title: 'Белые каски инсценировали химическую атаку',
    text: 'По данным министерства, «Белые каски» готовят провокацию в Идлибе.',
    publishedAt: null, firstSeenAt: '2024-03-05T08:00:00.000Z',
    actors: ['white-helmets'], themes: ['staged-chemical-attack'], keywords: ['белые каски'],
    entities: [['Белые каски', 'ORG']],
  },
  ruCouncil: {
    outlet: 'rt', feed: 'feed-rt', lang: 'ru',
    title: 'Совет Безопасности ООН обсудил Сирию',
    text: 'Заседание Совета Безопасности было посвящено ситуации в Сирии.',
    publishedAt: '2024-02-28T15:00:00.000Z',
    keywords: ['сирия'], entities: [['Сирия', 'LOC']],
  },
  arRescue: {
    outlet: 'aljazeera', feed: 'feed-aljazeera', lang: 'ar',
    title: 'الخوذ البيضاء تنقذ مدنيين في إدلب',
    text: 'أنقذ متطوعو الخوذ البيضاء مدنيين من تحت الأنقاض في إدلب.',
    // Same instant as enRescue: the (date, id) order and the cursor must break the tie.
    publishedAt: '2024-03-04T10:00:00.000Z',
    actors: ['white-helmets'], keywords: ['إدلب'], entities: [['إدلب', 'LOC']],
  },
  arCouncil: {
    outlet: 'aljazeera', feed: 'feed-aljazeera', lang: 'ar',
    title: 'مجلس الأمن يناقش الوضع في سوريا',
    text: 'ناقش مجلس الأمن الدولي الوضع الإنساني في سوريا.',
    publishedAt: '2024-04-01T06:00:00.000Z',
    entities: [['سوريا', 'LOC']],
  },
  frIdlib: {
    outlet: 'lemonde', feed: 'feed-lemonde', lang: 'fr',
    title: "Crise humanitaire à Idlib : l'été de tous les dangers",
    text: "Les réfugiés fuient vers la frontière turque. L'Élysée appelle à une trêve.",
    publishedAt: '2024-03-06T18:00:00.000Z',
    keywords: ['idlib', 'réfugiés'], entities: [['Idlib', 'LOC'], ['Élysée', 'ORG']],
  },
  frConseil: {
    outlet: 'lemonde', feed: 'feed-lemonde', lang: 'fr',
    title: 'Le Conseil de sécurité réuni en urgence',
    text: "Le Conseil de sécurité de l'ONU s'est réuni à New York à propos de la Syrie.",
    publishedAt: null, firstSeenAt: '2024-03-12T07:00:00.000Z',
    keywords: ['syrie'], entities: [['New York', 'LOC'], ['Syrie', 'LOC']],
  },
  enTricks: {
    outlet: 'rt', feed: 'feed-rt', lang: 'en',
    title: 'Western media ignore the evidence',
    text: 'Analysts say <script>alert(1)</script> & other tricks hide the chemical truth.',
    publishedAt: '2024-03-11T12:00:00.000Z',
    keywords: ['chemical'],
  },
  enWeather: {
    outlet: 'bbc', feed: 'feed-bbc-uk', lang: 'en',
    title: 'Weather report for London',
    text: WEATHER_TEXT,
    publishedAt: '2024-01-15T12:00:00.000Z',
    keywords: ['rain'],
  },
  frEconomie: {
    outlet: 'lemonde', feed: 'feed-lemonde', lang: 'fr',
    title: 'Économie : la croissance ralentit',
    text: "L'économie française ralentit selon l'INSEE.",
    // Exactly on a day (and range) boundary.
    publishedAt: '2024-03-04T00:00:00.000Z',
    keywords: ['économie'],
  },
};

const KEYS = Object.keys(SPECS) as FixtureKey[];

function buildArticle(key: FixtureKey): EnrichedArticle {
  const s = SPECS[key];
  const url = `https://${s.outlet}.example/news/${key}`;
  return {
    id: articleId(url),
    url,
    canonicalUrl: url,
    feedId: s.feed,
    outletId: s.outlet,
    guid: `guid-${key}`,
    title: s.title,
    text: s.text,
    publishedAt: s.publishedAt,
    firstSeenAt: s.firstSeenAt ?? s.publishedAt ?? '2024-01-01T00:00:00.000Z',
    author: key.startsWith('en') ? 'Staff reporter' : null,
    language: s.lang,
    languageConfidence: 0.9,
    keywords: s.keywords ?? [],
    entities: (s.entities ?? []).map(([text, type], i) => ({ text, type, start: i * 10, end: i * 10 + text.length })),
    actors: s.actors ?? [],
    themes: s.themes ?? [],
  };
}

/** The fixture articles, by key. */
export const FIXTURES: Record<FixtureKey, EnrichedArticle> = Object.fromEntries(
  KEYS.map((k) => [k, buildArticle(k)]),
) as Record<FixtureKey, EnrichedArticle>;

const ALL = KEYS.map((k) => FIXTURES[k]);
const ID = (k: FixtureKey): string => FIXTURES[k].id;
const ids = (...keys: FixtureKey[]): string[] => keys.map(ID).sort();
const dateOf = (a: EnrichedArticle): string => a.publishedAt ?? a.firstSeenAt;

export const CONTRACT_ALERTS: readonly Alert[] = [
  // Port 9 (discard) on loopback: nothing in this suite ever delivers, the URL only marks "has webhook".
  { id: 'chem', name: 'Chemical', query: 'chemical', webhookUrl: 'http://127.0.0.1:9/hook', createdAt: '2024-01-01T00:00:00.000Z' },
  { id: 'quiet', name: 'Quiet', query: 'helmets', createdAt: '2024-01-01T00:00:00.000Z' },
];

// Hand-built ASTs: what the parser would produce (values already lowercased and diacritic-folded).
const term = (value: string, field: TextField = 'text'): QueryNode => ({ kind: 'term', field, value });
const phrase = (words: string[], field: TextField = 'text'): QueryNode => ({ kind: 'phrase', field, words });
const tag = (field: TagField, value: string): QueryNode => ({ kind: 'tag', field, value });
const and = (...children: QueryNode[]): QueryNode => ({ kind: 'and', children });
const or = (...children: QueryNode[]): QueryNode => ({ kind: 'or', children });
const not = (child: QueryNode): QueryNode => ({ kind: 'not', child });
const ALL_QUERY: QueryNode = { kind: 'all' };

const plain = (items: EnrichedArticle[], alertIds: Partial<Record<string, string[]>> = {}): ArticleToStore[] =>
  items.map((article) => ({ article, alertIds: alertIds[article.id] ?? [] }));

/** Independent bucket computation from the fixtures, with Date arithmetic instead of SQL. */
function bucketOf(iso: string, interval: TrendInterval): string {
  const d = new Date(iso);
  if (interval === 'day') return d.toISOString().slice(0, 10);
  if (interval === 'month') return `${d.toISOString().slice(0, 7)}-01`;
  const mondayOffset = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - mondayOffset)).toISOString().slice(0, 10);
}

function expectedSeries(items: EnrichedArticle[], interval: TrendInterval) {
  const counts = new Map<string, number>();
  for (const a of items) {
    const b = bucketOf(dateOf(a), interval);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return {
    points: [...counts.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([t, count]) => ({ t, count })),
    total: items.length,
    fallbackDateCount: items.filter((a) => a.publishedAt === null).length,
  };
}

const markedWords = (snippet: string): string[] =>
  [...snippet.matchAll(/<mark>(.*?)<\/mark>/g)].flatMap((m) => (m[1] ?? '').toLowerCase().split(/\s+/));

/**
 * Registers the contract suite.
 * @param makeStore builds a fresh, empty store per test that knows `setup.alerts`.
 */
export function runArticleStoreContract(
  name: string,
  makeStore: (setup: ArticleStoreSetup) => Promise<ArticleStoreHarness>,
): void {
  describe(`ArticleStore contract: ${name}`, () => {
    let harness: ArticleStoreHarness;
    let store: ArticleStore;
    const t0 = new Date('2024-04-02T10:00:00.000Z');

    beforeEach(async () => {
      harness = await makeStore({ alerts: CONTRACT_ALERTS });
      store = harness.store;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    const seed = async () => {
      const r = await store.insertArticles(plain(ALL), t0);
      expect(r.inserted).toHaveLength(ALL.length);
    };
    const searchIds = async (query: QueryNode, options: Partial<SearchOptions> = {}) => {
      const r = await store.search(query, { limit: 100, ...options });
      expect(r.total).toBe(r.hits.length);
      return r.hits.map((h) => h.id).sort();
    };

    describe('insertArticles', () => {
      it('stores new articles and reports re-inserted ids as duplicates', async () => {
        const first = await store.insertArticles(plain(ALL), t0);
        expect(first.inserted.sort()).toEqual(ALL.map((a) => a.id).sort());
        expect(first.duplicates).toEqual([]);
        expect(await store.count()).toBe(12);

        const again = await store.insertArticles(plain(ALL.slice(0, 5)), t0);
        expect(again.inserted).toEqual([]);
        expect(again.duplicates.sort()).toEqual(ALL.slice(0, 5).map((a) => a.id).sort());
        expect(await store.count()).toBe(12);
      });

      it('counts the second copy of an id within one call as a duplicate', async () => {
        const a = FIXTURES.enRescue;
        const r = await store.insertArticles(plain([a, { ...a, title: 'Changed title' }]), t0);
        expect(r.inserted).toEqual([a.id]);
        expect(r.duplicates).toEqual([a.id]);
        expect((await store.getArticle(a.id))?.title).toBe(a.title);
      });

      it('round-trips an article with date and dateIsFallback', async () => {
        await seed();
        for (const key of ['enStaged', 'ruHelmets', 'arRescue'] as const) {
          const a = FIXTURES[key];
          expect(await store.getArticle(a.id)).toEqual({ ...a, date: dateOf(a), dateIsFallback: a.publishedAt === null });
        }
        expect(await store.getArticle('0'.repeat(32))).toBeNull();
      });

      it('existingIds returns exactly the stored subset', async () => {
        expect(await store.existingIds([ID('enRescue')])).toEqual(new Set());
        await store.insertArticles(plain([FIXTURES.enRescue, FIXTURES.frIdlib]), t0);
        const got = await store.existingIds([ID('enRescue'), ID('ruCouncil'), ID('frIdlib'), 'f'.repeat(32)]);
        expect(got).toEqual(new Set([ID('enRescue'), ID('frIdlib')]));
        expect(await store.existingIds([])).toEqual(new Set());
      });

      it('articleCountsByFeed counts per feed id', async () => {
        await seed();
        const expected = new Map<string, number>();
        for (const a of ALL) expected.set(a.feedId, (expected.get(a.feedId) ?? 0) + 1);
        expect(await store.articleCountsByFeed()).toEqual(expected);
      });
    });

    describe('alert events', () => {
      it('creates one event per alert of a new article, in the insert, and never again', async () => {
        const r = await store.insertArticles(
          plain([FIXTURES.enStaged, FIXTURES.enWeather], { [ID('enStaged')]: ['chem', 'quiet', 'chem'] }),
          t0,
        );
        expect(r.alertEvents).toHaveLength(2);
        const chem = r.alertEvents.find((e) => e.alertId === 'chem');
        const quiet = r.alertEvents.find((e) => e.alertId === 'quiet');
        expect(chem).toMatchObject({
          articleId: ID('enStaged'), deliveryStatus: 'pending', deliveryAttempts: 0,
          lastDeliveryError: null, createdAt: t0.toISOString(),
        });
        expect(chem?.id).toMatch(/^[0-9a-f]{32}$/);
        expect(quiet).toMatchObject({ articleId: ID('enStaged'), deliveryStatus: 'none', nextDeliveryAt: null });

        // A replay, even one carrying more alert ids, is a duplicate and creates nothing.
        const replay = await store.insertArticles(
          plain([FIXTURES.enStaged], { [ID('enStaged')]: ['chem', 'quiet'] }),
          new Date(t0.getTime() + 60_000),
        );
        expect(replay.duplicates).toEqual([ID('enStaged')]);
        expect(replay.alertEvents).toEqual([]);
        expect(await store.listAlertEvents('chem', 10)).toEqual([chem]);
        expect(await store.listAlertEvents('quiet', 10)).toEqual([quiet]);
      });

      it('lists events newest first, limited', async () => {
        await store.insertArticles(plain([FIXTURES.enStaged], { [ID('enStaged')]: ['chem'] }), t0);
        const later = new Date(t0.getTime() + 3_600_000);
        await store.insertArticles(plain([FIXTURES.enTricks], { [ID('enTricks')]: ['chem'] }), later);
        const events = await store.listAlertEvents('chem', 10);
        expect(events.map((e) => e.articleId)).toEqual([ID('enTricks'), ID('enStaged')]);
        expect(events[0]?.createdAt).toBe(later.toISOString());
        expect((await store.listAlertEvents('chem', 1)).map((e) => e.articleId)).toEqual([ID('enTricks')]);
        expect(await store.listAlertEvents('nobody', 10)).toEqual([]);
      });

      it('runs the delivery state machine: pending -> retry -> delivered, pending -> failed', async () => {
        const r = await store.insertArticles(
          plain([FIXTURES.enStaged, FIXTURES.enTricks], {
            [ID('enStaged')]: ['chem', 'quiet'],
            [ID('enTricks')]: ['chem'],
          }),
          t0,
        );
        const staged = r.alertEvents.find((e) => e.articleId === ID('enStaged') && e.alertId === 'chem');
        const tricks = r.alertEvents.find((e) => e.articleId === ID('enTricks'));
        if (!staged || !tricks) throw new Error('events missing');

        expect(await store.dueDeliveries(new Date(t0.getTime() - 1000), 10)).toEqual([]);
        const due = await store.dueDeliveries(t0, 10);
        // 'none' events (no webhook) are never due.
        expect(due.map((e) => e.id).sort()).toEqual([staged.id, tricks.id].sort());
        expect(await store.dueDeliveries(t0, 1)).toHaveLength(1);

        const retryAt = new Date(t0.getTime() + 60_000);
        await store.recordDelivery(staged.id, { ok: false, error: 'HTTP 503', retryAt }, t0);
        let events = await store.listAlertEvents('chem', 10);
        expect(events.find((e) => e.id === staged.id)).toMatchObject({
          deliveryStatus: 'pending', deliveryAttempts: 1, lastDeliveryError: 'HTTP 503', nextDeliveryAt: retryAt.toISOString(),
        });
        expect((await store.dueDeliveries(new Date(t0.getTime() + 30_000), 10)).map((e) => e.id)).toEqual([tricks.id]);
        expect((await store.dueDeliveries(retryAt, 10)).map((e) => e.id).sort()).toEqual([staged.id, tricks.id].sort());

        await store.recordDelivery(staged.id, { ok: true }, retryAt);
        await store.recordDelivery(tricks.id, { ok: false, error: 'HTTP 410', retryAt: null }, retryAt);
        events = await store.listAlertEvents('chem', 10);
        expect(events.find((e) => e.id === staged.id)).toMatchObject({ deliveryStatus: 'delivered', deliveryAttempts: 2 });
        expect(events.find((e) => e.id === tricks.id)).toMatchObject({
          deliveryStatus: 'failed', deliveryAttempts: 1, lastDeliveryError: 'HTTP 410',
        });
        expect(await store.dueDeliveries(new Date(t0.getTime() + 86_400_000), 10)).toEqual([]);

        // Final states are final: a late outcome from a racing worker changes nothing.
        await store.recordDelivery(staged.id, { ok: false, error: 'late', retryAt: null }, retryAt);
        expect((await store.listAlertEvents('chem', 10)).find((e) => e.id === staged.id)).toMatchObject({
          deliveryStatus: 'delivered', deliveryAttempts: 2,
        });
      });
    });

    describe('search', () => {
      beforeEach(seed);

      const cases: [string, QueryNode, FixtureKey[]][] = [
        ['all', ALL_QUERY, KEYS],
        ['term in title or text', term('helmets'), ['enRescue', 'enStaged']],
        ['term, title field only', term('chemical', 'title'), ['enStaged']],
        ['term, title + text', term('chemical'), ['enStaged', 'enTricks']],
        ['Cyrillic term, case-folded', term('белые'), ['ruHelmets']],
        ['Cyrillic inflected form is a different word', term('сирию'), ['ruCouncil']],
        ['French term, diacritics folded', term('securite'), ['frConseil']],
        ['French term after an elided article', term('elysee'), ['frIdlib']],
        ['capitalised accented word', term('economie'), ['frEconomie']],
        ['Arabic term', term('إدلب'), ['arRescue']],
        ['phrase', phrase(['white', 'helmets']), ['enRescue', 'enStaged']],
        ['phrase word order matters', phrase(['helmets', 'white']), []],
        ['phrase, two words', phrase(['security', 'council']), ['enCouncil']],
        ['Arabic phrase', phrase(['الخوذ', 'البيضاء']), ['arRescue']],
        ['title phrase', phrase(['security', 'council'], 'title'), ['enCouncil']],
        ['tag lang', tag('lang', 'ar'), ['arRescue', 'arCouncil']],
        ['tag outlet', tag('outlet', 'lemonde'), ['frIdlib', 'frConseil', 'frEconomie']],
        ['tag actor', tag('actor', 'white-helmets'), ['enRescue', 'enStaged', 'ruHelmets', 'arRescue']],
        ['tag theme', tag('theme', 'staged-chemical-attack'), ['enStaged', 'ruHelmets']],
        ['unknown tag value', tag('actor', 'nobody'), []],
        ['AND of text and tag', and(term('chemical'), tag('actor', 'white-helmets')), ['enStaged']],
        ['OR across scripts', or(term('syria'), term('сирию')), ['enCouncil', 'ruCouncil']],
        ['tag AND NOT tag', and(tag('actor', 'white-helmets'), not(tag('lang', 'en'))), ['ruHelmets', 'arRescue']],
        ['tag AND NOT text', and(tag('outlet', 'rt'), not(term('chemical'))), ['ruHelmets', 'ruCouncil']],
        ['OR of tag and text', or(tag('theme', 'staged-chemical-attack'), term('idlib')), ['enRescue', 'enStaged', 'ruHelmets', 'frIdlib']],
        ['top-level NOT', not(tag('lang', 'fr')), KEYS.filter((k) => !k.startsWith('fr'))],
        [
          'NOT of an OR mixing text and tag',
          not(or(term('helmets'), tag('outlet', 'aljazeera'))),
          ['enCouncil', 'ruHelmets', 'ruCouncil', 'frIdlib', 'frConseil', 'enTricks', 'enWeather', 'frEconomie'],
        ],
        [
          'nested AND/OR/NOT',
          and(or(term('council'), term('conseil')), not(and(tag('lang', 'fr'), term('urgence')))),
          ['enCouncil'],
        ],
        ['empty AND matches all', and(), KEYS],
        ['empty OR matches nothing', or(), []],
      ];
      it.each(cases)('%s', async (_label, query, expected) => {
        expect(await searchIds(query)).toEqual(ids(...expected));
      });

      // End to end with the real parser: text as a researcher types it.
      const parsed: [string, FixtureKey[]][] = [
        ['"White Helmets" AND chemical', ['enStaged']],
        ['actor:white-helmets -lang:en', ['ruHelmets', 'arRescue']],
        ['Sécurité OR сирию', ['frConseil', 'ruCouncil']],
        ['title:chemical', ['enStaged']],
        ['(council OR conseil) NOT (lang:fr urgence)', ['enCouncil']],
        ['al-Nusra OR "Élysée"', ['frIdlib']],
        ['', KEYS],
      ];
      it.each(parsed)('parsed query %j', async (text, expected) => {
        expect(await searchIds(parseQuery(text))).toEqual(ids(...expected));
      });

      it('orders hits by date DESC then id DESC', async () => {
        const r = await store.search(ALL_QUERY, { limit: 100 });
        const expected = [...ALL]
          .sort((a, b) => Date.parse(dateOf(b)) - Date.parse(dateOf(a)) || (a.id < b.id ? 1 : -1))
          .map((a) => a.id);
        expect(r.hits.map((h) => h.id)).toEqual(expected);
        expect(r.total).toBe(12);
      });

      it.each([1, 5, 7])('cursor pagination with limit %i visits every hit exactly once, in order', async (limit) => {
        const full = (await store.search(ALL_QUERY, { limit: 100 })).hits.map((h) => h.id);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 20; page++) {
          const r = await store.search(ALL_QUERY, { limit, ...(cursor ? { cursor } : {}) });
          expect(r.total).toBe(12);
          expect(r.hits.length).toBeLessThanOrEqual(limit);
          seen.push(...r.hits.map((h) => h.id));
          if (r.nextCursor === null) break;
          cursor = r.nextCursor;
        }
        expect(seen).toEqual(full);
      });

      it('paginates a filtered query and returns no cursor on the last page', async () => {
        const q = tag('actor', 'white-helmets');
        const p1 = await store.search(q, { limit: 3 });
        expect(p1.total).toBe(4);
        expect(p1.hits).toHaveLength(3);
        expect(p1.nextCursor).not.toBeNull();
        const p2 = await store.search(q, { limit: 3, cursor: p1.nextCursor ?? '' });
        expect(p2.hits).toHaveLength(1);
        expect(p2.nextCursor).toBeNull();
        expect([...p1.hits, ...p2.hits].map((h) => h.id).sort()).toEqual(
          ids('enRescue', 'enStaged', 'ruHelmets', 'arRescue'),
        );
        const exact = await store.search(q, { limit: 4 });
        expect(exact.nextCursor).toBeNull();
      });

      it('filters by date range: from inclusive, to exclusive, on publishedAt ?? firstSeenAt', async () => {
        expect(await searchIds(ALL_QUERY, { from: '2024-03-04', to: '2024-03-07' })).toEqual(
          ids('enRescue', 'ruHelmets', 'arRescue', 'frIdlib', 'frEconomie'),
        );
        expect(await searchIds(ALL_QUERY, { from: '2024-03-03T23:30:00.000Z', to: '2024-03-04T00:00:00.000Z' })).toEqual(
          ids('enStaged'),
        );
        expect(await searchIds(term('conseil'), { from: '2024-03-12' })).toEqual(ids('frConseil'));
        expect(await searchIds(ALL_QUERY, { to: '2024-02-01' })).toEqual(ids('enWeather'));
      });

      it('restricts to the given outlets, in addition to the query', async () => {
        expect(await searchIds(ALL_QUERY, { outlets: ['bbc', 'aljazeera'] })).toEqual(
          ids('enRescue', 'enCouncil', 'enWeather', 'arRescue', 'arCouncil'),
        );
        expect(await searchIds(term('helmets'), { outlets: ['rt'] })).toEqual(ids('enStaged'));
      });

      it('returns hit fields from the stored article', async () => {
        const r = await store.search(tag('lang', 'ru'), { limit: 10 });
        const hit = r.hits.find((h) => h.id === ID('ruHelmets'));
        const a = FIXTURES.ruHelmets;
        expect(hit).toMatchObject({
          title: a.title, url: a.url, outletId: 'rt', feedId: 'feed-rt', publishedAt: null,
          firstSeenAt: a.firstSeenAt, date: a.firstSeenAt, dateIsFallback: true, language: 'ru',
          actors: ['white-helmets'], themes: ['staged-chemical-attack'], keywords: ['белые каски'],
        });
      });

      it('snippets: matched words marked, everything else HTML-escaped', async () => {
        const r = await store.search(term('chemical'), { limit: 10 });
        const tricks = r.hits.find((h) => h.id === ID('enTricks'));
        expect(tricks?.snippet).toContain('&lt;script&gt;');
        expect(tricks?.snippet).toContain('&amp;');
        expect(tricks?.snippet).not.toContain('<script');
        expect(markedWords(tricks?.snippet ?? '')).toEqual(['chemical']);
        // Only <mark> tags survive as markup.
        expect((tricks?.snippet ?? '').replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
      });

      it('snippets: a short window around the match in a long text', async () => {
        const r = await store.search(term('storm'), { limit: 10 });
        const snippet = r.hits[0]?.snippet ?? '';
        expect(markedWords(snippet)).toEqual(['storm']);
        expect(snippet).not.toContain('Sunny');
        expect(snippet.split(/\s+/).length).toBeLessThanOrEqual(40);
      });

      it('snippets: falls back to the title when only the title matches', async () => {
        const r = await store.search(term('weather'), { limit: 10 });
        expect(r.hits.map((h) => h.id)).toEqual([ID('enWeather')]);
        expect(markedWords(r.hits[0]?.snippet ?? '')).toEqual(['weather']);
      });

      it('snippets: phrase words marked; negated and tag-only queries mark nothing', async () => {
        const p = await store.search(phrase(['white', 'helmets']), { limit: 10 });
        for (const h of p.hits) expect(markedWords(h.snippet)).toEqual(expect.arrayContaining(['white', 'helmets']));

        const t = await store.search(tag('lang', 'ar'), { limit: 10 });
        const ar = t.hits.find((h) => h.id === ID('arRescue'));
        expect(ar?.snippet.startsWith('أنقذ متطوعو')).toBe(true);
        expect(ar?.snippet).not.toContain('<mark>');

        const n = await store.search(and(tag('actor', 'white-helmets'), not(term('idlib'))), { limit: 10 });
        expect(n.hits.map((h) => h.id).sort()).toEqual(ids('enStaged', 'ruHelmets', 'arRescue'));
        for (const h of n.hits) expect(h.snippet).not.toContain('<mark>');
      });

      it('snippets: marks show the stored spelling, not the folded query form', async () => {
        const marked = async (q: QueryNode, key: FixtureKey) => {
          const hit = (await store.search(q, { limit: 10 })).hits.find((h) => h.id === ID(key));
          return [...(hit?.snippet ?? '').matchAll(/<mark>(.*?)<\/mark>/g)].map((m) => m[1]);
        };
        expect(await marked(term('securite'), 'frConseil')).toEqual(['sécurité']);
        expect(await marked(term('elysee'), 'frIdlib')).toEqual(['Élysée']);
        expect(await marked(term('белые'), 'ruHelmets')).toEqual(['Белые']);
      });

      it('rejects a limit outside 1..100 and a forged cursor', async () => {
        await expect(store.search(ALL_QUERY, { limit: 0 })).rejects.toThrow();
        await expect(store.search(ALL_QUERY, { limit: 101 })).rejects.toThrow();
        await expect(store.search(ALL_QUERY, { limit: 5, cursor: 'not a cursor!' })).rejects.toThrow();
      });
    });

    describe('countOverTime', () => {
      beforeEach(seed);

      it.each(['day', 'week', 'month'] as const)('buckets every article by %s, matching an independent count', async (interval) => {
        const got = await store.countOverTime(ALL_QUERY, { interval });
        expect(got).toEqual(expectedSeries(ALL, interval));
      });

      it.each(['day', 'week', 'month'] as const)('buckets a filtered query within a date range by %s', async (interval) => {
        const from = '2024-03-01';
        const to = '2024-03-31';
        const q = or(tag('actor', 'white-helmets'), term('conseil'));
        const matching = ALL.filter(
          (a) =>
            (a.actors.includes('white-helmets') || a.id === ID('frConseil')) &&
            Date.parse(dateOf(a)) >= Date.parse(from) &&
            Date.parse(dateOf(a)) < Date.parse(to),
        );
        expect(matching.length).toBe(5);
        expect(await store.countOverTime(q, { interval, from, to })).toEqual(expectedSeries(matching, interval));
      });

      it('starts ISO weeks on Monday (UTC)', async () => {
        const got = await store.countOverTime(tag('actor', 'white-helmets'), { interval: 'week' });
        // Sunday 2024-03-03 23:30 belongs to the week of Monday 2024-02-26; Monday 03-04 starts a new one.
        expect(got.points).toEqual([
          { t: '2024-02-26', count: 1 },
          { t: '2024-03-04', count: 3 },
        ]);
        expect(got.fallbackDateCount).toBe(1);
      });

      it('counts fallback-dated articles and honours the outlet filter', async () => {
        const got = await store.countOverTime(ALL_QUERY, { interval: 'month', outlets: ['lemonde'] });
        expect(got).toEqual(expectedSeries([FIXTURES.frIdlib, FIXTURES.frConseil, FIXTURES.frEconomie], 'month'));
        expect(got.fallbackDateCount).toBe(1);
        const none = await store.countOverTime(term('nothingmatchesthis'), { interval: 'day' });
        expect(none).toEqual({ points: [], total: 0, fallbackDateCount: 0 });
      });
    });

    describe('countOverTime: time zones, breakdowns, co-occurrence', () => {
      // Articles around the 2024 EU DST changes (Sun 31 March and Sun 27 October, both at 01:00 UTC).
      const at = (slug: string, iso: string, outlet: string, actors: string[] = [], themes: string[] = []): EnrichedArticle => {
        const url = `https://${outlet}.example/tz/${slug}`;
        return {
          ...FIXTURES.enWeather, id: articleId(url), url, canonicalUrl: url, guid: null, feedId: `feed-${outlet}`, outletId: outlet,
          title: `Timezone probe ${slug} for the bucket tests`, text: `Probe ${slug}.`, publishedAt: iso, firstSeenAt: iso,
          keywords: [], entities: [], actors, themes,
        };
      };
      const PROBES: EnrichedArticle[] = [
        at('p1', '2024-03-30T22:59:00.000Z', 'rt', ['a1'], ['t1']), // Berlin: Sat 30 March 23:59 +01:00
        at('p2', '2024-03-30T23:30:00.000Z', 'bbc', ['a1', 'a2'], ['t1']), // Sun 31 March 00:30 +01:00
        at('p3', '2024-03-31T00:59:59.000Z', 'rt', ['a2'], ['t1', 't2']), // 01:59:59 +01:00, the last second of CET
        at('p4', '2024-03-31T01:00:00.000Z', 'lemonde', ['a1'], ['t2']), // 03:00 +02:00: 02:00-03:00 never happened
        at('p5', '2024-03-31T21:30:00.000Z', 'bbc', [], ['t1']), // 23:30 +02:00, still Sunday: a 23-hour day
        at('p6', '2024-03-31T22:30:00.000Z', 'aljazeera', ['a1'], []), // Mon 1 April 00:30 +02:00
        at('p7', '2024-10-27T00:30:00.000Z', 'rt', ['a1'], ['t1']), // 02:30 +02:00, first pass
        at('p8', '2024-10-27T01:30:00.000Z', 'rt', ['a2'], ['t2']), // 02:30 +01:00, second pass: another hour
        at('p9', '2024-10-27T22:59:00.000Z', 'bbc', ['a1'], ['t1']), // 23:59 +01:00: a 25-hour Sunday
      ];
      const BERLIN = 'Europe/Berlin';
      // Only the probes (the shared fixtures are seeded too, for the breakdown and matrix cases).
      const PROBE_Q = term('probe');
      const cestFrom = Date.parse('2024-03-31T01:00:00Z');
      const cestTo = Date.parse('2024-10-27T01:00:00Z');
      const HOUR = 3_600_000;
      // Independent of the store and of core/time-buckets.ts: the EU rule for 2024 written out by hand.
      const berlinOffset = (ms: number): number => (ms >= cestFrom && ms < cestTo ? 2 : 1) * HOUR;
      const isoWithOffset = (utcMs: number, off: number): string =>
        `${new Date(utcMs + off).toISOString().slice(0, 19)}+0${off / HOUR}:00`;
      const berlinBucket = (iso: string, interval: 'hour' | 'day'): string => {
        const ms = Date.parse(iso);
        const off = berlinOffset(ms);
        if (interval === 'hour') return isoWithOffset(ms - (ms % HOUR), off);
        const midnightWall = Date.parse(`${new Date(ms + off).toISOString().slice(0, 10)}T00:00:00Z`);
        // Berlin changes at 01:00 UTC, never near midnight: the offset an hour before the wall midnight holds at it.
        const midnightOff = berlinOffset(midnightWall - HOUR);
        return isoWithOffset(midnightWall - midnightOff, midnightOff);
      };
      const countBy = (items: EnrichedArticle[], key: (a: EnrichedArticle) => string) => {
        const m = new Map<string, number>();
        for (const a of items) m.set(key(a), (m.get(key(a)) ?? 0) + 1);
        return [...m.entries()].sort(([x], [y]) => Date.parse(x) - Date.parse(y)).map(([t, count]) => ({ t, count }));
      };

      beforeEach(async () => {
        await seed();
        const r = await store.insertArticles(plain(PROBES), t0);
        expect(r.inserted).toHaveLength(PROBES.length);
      });

      it('buckets by local day in Europe/Berlin across both DST changes, labelled with the offset', async () => {
        const got = await store.countOverTime(PROBE_Q, { interval: 'day', timeZone: BERLIN });
        expect(got.points).toEqual(countBy(PROBES, (a) => berlinBucket(dateOf(a), 'day')));
        // The hand-checked corners: a 23-hour and a 25-hour Sunday.
        expect(got.points).toEqual([
          { t: '2024-03-30T00:00:00+01:00', count: 1 },
          { t: '2024-03-31T00:00:00+01:00', count: 4 },
          { t: '2024-04-01T00:00:00+02:00', count: 1 },
          { t: '2024-10-27T00:00:00+02:00', count: 3 },
        ]);
        expect(got.total).toBe(PROBES.length);
      });

      it('buckets by hour in UTC and in Europe/Berlin, where the repeated 02:00 is two buckets', async () => {
        const utc = await store.countOverTime(PROBE_Q, { interval: 'hour', from: '2024-03-30', to: '2024-11-01' });
        expect(utc.points).toEqual(countBy(PROBES, (a) => `${new Date(Date.parse(dateOf(a)) - (Date.parse(dateOf(a)) % HOUR)).toISOString().slice(0, 19)}+00:00`));
        const berlin = await store.countOverTime(PROBE_Q, { interval: 'hour', timeZone: BERLIN });
        expect(berlin.points).toEqual(countBy(PROBES, (a) => berlinBucket(dateOf(a), 'hour')));
        expect(berlin.points.map((p) => p.t)).toContain('2024-10-27T02:00:00+02:00');
        expect(berlin.points.map((p) => p.t)).toContain('2024-10-27T02:00:00+01:00');
      });

      it('buckets weeks and months in a zone with a half-hour offset (Asia/Kolkata) exactly', async () => {
        // 2024-03-31T18:29Z is 23:59 IST on Sunday 31 March; 18:30Z is Monday 1 April 00:00.
        const edge = [at('k1', '2024-03-31T18:29:59.000Z', 'rt'), at('k2', '2024-03-31T18:30:00.000Z', 'rt')];
        await store.insertArticles(plain(edge), t0);
        const q = or(term('k1'), term('k2'));
        expect((await store.countOverTime(q, { interval: 'week', timeZone: 'Asia/Kolkata' })).points).toEqual([
          { t: '2024-03-25T00:00:00+05:30', count: 1 },
          { t: '2024-04-01T00:00:00+05:30', count: 1 },
        ]);
        expect((await store.countOverTime(q, { interval: 'month', timeZone: 'Asia/Kolkata' })).points).toEqual([
          { t: '2024-03-01T00:00:00+05:30', count: 1 },
          { t: '2024-04-01T00:00:00+05:30', count: 1 },
        ]);
        await expect(store.countOverTime(q, { interval: 'day', timeZone: 'Mars/Olympus_Mons' })).rejects.toThrow(/time zone/);
      });

      it('breaks down by outlet: each group is the outlet-filtered series, and the groups sum to the total', async () => {
        const got = await store.countOverTime(ALL_QUERY, { interval: 'week', breakdown: 'outlet' });
        const groups = got.groups ?? [];
        expect(groups.map((g) => g.key)).toEqual(['aljazeera', 'bbc', 'lemonde', 'rt']);
        expect(groups.reduce((n, g) => n + g.total, 0)).toBe(got.total);
        expect(got.total).toBe(ALL.length + PROBES.length);
        for (const g of groups) {
          const alone = await store.countOverTime(ALL_QUERY, { interval: 'week', outlets: [g.key ?? ''] });
          expect({ key: g.key, points: g.points, total: g.total, fallbackDateCount: g.fallbackDateCount }).toEqual({ key: g.key, ...alone });
        }
        // Summing the groups bucket by bucket gives the whole series.
        const summed = new Map<string, number>();
        for (const g of groups) for (const p of g.points) summed.set(p.t, (summed.get(p.t) ?? 0) + p.count);
        expect(got.points).toEqual([...summed.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([t, count]) => ({ t, count })));
      });

      it('breaks down by outlet tag: once per tag of the outlet, untagged outlets under null', async () => {
        const outletTags = { rt: ['state-affiliated'], aljazeera: ['state-affiliated', 'qatar'], bbc: ['public'] };
        const got = await store.countOverTime(ALL_QUERY, { interval: 'month', breakdown: 'tag', outletTags });
        const everything = [...ALL, ...PROBES];
        const tagsOf = (a: EnrichedArticle): (string | null)[] => {
          const tags = (outletTags as Record<string, string[]>)[a.outletId] ?? [];
          return tags.length > 0 ? tags : [null];
        };
        const expected = new Map<string | null, EnrichedArticle[]>();
        for (const a of everything) for (const tag of tagsOf(a)) expected.set(tag, [...(expected.get(tag) ?? []), a]);
        expect((got.groups ?? []).map((g) => [g.key, g.total])).toEqual(
          [...expected.entries()]
            .sort(([x], [y]) => (x === null ? 1 : y === null ? -1 : x < y ? -1 : 1))
            .map(([k, items]) => [k, items.length]),
        );
        for (const g of got.groups ?? []) expect(g).toEqual({ key: g.key, ...expectedSeries(expected.get(g.key) ?? [], 'month') });
        // The whole counts every article once, however many tags its outlet has.
        expect(got.total).toBe(everything.length);
        expect((got.groups ?? []).reduce((n, g) => n + g.total, 0)).toBe(everything.reduce((n, a) => n + tagsOf(a).length, 0));
      });

      it('combines a breakdown with a time zone and a date range', async () => {
        const got = await store.countOverTime(PROBE_Q, {
          interval: 'day', timeZone: BERLIN, breakdown: 'outlet', from: '2024-03-30T00:00:00Z', to: '2024-04-02T00:00:00Z',
        });
        const inRange = PROBES.filter((a) => dateOf(a) < '2024-04-02');
        for (const g of got.groups ?? []) {
          expect(g.points).toEqual(countBy(inRange.filter((a) => a.outletId === g.key), (a) => berlinBucket(dateOf(a), 'day')));
        }
        expect((got.groups ?? []).reduce((n, g) => n + g.total, 0)).toBe(inRange.length);
      });

      it('counts actor x theme co-occurrence overall and per bucket, as counted from the articles', async () => {
        const actors = ['a1', 'a2', 'white-helmets'];
        const themes = ['t1', 't2', 'staged-chemical-attack'];
        const everything = [...ALL, ...PROBES];
        const both = (a: EnrichedArticle, actor: string, theme: string) => a.actors.includes(actor) && a.themes.includes(theme);
        const got = await store.coOccurrence(ALL_QUERY, { actors, themes, interval: 'day', timeZone: BERLIN });
        expect(got.cells).toEqual(
          actors.flatMap((actor) => themes.map((theme) => ({ actor, theme, count: everything.filter((a) => both(a, actor, theme)).length }))),
        );
        expect(got.cells.find((c) => c.actor === 'a1' && c.theme === 't1')?.count).toBe(4);
        expect(got.cells.find((c) => c.actor === 'white-helmets' && c.theme === 'staged-chemical-attack')?.count).toBe(2);
        // Per bucket: every non-zero cell, and the buckets add up to the overall cells.
        const expectedBuckets = new Map<string, Map<string, number>>();
        for (const a of everything) {
          for (const actor of actors) {
            for (const theme of themes) {
              if (!both(a, actor, theme)) continue;
              const t = a.outletId === 'x' ? '' : berlinBucket(dateOf(a), 'day');
              const cells = expectedBuckets.get(t) ?? new Map<string, number>();
              cells.set(`${actor}|${theme}`, (cells.get(`${actor}|${theme}`) ?? 0) + 1);
              expectedBuckets.set(t, cells);
            }
          }
        }
        expect(got.buckets.map((b) => b.t)).toEqual([...expectedBuckets.keys()].sort((x, y) => Date.parse(x) - Date.parse(y)));
        for (const b of got.buckets) {
          expect(Object.fromEntries(b.cells.map((c) => [`${c.actor}|${c.theme}`, c.count]))).toEqual(Object.fromEntries(expectedBuckets.get(b.t) ?? []));
        }
        // The query, the range and the outlet filter narrow it like a search.
        const rtOnly = await store.coOccurrence(ALL_QUERY, { actors: ['a1'], themes: ['t1'], outlets: ['rt'] });
        expect(rtOnly).toEqual({ cells: [{ actor: 'a1', theme: 't1', count: 2 }], buckets: [] });
        const ranged = await store.coOccurrence(tag('actor', 'a1'), { actors: ['a1'], themes: ['t1'], from: '2024-10-01' });
        expect(ranged.cells).toEqual([{ actor: 'a1', theme: 't1', count: 2 }]);
        await expect(store.coOccurrence(ALL_QUERY, { actors: [], themes: ['t1'] })).rejects.toThrow();
      });
    });

    describe('topTerms', () => {
      beforeEach(seed);

      it('counts outlets and languages by article, most frequent first', async () => {
        expect(await store.topTerms(ALL_QUERY, { field: 'outlet', limit: 10 })).toEqual([
          { term: 'rt', count: 4 },
          { term: 'bbc', count: 3 },
          { term: 'lemonde', count: 3 },
          { term: 'aljazeera', count: 2 },
        ]);
        const langs = await store.topTerms(ALL_QUERY, { field: 'language', limit: 2 });
        expect(langs).toEqual([
          { term: 'en', count: 5 },
          { term: 'fr', count: 3 },
        ]);
      });

      it('counts actors, themes and keywords among matching articles', async () => {
        expect(await store.topTerms(ALL_QUERY, { field: 'actors', limit: 10 })).toEqual([{ term: 'white-helmets', count: 4 }]);
        expect(await store.topTerms(tag('lang', 'ru'), { field: 'themes', limit: 10 })).toEqual([
          { term: 'staged-chemical-attack', count: 1 },
        ]);
        const kw = await store.topTerms(ALL_QUERY, { field: 'keywords', limit: 1 });
        expect(kw).toEqual([{ term: 'idlib', count: 2 }]);
        const fr = await store.topTerms(tag('lang', 'fr'), { field: 'keywords', limit: 10 });
        expect(fr.map((t) => t.term).sort()).toEqual(['idlib', 'réfugiés', 'syrie', 'économie'].sort());
      });

      it('counts entities by text, within a date range', async () => {
        const got = await store.topTerms(tag('actor', 'white-helmets'), { field: 'entities', limit: 10 });
        expect(got[0]).toEqual({ term: 'White Helmets', count: 2 });
        expect(got.slice(1).map((t) => t.term).sort()).toEqual(['Idlib', 'Moscow', 'Saraqib', 'Белые каски', 'إدلب'].sort());
        expect(got.slice(1).every((t) => t.count === 1)).toBe(true);

        const ranged = await store.topTerms(tag('actor', 'white-helmets'), {
          field: 'entities', limit: 10, from: '2024-03-04',
        });
        expect(ranged.find((t) => t.term === 'Moscow')).toBeUndefined();
        expect(ranged.find((t) => t.term === 'White Helmets')).toEqual({ term: 'White Helmets', count: 1 });
      });
    });

    registerSearchContract({ store: () => store, seed, all: ALL, dateOf });

    describe('syndication clusters', () => {
      // A wire story, two copies from other outlets (one re-headlined, one cut short) and an unrelated article.
      const WIRE_TEXT =
        'Rescue teams searched through the night for survivors after a strong earthquake struck the coastal town ' +
        'early on Sunday, destroying dozens of homes and cutting power to thousands of residents. Local officials ' +
        'said at least twelve people were killed and more than a hundred injured, and warned that the toll could ' +
        'rise as crews reached remote villages in the hills. The national weather service recorded several strong ' +
        'aftershocks during the morning and urged people to stay away from damaged buildings. Schools will remain ' +
        'closed for the week while engineers inspect them, the education ministry said in a statement.';
      const OTHER_TEXT =
        'The central bank left interest rates unchanged on Thursday and signalled that it expects inflation to fall ' +
        'back towards its target by the end of next year, as energy prices ease and wage growth slows. The governor ' +
        'told reporters that the committee had discussed a cut but judged it too early, citing strong consumer ' +
        'spending over the holiday season. Markets had priced in a small chance of a cut, and the currency rose ' +
        'slightly after the announcement. Economists said the first reduction was now likely to come in the spring.';
      const story = (slug: string, outlet: string, title: string, text: string, publishedAt: string): EnrichedArticle => {
        const url = `https://${outlet}.example/${slug}`;
        return {
          ...FIXTURES.enCouncil, id: articleId(url), url, canonicalUrl: url, feedId: `feed-${outlet}`, outletId: outlet,
          guid: null, title, text, publishedAt, firstSeenAt: publishedAt, keywords: [], entities: [], actors: [], themes: [],
        };
      };
      const wire = story('quake', 'wire', 'Earthquake kills twelve in coastal town', WIRE_TEXT, '2024-05-05T06:00:00.000Z');
      const copy = story('quake-copy', 'proxy', 'Deadly quake: what we know', WIRE_TEXT, '2024-05-05T10:30:00.000Z');
      const cut = story('quake-cut', 'mirror', 'Earthquake kills twelve in coastal town', WIRE_TEXT.split(' ').slice(0, 60).join(' '), '2024-05-06T06:00:00.000Z');
      const rates = story('rates', 'wire', 'Central bank holds rates', OTHER_TEXT, '2024-05-05T12:00:00.000Z');
      const withPrint = (a: EnrichedArticle): ArticleToStore => ({ article: a, alertIds: [], fingerprint: fingerprintArticle(a) });

      it('clusters copies across outlets and calls, with the earliest article as origin', async () => {
        const first = await store.insertArticles([withPrint(copy), withPrint(rates)], t0);
        expect(first.syndicated).toBeUndefined();
        const second = await store.insertArticles([withPrint(cut), withPrint(wire)], t0);
        expect(second.syndicated?.sort()).toEqual([cut.id, wire.id].sort());

        // The cluster keeps the id of its first stored article; the later-stored but earlier wire story is the origin.
        const cluster = await store.getCluster(copy.id);
        expect(cluster).toEqual({
          id: copy.id,
          originId: wire.id,
          size: 3,
          members: [
            { id: wire.id, title: wire.title, url: wire.url, outletId: 'wire', date: wire.publishedAt, dateIsFallback: false, firstSeenAt: wire.firstSeenAt, delayHours: 0 },
            { id: copy.id, title: copy.title, url: copy.url, outletId: 'proxy', date: copy.publishedAt, dateIsFallback: false, firstSeenAt: copy.firstSeenAt, delayHours: 4.5 },
            { id: cut.id, title: cut.title, url: cut.url, outletId: 'mirror', date: cut.publishedAt, dateIsFallback: false, firstSeenAt: cut.firstSeenAt, delayHours: 24 },
          ],
        });
        expect((await store.getCluster(copy.id, 1))?.members.map((m) => m.id)).toEqual([wire.id]);
        expect(await store.getArticleCluster(cut.id)).toEqual({ clusterId: copy.id, size: 3, originId: wire.id });
        expect(await store.getArticleCluster(rates.id)).toEqual({ clusterId: rates.id, size: 1, originId: rates.id });
        expect(await store.getArticleCluster('0'.repeat(32))).toBeNull();
        expect(await store.getCluster('0'.repeat(32))).toBeNull();
        await expect(store.getCluster(copy.id, 0)).rejects.toThrow();
      });

      it('gives every hit its cluster id and size', async () => {
        await store.insertArticles([withPrint(wire), withPrint(copy), withPrint(rates)], t0);
        const hits = (await store.search(ALL_QUERY, { limit: 10 })).hits;
        expect(hits.map((h) => [h.id, h.clusterId, h.clusterSize]).sort()).toEqual(
          [[wire.id, wire.id, 2], [copy.id, wire.id, 2], [rates.id, rates.id, 1]].sort(),
        );
      });

      it('counts unique stories (each in the bucket of its earliest matching copy) or all copies', async () => {
        await store.insertArticles([withPrint(wire), withPrint(copy), withPrint(cut), withPrint(rates)], t0);
        expect(await store.countOverTime(ALL_QUERY, { interval: 'day' })).toEqual({
          points: [{ t: '2024-05-05', count: 3 }, { t: '2024-05-06', count: 1 }], total: 4, fallbackDateCount: 0,
        });
        expect(await store.countOverTime(ALL_QUERY, { interval: 'day', count: 'copies' })).toEqual(
          await store.countOverTime(ALL_QUERY, { interval: 'day' }),
        );
        expect(await store.countOverTime(ALL_QUERY, { interval: 'day', count: 'stories' })).toEqual({
          points: [{ t: '2024-05-05', count: 2 }], total: 2, fallbackDateCount: 0,
        });
        // Only the cut copy matches outlet:mirror: its story counts once, on its own day.
        expect(await store.countOverTime(tag('outlet', 'mirror'), { interval: 'week', count: 'stories' })).toEqual({
          points: [{ t: '2024-05-06', count: 1 }], total: 1, fallbackDateCount: 0,
        });
        // A range that starts after the origin: the story is counted at its first copy inside the range.
        expect(await store.countOverTime(ALL_QUERY, { interval: 'month', count: 'stories', from: '2024-05-05T08:00:00Z' })).toEqual({
          points: [{ t: '2024-05-01', count: 2 }], total: 2, fallbackDateCount: 0,
        });
      });
    });
  });
}
