/**
 * Syndication detection: the pure MinHash/LSH fingerprints and same-story rule, then clustering through the real
 * SQLite store and the article processor — across batches, across a restart, and with a late earlier copy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { articleId } from '../../core/ids.ts';
import { tokenize } from '../../core/query/tokenize.ts';
import type { EnrichedArticle } from '../../core/types.ts';
import {
  estimateContainment,
  estimateJaccard,
  MINHASH_BANDS,
  MINHASH_PERMUTATIONS,
  sameStoryScore,
} from '../../store/sqlite/clusters.ts';
import { openSqliteStores, type SqliteStores } from '../../store/sqlite/open-database.ts';
import { createArticleProcessor } from '../../worker/processors/process-articles.ts';
import { fingerprintArticle, fingerprintTokens, MIN_SHINGLES, shingleHashes } from '../../worker/enrich/syndication.ts';
import { makeRawArticle } from '../helpers/raw-article.ts';
import { silentLogger } from '../helpers/silent-logger.ts';

// Two different reports of the same event (same people, places and numbers): they must never merge.
const STORY_A =
  'Health officials in Lombardy said on Tuesday that the number of coronavirus patients in intensive care fell for ' +
  'the third day in a row, a sign that the strict lockdown imposed across northern Italy is starting to work. ' +
  'Hospitals in Bergamo and Brescia, which were overwhelmed in March, reported that dozens of beds had been freed. ' +
  'The regional governor warned that restrictions would stay in place until the end of the month and urged residents ' +
  'to remain at home during the Easter holiday. Police have set up checkpoints on the main roads out of Milan and ' +
  'fined hundreds of drivers who could not justify their journeys. Doctors cautioned that the decline was fragile and ' +
  'that a second wave could follow if people relaxed too early, pointing to the long incubation period of the virus.';
const STORY_B =
  'Italy recorded its lowest daily death toll in two weeks on Tuesday, and the civil protection agency said new ' +
  'infections were slowing in Lombardy, the region hardest hit by the epidemic. In Rome, the prime minister told ' +
  'parliament that the government was preparing a plan to reopen factories and shops in stages from May, once experts ' +
  'agree that the curve has flattened. Business groups have pressed for a faster restart, arguing that the shutdown ' +
  'is costing the economy billions of euros every week. Trade unions replied that workers must be given masks and ' +
  'safe distances before any plant reopens. Officials in Bergamo and Brescia said hospital pressure had eased but ' +
  'warned residents to stay at home over Easter.';

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

/** A few words changed and a sentence added, as a republisher edits a wire story. */
function lightlyEdited(text: string): string {
  const w = words(text);
  for (const i of [10, 40, 70, 100]) if (i < w.length) w[i] = 'reportedly';
  return `(Republished with permission.) ${w.join(' ')}`;
}

function firstPart(text: string, share: number): string {
  const w = words(text);
  return w.slice(0, Math.ceil(w.length * share)).join(' ');
}

function trueJaccard(a: string, b: string): number {
  const x = new Set(shingleHashes(tokenize(a)));
  const y = shingleHashes(tokenize(b));
  let inter = 0;
  for (const h of y) if (x.has(h)) inter++;
  return inter / (x.size + y.length - inter);
}

