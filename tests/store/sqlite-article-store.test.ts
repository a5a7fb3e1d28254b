/**
 * SQLite article store: the shared contract against a real temp-file database, plus what only SQLite has
 * (a second connection, FTS5 injection safety, migrations, the on-disk schema).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.ts';
import type { QueryNode } from '../../core/query/ast.ts';
import { parseQuery } from '../../core/query/parse.ts';
import { MIGRATIONS } from '../../store/sqlite/migrations.ts';
import { openDatabase, openSqliteStores, type SqliteStores } from '../../store/sqlite/open-database.ts';
import { createSqliteArticleStore, titleKey } from '../../store/sqlite/sqlite-article-store.ts';
import { CONTRACT_ALERTS, FIXTURES, runArticleStoreContract } from './article-store.contract.ts';

const tempDirs: string[] = [];
function tempDbPath(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nm-sqlite-'));
  tempDirs.push(dir);
  return path.join(dir, 'nested', 'narrative-monitor.db');
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

runArticleStoreContract('sqlite', async ({ alerts }) => {
  const stores = openSqliteStores(tempDbPath());
  for (const alert of alerts) await stores.catalog.upsertAlert(alert);
  return { store: stores.articles, cleanup: () => stores.close() };
});

// The same contract with every query as plain SQL over `articles` (no in-memory facts): the store's two paths.
runArticleStoreContract('sqlite, plain SQL (inMemoryFacts: false)', async ({ alerts }) => {
  const stores = openSqliteStores(tempDbPath());
  for (const alert of alerts) await stores.catalog.upsertAlert(alert);
  const store = createSqliteArticleStore(stores.db, { inMemoryFacts: false, release: () => {} });
  return { store, cleanup: () => stores.close() };
});

const ALL_ARTICLES = Object.values(FIXTURES);
const NOW = new Date('2024-04-02T10:00:00.000Z');
const term = (value: string): QueryNode => ({ kind: 'term', field: 'text', value });

describe('SQLite article store specifics', () => {
  let stores: SqliteStores;
  let file: string;

  beforeEach(async () => {
    file = tempDbPath();
    stores = openSqliteStores(file);
    for (const alert of CONTRACT_ALERTS) await stores.catalog.upsertAlert(alert);
    await stores.articles.insertArticles(ALL_ARTICLES.map((article) => ({ article, alertIds: [] })), NOW);
  });
  afterEach(async () => {
    await stores.close();
  });

  it('opens the file in WAL mode with the agreed pragmas', () => {
    expect(stores.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(stores.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(stores.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(stores.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('a second connection to the same file sees committed data and can write too', async () => {
    const other = openSqliteStores(file);
    try {
      expect(await other.articles.count()).toBe(12);
      const hits = await other.articles.search(term('helmets'), { limit: 10 });
      expect(hits.total).toBe(2);
      // A write from the second connection (the worker) is visible to the first (the API).
      // A new title too: the same title in the same outlet the same week would be a title duplicate.
      const extra = { ...FIXTURES.enWeather, id: 'e'.repeat(32), url: 'https://bbc.example/news/extra', title: 'Extra weather report for Leeds' };
      const r = await other.articles.insertArticles([{ article: extra, alertIds: [] }], NOW);
      expect(r.inserted).toEqual([extra.id]);
      expect(await stores.articles.count()).toBe(13);
      expect(await stores.articles.existingIds([extra.id])).toEqual(new Set([extra.id]));
    } finally {
      await other.close();
    }
  });

  const injections = [
    '"', '""', '"chemical', 'chemical"', '*', 'chem*', 'NEAR(', 'NEAR(chemical helmets)', "'; DROP TABLE articles; --",
    ':', 'title:chemical', '{title}:chemical', 'AND', 'OR', 'NOT', '(', ')', '^chemical', '-', '+', 'a"b', '\\', '\u0000',
  ];
  it.each(injections)('searches %j literally without a syntax error', async (value) => {
    const phraseNode: QueryNode = { kind: 'phrase', field: 'title', words: [value, 'x'] };
    for (const q of [term(value), phraseNode, { kind: 'not', child: term(value) } as QueryNode]) {
      await expect(stores.articles.search(q, { limit: 10 })).resolves.toBeDefined();
      await expect(stores.articles.countOverTime(q, { interval: 'day' })).resolves.toBeDefined();
      await expect(stores.articles.topTerms(q, { field: 'outlet', limit: 5 })).resolves.toBeDefined();
    }
    expect(await stores.articles.count()).toBe(12);
  });

  it('gives FTS operators no meaning inside a term', async () => {
    // A trailing * is not a prefix query: "chem*" is the word "chem", which no article contains.
    expect((await stores.articles.search(term('chem*'), { limit: 10 })).total).toBe(0);
    // Quotes around a word are just punctuation for the tokenizer.
    expect((await stores.articles.search(term('"chemical"'), { limit: 10 })).total).toBe(2);
    // "NEAR(chemical" is the two-word phrase "near chemical", not a NEAR group.
    expect((await stores.articles.search(term('NEAR(chemical'), { limit: 10 })).total).toBe(0);
    // Markup in a stored article is findable as words.
    const script = await stores.articles.search(term('alert(1)'), { limit: 10 });
    expect(script.hits.map((h) => h.id)).toEqual([FIXTURES.enTricks.id]);
    // A "title:" prefix inside the value is not a column filter.
    expect((await stores.articles.search(term('title:chemical'), { limit: 10 })).total).toBe(0);
  });

  it('rejects invalid date bounds and cursors with a ValidationError', async () => {
    await expect(stores.articles.search(term('x'), { limit: 5, from: 'yesterday' })).rejects.toBeInstanceOf(ValidationError);
    await expect(stores.articles.search(term('x'), { limit: 5, cursor: 'Zm9v' })).rejects.toBeInstanceOf(ValidationError);
    await expect(stores.articles.topTerms(term('x'), { field: 'actors', limit: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('derives alert-event ids as sha256(alertId:articleId) and marks unknown alerts "none"', async () => {
    const article = { ...FIXTURES.enTricks, id: 'a'.repeat(32), url: 'https://rt.example/news/other', title: 'Another staged attack claim' };
    const r = await stores.articles.insertArticles([{ article, alertIds: ['chem', 'unknown-alert'] }], NOW);
    const expectedId = createHash('sha256').update(`chem:${article.id}`).digest('hex').slice(0, 32);
    expect(r.alertEvents.find((e) => e.alertId === 'chem')?.id).toBe(expectedId);
    expect(r.alertEvents.find((e) => e.alertId === 'unknown-alert')?.deliveryStatus).toBe('none');
    const rows = stores.db.prepare('SELECT count(*) AS n FROM alert_events').get() as { n: number };
    expect(rows.n).toBe(2);
  });

  it('recordDelivery of an unknown event is a NotFoundError', async () => {
    await expect(stores.articles.recordDelivery('0'.repeat(32), { ok: true }, NOW)).rejects.toMatchObject({
      code: 'alert_event_not_found',
    });
  });

  it('keeps tags, FTS rows and events in one transaction: a failing batch stores nothing', async () => {
    const good = { ...FIXTURES.enTricks, id: 'b'.repeat(32), url: 'https://rt.example/news/good' };
    const bad = { ...FIXTURES.enTricks, id: 'c'.repeat(32), publishedAt: null, firstSeenAt: 'not a date' };
    await expect(
      stores.articles.insertArticles(
        [
          { article: good, alertIds: ['chem'] },
          { article: bad, alertIds: [] },
        ],
        NOW,
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await stores.articles.existingIds([good.id, bad.id])).toEqual(new Set());
    const tags = stores.db.prepare('SELECT count(*) AS n FROM article_tags WHERE article_seq NOT IN (SELECT seq FROM articles)');
    expect((tags.get() as { n: number }).n).toBe(0);
    expect(await stores.articles.listAlertEvents('chem', 10)).toEqual([]);
    const fts = stores.db.prepare("SELECT count(*) AS n FROM articles_fts WHERE articles_fts MATCH '\"tricks\"'");
    expect((fts.get() as { n: number }).n).toBe(1);
  });

  it('uses the (field, value) index for tag filters and FTS5 for text', () => {
    const plan = stores.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT count(*) FROM articles WHERE articles.seq IN
         (SELECT tg.article_seq FROM article_tags AS tg WHERE tg.field = ? AND tg.value = ?)`,
      )
      .all('actor', 'white-helmets') as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/article_tags.*PRIMARY KEY|USING PRIMARY KEY/);
  });
});

describe('SQLite title dedupe (feeds that rewrite GUIDs and links)', () => {
  let stores: SqliteStores;
  beforeEach(async () => {
    stores = openSqliteStores(tempDbPath());
    for (const alert of CONTRACT_ALERTS) await stores.catalog.upsertAlert(alert);
  });
  afterEach(async () => {
    await stores.close();
  });
  const base = FIXTURES.enTricks;
  const copy = (n: number, over: Partial<typeof base> = {}) => ({
    ...base,
    id: n.toString(16).padStart(32, '0'),
    url: `https://rt.example/rewritten/${n}`,
    canonicalUrl: `https://rt.example/rewritten/${n}`,
    ...over,
  });

  it('normalizes titles and refuses keys for titles too short to identify a story', () => {
    expect(titleKey('  Western MEDIA — ignore   the evidence!! ')).toBe('western media ignore the evidence');
    expect(titleKey('Ｗestern media ignore the evidence')).toBe('western media ignore the evidence');
    expect(titleKey('Live updates')).toBeNull();
    expect(titleKey('Today in history')).toBeNull();
    expect(titleKey('')).toBeNull();
    expect(titleKey('Белые каски инсценировали атаку')).toBe('белые каски инсценировали атаку');
    // Unspaced scripts count characters: 8 or more identify a story.
    expect(titleKey('叙利亚白头盔组织救援平民')).toBe('叙利亚白头盔组织救援平民');
    expect(titleKey('今日新闻')).toBeNull();
  });

  it('stores one article per normalized title, outlet and week; the rest are duplicates without alert events', async () => {
    const first = copy(1);
    const sameTitle = copy(2, { title: 'WESTERN media ignore the evidence.', publishedAt: '2024-03-15T12:00:00.000Z' });
    const otherOutlet = copy(3, { outletId: 'sputnik', feedId: 'feed-sputnik' });
    const eightDaysLater = copy(4, { publishedAt: '2024-03-19T12:00:01.000Z' });
    const r1 = await stores.articles.insertArticles([{ article: first, alertIds: ['chem'] }], NOW);
    expect(r1.inserted).toEqual([first.id]);
    const r2 = await stores.articles.insertArticles(
      [sameTitle, otherOutlet, eightDaysLater].map((article) => ({ article, alertIds: ['chem'] })),
      NOW,
    );
    expect(r2.duplicates).toEqual([sameTitle.id]);
    expect(r2.inserted).toEqual([otherOutlet.id, eightDaysLater.id]);
    expect(r2.alertEvents.map((e) => e.articleId)).toEqual([otherOutlet.id, eightDaysLater.id]);
    expect(await stores.articles.existingIds([sameTitle.id])).toEqual(new Set());
    expect(await stores.articles.count()).toBe(3);
  });

  it('deduplicates within one batch and keeps short titles apart', async () => {
    const a = copy(1);
    const b = copy(2, { url: 'https://rt.example/x?session=2' });
    const live1 = copy(3, { title: 'Live updates' });
    const live2 = copy(4, { title: 'Live updates' });
    const r = await stores.articles.insertArticles([a, b, live1, live2].map((article) => ({ article, alertIds: [] })), NOW);
    expect(r.inserted).toEqual([a.id, live1.id, live2.id]);
    expect(r.duplicates).toEqual([b.id]);
  });

  it('stores the feed summary beside the page text and returns it', async () => {
    const full = copy(1, { text: 'The whole article text.', summary: 'The feed summary.' });
    await stores.articles.insertArticles([{ article: full, alertIds: [] }], NOW);
    expect(await stores.articles.getArticle(full.id)).toMatchObject({ text: 'The whole article text.', summary: 'The feed summary.' });
    const plain = copy(2, { title: 'Something else entirely new here' });
    await stores.articles.insertArticles([{ article: plain, alertIds: [] }], NOW);
    expect(await stores.articles.getArticle(plain.id)).not.toHaveProperty('summary');
  });

  it('uses the (outlet_id, title_key, date_ms) index for the lookup', () => {
    const plan = stores.db
      .prepare('EXPLAIN QUERY PLAN SELECT id FROM articles WHERE outlet_id = ? AND title_key = ? AND date_ms BETWEEN ? AND ? LIMIT 1')
      .all('rt', 'x', 0, 1) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toContain('articles_outlet_title');
  });
});

describe('SQLite article store at volume', () => {
  it('pages through more than 1000 matches (date-index walk) and a few (sort) in the same order', async () => {
    const stores = openSqliteStores(tempDbPath());
    try {
      const base = FIXTURES.enWeather;
      const day0 = Date.UTC(2024, 0, 1);
      // 1500 articles, three per timestamp so ties are common; every 7th also mentions "storm".
      const items = Array.from({ length: 1500 }, (_, n) => {
        const id = createHash('sha256').update(`volume-${n}`).digest('hex').slice(0, 32);
        const at = new Date(day0 + Math.floor(n / 3) * 3_600_000).toISOString();
        const text = n % 7 === 0 ? 'calm then a storm' : 'calm';
        return { article: { ...base, id, url: `https://bbc.example/v/${n}`, title: `Volume item ${n}`, publishedAt: at, text }, alertIds: [] };
      });
      await stores.articles.insertArticles(items, NOW);
      const expectedOrder = (keep: (n: number) => boolean) =>
        items
          .filter((_, n) => keep(n))
          .map((i) => i.article)
          .sort((a, b) => Date.parse(b.publishedAt ?? '') - Date.parse(a.publishedAt ?? '') || (a.id < b.id ? 1 : -1))
          .map((a) => a.id);
      const pageAll = async (q: QueryNode) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 50; i++) {
          const r = await stores.articles.search(q, { limit: 100, ...(cursor ? { cursor } : {}) });
          seen.push(...r.hits.map((h) => h.id));
          if (!r.nextCursor) return { seen, total: r.total };
          cursor = r.nextCursor;
        }
        throw new Error('pagination did not end');
      };
      const many = await pageAll(term('calm'));
      expect(many.total).toBe(1500);
      expect(many.seen).toEqual(expectedOrder(() => true));
      const few = await pageAll(term('storm'));
      expect(few.total).toBe(215);
      expect(few.seen).toEqual(expectedOrder((n) => n % 7 === 0));
      const notFew = await pageAll({ kind: 'not', child: term('storm') });
      expect(notFew.seen).toEqual(expectedOrder((n) => n % 7 !== 0));
      const trend = await stores.articles.countOverTime(term('storm'), { interval: 'month' });
      expect(trend.total).toBe(215);
      expect(await stores.articles.topTerms(term('storm'), { field: 'keywords', limit: 5 })).toEqual([
        { term: 'rain', count: 215 },
      ]);
    } finally {
      await stores.close();
    }
  });
});

describe('SQLite FTS index over normalized text', () => {
  let stores: SqliteStores;
  const make = (key: string, title: string, text: string) => ({
    ...FIXTURES.enWeather,
    id: createHash('sha256').update(key).digest('hex').slice(0, 32),
    url: `https://bbc.example/n/${key}`,
    title,
    text,
  });
  const yo = make('yo', 'Ёж', 'Ёжик и ёлка');
  const tashkeel = make('tashkeel', 'خبر', 'أَنْقَذَ مُتَطَوِّعُو الْخُوذِ الْبَيْضَاءِ');
  const emoji = make('emoji', 'Press', 'Putin🙂said hello');
  const fts = (match: string): number[] =>
    stores.db.prepare('SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?').pluck().all(match) as number[];
  const searchIds = async (q: string): Promise<string[]> =>
    (await stores.articles.search(parseQuery(q), { limit: 10 })).hits.map((h) => h.id);

  beforeEach(async () => {
    stores = openSqliteStores(tempDbPath());
    await stores.articles.insertArticles([yo, tashkeel, emoji].map((article) => ({ article, alertIds: [] })), NOW);
  });
  afterEach(async () => {
    await stores.close();
  });

  it('is a contentless table that keeps no copy of the text', () => {
    const sql = stores.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").pluck().get() as string;
    expect(sql).toMatch(/content\s*=\s*''/);
    expect(sql).toMatch(/contentless_delete\s*=\s*1/);
    expect(stores.db.prepare('SELECT title, text FROM articles_fts').all()).toEqual([
      { title: null, text: null }, { title: null, text: null }, { title: null, text: null },
    ]);
  });

  it('indexes the normalized text: ё = е, tashkeel dropped, emoji split off', async () => {
    expect(fts('"еж"')).toHaveLength(1);
    expect(fts('"ё"')).toEqual([]);
    expect(fts('"الخوذ" + "البيضاء"')).toHaveLength(1);
    expect(fts('"putin"')).toHaveLength(1);
    expect(await searchIds('ёж')).toEqual([yo.id]);
    expect(await searchIds('еж')).toEqual([yo.id]);
    expect(await searchIds('"الْخُوذِ الْبَيْضَاءِ"')).toEqual([tashkeel.id]);
    expect(await searchIds('"الخوذ البيضاء"')).toEqual([tashkeel.id]);
    expect(await searchIds('said')).toEqual([emoji.id]);
    // The display text is the raw one.
    expect((await stores.articles.getArticle(tashkeel.id))?.text).toBe(tashkeel.text);
    const hit = (await stores.articles.search(parseQuery('ёлка'), { limit: 10 })).hits[0];
    expect(hit?.snippet).toBe('Ёжик и <mark>ёлка</mark>');
  });

  it('drops the FTS row when an article is deleted (cascade through article_contents)', async () => {
    expect(fts('"putin"')).toHaveLength(1);
    stores.db.prepare('DELETE FROM articles WHERE id = ?').run(emoji.id);
    expect(fts('"putin"')).toEqual([]);
    expect(await searchIds('putin')).toEqual([]);
    expect(await searchIds('еж')).toEqual([yo.id]);
  });

  it('refuses in-place edits of title or text, which the index could not follow', () => {
    expect(() => stores.db.prepare("UPDATE article_contents SET text = 'changed'").run()).toThrow(/immutable/);
    expect(() => stores.db.prepare("UPDATE article_contents SET entities = '[]'").run()).not.toThrow();
  });
});

describe('SQLite migrations', () => {
  it('are applied once and are idempotent on reopen, keeping data', async () => {
    const file = tempDbPath();
    const first = openSqliteStores(file);
    await first.articles.insertArticles([{ article: FIXTURES.frIdlib, alertIds: [] }], NOW);
    const applied = first.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(applied).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    await first.close();

    const again = openDatabase(file);
    try {
      const count = again.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number };
      expect(count.n).toBe(MIGRATIONS.length);
      const store = createSqliteArticleStore(again);
      expect(await store.count()).toBe(1);
      expect((await store.search(term('refugies'), { limit: 5 })).total).toBe(1);
    } finally {
      again.close();
    }
  });

  it('declares strictly increasing versions', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('builds the FTS table with the diacritic-folding unicode61 tokenizer', () => {
    const db = openDatabase(tempDbPath());
    try {
      const sql = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").pluck().get() as string;
      expect(sql).toContain('unicode61 remove_diacritics 2');
      const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all() as string[];
      expect(indexes).toEqual(expect.arrayContaining(['articles_date', 'articles_outlet_date']));
    } finally {
      db.close();
    }
  });

  it('closing one of two stores sharing a connection keeps it open for the other', async () => {
    const stores = openSqliteStores(tempDbPath());
    await stores.catalog.close();
    expect(stores.db.open).toBe(true);
    expect(await stores.articles.count()).toBe(0);
    await stores.articles.close();
    expect(stores.db.open).toBe(false);
    await stores.close();
  });
});