describe('fingerprints (pure)', () => {
  it('gives identical bodies identical signatures and band keys, and ignores case and diacritics', () => {
    const a = fingerprintTokens(tokenize(STORY_A));
    const b = fingerprintTokens(tokenize(STORY_A.toUpperCase().replace(/e/g, 'é')));
    expect(a).not.toBeNull();
    expect(a?.signature).toHaveLength(MINHASH_PERMUTATIONS);
    expect(a?.bandKeys).toHaveLength(MINHASH_BANDS);
    expect(b?.signature).toEqual(a?.signature);
    expect(b?.bandKeys).toEqual(a?.bandKeys);
  });

  it('band keys are safe integers, one per band, never colliding across bands', () => {
    const fp = fingerprintTokens(tokenize(STORY_B));
    const keys = fp?.bandKeys ?? [];
    expect(keys.every((k) => Number.isSafeInteger(k) && k >= 0)).toBe(true);
    expect(keys.map((k) => Math.floor(k / 2 ** 32))).toEqual([...Array(MINHASH_BANDS).keys()]);
  });

  it('returns null for short bodies and title-only items', () => {
    expect(fingerprintArticle({ text: '' })).toBeNull();
    expect(fingerprintArticle({ text: 'Live updates: coronavirus.' })).toBeNull();
    const justBelow = words(STORY_A).slice(0, MIN_SHINGLES + 3).join(' ');
    expect(shingleHashes(tokenize(justBelow)).length).toBeLessThan(MIN_SHINGLES);
    expect(fingerprintArticle({ text: justBelow })).toBeNull();
  });

  it('estimates Jaccard within 0.12 of the true value for edited and truncated copies', () => {
    for (const copy of [lightlyEdited(STORY_A), firstPart(STORY_A, 0.6), STORY_B]) {
      const a = fingerprintArticle({ text: STORY_A });
      const b = fingerprintArticle({ text: copy });
      if (!a || !b) throw new Error('expected fingerprints');
      expect(Math.abs(estimateJaccard(a.signature, b.signature) - trueJaccard(STORY_A, copy))).toBeLessThan(0.12);
    }
  });

  it('accepts verbatim, edited and truncated copies and rejects a different report of the same event', () => {
    const a = fingerprintArticle({ text: STORY_A });
    if (!a) throw new Error('expected a fingerprint');
    const score = (text: string, sameOutlet = false) => {
      const b = fingerprintArticle({ text });
      if (!b) throw new Error('expected a fingerprint');
      return sameStoryScore({ ...a, outletId: 'wire' }, { ...b, outletId: sameOutlet ? 'wire' : 'proxy' });
    };
    expect(score(STORY_A)).toBe(1);
    expect(score(lightlyEdited(STORY_A))).not.toBeNull();
    expect(score(firstPart(STORY_A, 0.6))).not.toBeNull();
    expect(score(STORY_B)).toBeNull();
    // Within one outlet only near-verbatim bodies count (shared footers, follow-ups): the 60 % cut is refused there.
    expect(score(STORY_A, true)).toBe(1);
    expect(score(firstPart(STORY_A, 0.6), true)).toBeNull();
  });

  it('estimates containment from J and the set sizes', () => {
    // A is wholly inside B, |A| = 60, |B| = 100: J = 0.6 and containment 1.
    expect(estimateContainment(0.6, 60, 100)).toBeCloseTo(1, 5);
    expect(estimateContainment(0.2, 100, 100)).toBeCloseTo(1 / 3, 5);
    expect(estimateContainment(0, 0, 10)).toBe(0);
  });
});

function article(slug: string, outletId: string, text: string, publishedAt: string | null, extra: Partial<EnrichedArticle> = {}): EnrichedArticle {
  const url = `https://${outletId}.example/${slug}`;
  return {
    id: articleId(url),
    url,
    canonicalUrl: url,
    feedId: `feed-${outletId}`,
    outletId,
    guid: null,
    title: `${slug} headline`,
    text,
    publishedAt,
    firstSeenAt: publishedAt ?? '2020-04-07T12:00:00.000Z',
    author: null,
    language: 'en',
    languageConfidence: 0.9,
    keywords: [],
    entities: [],
    actors: [],
    themes: [],
    ...extra,
  };
}

const item = (a: EnrichedArticle) => ({ article: a, alertIds: [], fingerprint: fingerprintArticle(a) });

describe('clusters in the SQLite store', () => {
  let dir: string;
  let file: string;
  let stores: SqliteStores;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nm-synd-'));
    file = path.join(dir, 'nm.db');
    stores = openSqliteStores(file);
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const origin = article('origin', 'wire', STORY_A, '2020-04-07T08:00:00.000Z');
  const verbatim = article('verbatim', 'proxy-one', STORY_A, '2020-04-07T11:00:00.000Z');
  const edited = article('edited', 'proxy-two', lightlyEdited(STORY_A), '2020-04-08T08:00:00.000Z');
  const truncated = article('truncated', 'proxy-three', firstPart(STORY_A, 0.6), '2020-04-07T20:00:00.000Z');
  const other = article('other', 'wire', STORY_B, '2020-04-07T09:00:00.000Z');

  it('puts copies in the origin cluster, within one batch and across batches and a restart', async () => {
    const first = await stores.articles.insertArticles([item(origin), item(verbatim), item(other)], new Date());
    expect(first.syndicated).toEqual([verbatim.id]);
    await stores.close();
    stores = openSqliteStores(file);
    const second = await stores.articles.insertArticles([item(edited), item(truncated)], new Date());
    expect(second.syndicated?.sort()).toEqual([edited.id, truncated.id].sort());

    const cluster = await stores.articles.getCluster(origin.id);
    expect(cluster?.originId).toBe(origin.id);
    expect(cluster?.size).toBe(4);
    expect(cluster?.members.map((m) => [m.outletId, m.delayHours])).toEqual([
      ['wire', 0],
      ['proxy-one', 3],
      ['proxy-three', 12],
      ['proxy-two', 24],
    ]);
    expect(await stores.articles.getArticleCluster(other.id)).toEqual({ clusterId: other.id, size: 1, originId: other.id });
    expect(await stores.articles.getArticleCluster(edited.id)).toEqual({ clusterId: origin.id, size: 4, originId: origin.id });
    expect(await stores.articles.getArticleCluster('f'.repeat(32))).toBeNull();
    expect(await stores.articles.getCluster('f'.repeat(32))).toBeNull();
  });

  it('makes a later-arriving earlier copy the origin without changing the cluster id', async () => {
    await stores.articles.insertArticles([item(verbatim), item(edited)], new Date());
    const before = await stores.articles.getCluster(verbatim.id);
    expect(before?.originId).toBe(verbatim.id);
    await stores.articles.insertArticles([item(origin)], new Date());
    const after = await stores.articles.getCluster(verbatim.id);
    expect(after?.id).toBe(verbatim.id);
    expect(after?.originId).toBe(origin.id);
    expect(after?.members.map((m) => m.delayHours)).toEqual([0, 3, 24]);
    expect((await stores.articles.getArticleCluster(edited.id))?.originId).toBe(origin.id);
  });

  it('breaks date ties by firstSeenAt, then id', async () => {
    const a = article('tie-a', 'x', STORY_A, null, { firstSeenAt: '2020-04-07T10:00:00.000Z' });
    const b = article('tie-b', 'y', STORY_A, '2020-04-07T10:00:00.000Z', { firstSeenAt: '2020-04-07T09:00:00.000Z' });
    await stores.articles.insertArticles([item(a), item(b)], new Date());
    expect((await stores.articles.getCluster(a.id))?.originId).toBe(b.id);
  });

  it('never clusters title-only items or articles stored without a fingerprint', async () => {
    const t1 = article('t1', 'x', '', '2020-04-07T10:00:00.000Z', { title: 'Coronavirus: live updates from Lombardy' });
    const t2 = article('t2', 'y', '', '2020-04-07T11:00:00.000Z', { title: 'Coronavirus: live updates from Lombardy' });
    const bare = { article: article('bare', 'z', STORY_A, '2020-04-07T12:00:00.000Z'), alertIds: [] };
    await stores.articles.insertArticles([item(t1), item(t2), bare, item(origin)], new Date());
    for (const a of [t1, t2, bare.article, origin]) expect((await stores.articles.getArticleCluster(a.id))?.size).toBe(1);
  });

  it('reports clusters on search hits and counts unique stories in trends', async () => {
    await stores.articles.insertArticles([item(origin), item(verbatim), item(edited), item(other)], new Date());
    const hits = (await stores.articles.search({ kind: 'all' }, { limit: 10 })).hits;
    const byId = new Map(hits.map((h) => [h.id, h]));
    expect(byId.get(edited.id)).toMatchObject({ clusterId: origin.id, clusterSize: 3 });
    expect(byId.get(other.id)).toMatchObject({ clusterId: other.id, clusterSize: 1 });

    const copies = await stores.articles.countOverTime({ kind: 'all' }, { interval: 'day' });
    expect(copies.points).toEqual([{ t: '2020-04-07', count: 3 }, { t: '2020-04-08', count: 1 }]);
    const stories = await stores.articles.countOverTime({ kind: 'all' }, { interval: 'day', count: 'stories' });
    expect(stories).toEqual({ points: [{ t: '2020-04-07', count: 2 }], total: 2, fallbackDateCount: 0 });
    // Only the edited copy matches: the story is counted once, in the bucket of that copy.
    const edits = await stores.articles.countOverTime({ kind: 'term', field: 'text', value: 'reportedly' }, { interval: 'day', count: 'stories' });
    expect(edits.points).toEqual([{ t: '2020-04-08', count: 1 }]);
  });
});

describe('the article processor fingerprints what it stores', () => {
  let dir: string;
  let stores: SqliteStores;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nm-synd-proc-'));
    stores = openSqliteStores(path.join(dir, 'nm.db'));
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('clusters a re-headlined copy from another outlet with its origin, across batches', async () => {
    const process = createArticleProcessor({ store: stores.articles, catalog: stores.catalog, logger: silentLogger, now: () => new Date() });
    const first = makeRawArticle(1, { outletId: 'wire', title: 'Lombardy ICU numbers fall', text: STORY_A, publishedAt: '2020-04-07T08:00:00.000Z' });
    const copy = makeRawArticle(2, {
      outletId: 'proxy', feedId: 'feed0000000000bb', title: 'Italy sees hope as lockdown bites', text: STORY_A, publishedAt: '2020-04-07T10:30:00.000Z',
    });
    const different = makeRawArticle(3, { outletId: 'proxy', feedId: 'feed0000000000bb', title: 'Italy plans reopening', text: STORY_B });
    await process([first, different]);
    await process([copy]);
    const cluster = await stores.articles.getCluster(first.id);
    expect(cluster?.members.map((m) => [m.id, m.title, m.delayHours])).toEqual([
      [first.id, 'Lombardy ICU numbers fall', 0],
      [copy.id, 'Italy sees hope as lockdown bites', 2.5],
    ]);
    expect((await stores.articles.getArticleCluster(different.id))?.size).toBe(1);
  });
});
