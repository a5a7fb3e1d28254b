/**
 * Differential test: the SQLite store (FTS5 over normalized text) and the in-memory matcher (themes, alerts)
 * must return the same articles for every query, over real corpus articles plus multilingual edge cases —
 * terms, phrases, proximity, wildcards, date ranges, tags (entity:, keyword:, collection:/country: via outlets).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slugify } from '../../core/ids.ts';
import type { QueryNode, TagField } from '../../core/query/ast.ts';
import { compilePreparedMatcher, prepareArticle, type PreparedArticle } from '../../core/query/match.ts';
import { parseQuery, type TagResolver } from '../../core/query/parse.ts';
import { createCatalogResolver, type OutletEntry } from '../../core/query/resolver.ts';
import { normalizeText, tokenize, tokenizeWithOffsets } from '../../core/query/tokenize.ts';
import type { EnrichedArticle } from '../../core/types.ts';
import type { ArticleStore } from '../../store/article-store.ts';
import { openSqliteStores, type SqliteStores } from '../../store/sqlite/open-database.ts';
import { createSqliteArticleStore } from '../../store/sqlite/sqlite-article-store.ts';
import { ENTITY_KEY_TAG, entityKeyTags, positiveTextLeaves } from '../../store/sqlite/query-to-sql.ts';
import { normalizeForIndex } from '../../store/sqlite/snippet.ts';
import { seededRandom } from '../../core/seeded-random.ts';
import { corpusAvailable as corpusFileAvailable, CORPUS_FILE, readCorpus } from '../../bench/corpus-feeds.ts';

const CORPUS_ARTICLES = 400;
const AST_QUERIES = 400;
const PARSED_QUERIES = 240;
const SEED = 20240402;

const corpusAvailable = corpusFileAvailable();
if (!corpusAvailable) {
  console.warn(
    `\n!!! differential.test.ts SKIPPED: ${CORPUS_FILE} is missing. The store/matcher agreement is NOT verified.` +
      '\n!!! Put the shared corpus beside the checkout (../shared/corpus) to run it.\n',
  );
}

/** Reproducible from SEED. */
const prng = seededRandom;

interface CorpusRow {
  id: string;
  outlet: string;
  url: string;
  published: string | null;
  title: string | null;
  text: string;
}

/** Written to hit every place where raw FTS5 and tokenize() disagree, plus ordinary accents and scripts. */
const MULTILINGUAL: { outlet: string; lang: string; title: string; text: string }[] = [
  { outlet: 'rt', lang: 'ru', title: 'Ёжик в тумане', text: 'Ёж и ёлка: ещё всё впереди. «Ёжики» живут в лесу, где растёт ель.' },
  { outlet: 'rt', lang: 'ru', title: 'Еж и елка', text: 'Еж нашел елку; еще все впереди. Ежики и ЁЖИКИ.' },
  { outlet: 'aljazeera', lang: 'ar', title: 'الْخُوذُ الْبَيْضَاءُ تُنْقِذُ مَدَنِيِّينَ', text: 'أَنْقَذَ مُتَطَوِّعُو الْخُوذِ الْبَيْضَاءِ مَدَنِيِّينَ فِي إِدْلِبَ.' },
  { outlet: 'aljazeera', lang: 'ar', title: 'الخوذ البيضاء في إدلب', text: 'أنقذ متطوعو الخوذ البيضاء مدنيين من تحت الأنقاض في إدلب.' },
  { outlet: 'lemonde', lang: 'fr', title: "L'Élysée et les réfugiés", text: "Crème brûlée, garçon, Noël et cœur : l'été à Idlib, où les réfugiés fuient. Déjà vu." },
  { outlet: 'lemonde', lang: 'fr', title: 'Cafe\u0301 de\u0301ja\u0300 vu', text: 'Decomposed accents: cafe\u0301, re\u0301fugie\u0301s, E\u0301lyse\u0301e.' },
  { outlet: 'rt', lang: 'en', title: 'Putin🙂 meets press', text: 'Putin🙂said hello🌍world. 🇺🇦Ukraine and Syria🔥fire, emoji👍🏽glued to words.' },
  { outlet: 'bbc', lang: 'en', title: 'ﬁnancial ＮＡＴＯ ① report', text: 'The ﬁnancial ﬁrms and ＮＡＴＯ met; ② items on the agenda. Straße Müller Äpfel.' },
  { outlet: 'bbc', lang: 'el', title: 'Ο κόσμος της Αθήνας', text: 'ΟΔΥΣΣΕΥΣ και ο Οδυσσέας: ο κόσμος, οι άνθρωποι της πόλης.' },
  { outlet: 'bbc', lang: 'tr', title: 'İstanbul and Iğdır', text: 'İstanbul, ISTANBUL and istanbul are the same city; Iğdır too.' },
  { outlet: 'xinhua', lang: 'zh', title: '新冠病毒在武汉爆发', text: '武汉 Wuhan 新冠病毒 疫情。世界卫生组织说。' },
  { outlet: 'haaretz', lang: 'he', title: 'שָׁלוֹם עֲלֵיכֶם', text: 'שלום עליכם, אמר בירושלים. שָׁלוֹם.' },
  { outlet: 'bbc', lang: 'vi', title: 'Việt Nam', text: "Viet Nam and Việt Nam; al-Nusra don't L'Élysée (don’t) 10:30 1,200." },
];

const ACTORS = ['who', 'trump', 'cdc', 'white-helmets', 'putin'];
const COLLECTIONS = ['state-affiliated', 'wire', 'tabloid', 'health'];
const COUNTRIES = ['US', 'GB', 'RU', 'FR'];

/** Outlet tags and countries, assigned from a hash of the id so the catalog is fixed. */
function outletEntry(id: string): OutletEntry {
  const h = createHash('sha256').update(id).digest();
  const tags = COLLECTIONS.filter((_, i) => ((h[0] ?? 0) >> i) & 1);
  return { id, name: id, country: COUNTRIES[(h[1] ?? 0) % COUNTRIES.length], tags };
}
const THEMES = ['covid', 'economy', 'vaccines', 'staged-chemical-attack'];
const LANGS = ['en', 'en', 'en', 'ru', 'fr', 'ar'];

function loadArticles(): EnrichedArticle[] {
  const rand = prng(SEED);
  const rows: CorpusRow[] = readCorpus().slice(0, CORPUS_ARTICLES);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const subset = (xs: readonly string[], p: number): string[] => xs.filter(() => rand() < p);
  // Keywords as the extractor writes them (folded tokens, names joined by a space); entities as written in the
  // text (capitals, accents, hyphens), so `entity:` exercises the folding.
  const keywordsOf = (title: string, text: string): string[] => {
    const tokens = tokenize(`${title} ${text}`).filter((t) => [...t].length > 3);
    const picked = Array.from({ length: Math.min(tokens.length, 4) }, () => pick(tokens));
    if (tokens.length > 1 && rand() < 0.5) picked.push(`${pick(tokens)} ${pick(tokens)}`);
    return [...new Set(picked)];
  };
  const entitiesOf = (title: string, text: string): { text: string; type: 'ORG'; start: number; end: number }[] => {
    const source = `${title}\n\n${text}`;
    const tokens = tokenizeWithOffsets(source);
    const out = [];
    for (let k = 0; k < 3 && tokens.length > 0; k++) {
      const at = Math.floor(rand() * tokens.length);
      const len = 1 + Math.floor(rand() * 3);
      const last = tokens[Math.min(tokens.length - 1, at + len - 1)];
      const start = tokens[at]?.start ?? 0;
      const end = last?.end ?? start;
      out.push({ text: source.slice(start, end), type: 'ORG' as const, start, end });
    }
    return out;
  };
  const build = (key: string, outlet: string, lang: string, title: string, text: string, date: string | null) => {
    const id = createHash('sha256').update(`differential:${key}`).digest('hex').slice(0, 32);
    const outletId = slugify(outlet);
    const url = `https://${outletId}.example/${id}`;
    const article: EnrichedArticle = {
      id, url, canonicalUrl: url, feedId: `feed-${outletId}`, outletId, guid: null, title, text,
      publishedAt: date, firstSeenAt: '2020-06-01T00:00:00.000Z', author: null,
      language: lang, languageConfidence: 0.9, keywords: keywordsOf(title, text), entities: entitiesOf(title, text),
      actors: subset(ACTORS, 0.25), themes: subset(THEMES, 0.2),
    };
    return article;
  };
  const corpus = rows.map((r) =>
    build(r.id, r.outlet, pick(LANGS), r.title ?? '', r.text, r.published ? `${r.published}T12:00:00.000Z` : null),
  );
  const hand = MULTILINGUAL.map((m, i) => build(`hand-${i}`, m.outlet, m.lang, m.title, m.text, '2024-03-04T10:00:00.000Z'));
  return [...corpus, ...hand];
}

/** What the generators draw from: the vocabulary of the same articles. */
interface Vocabulary {
  frequent: string[];
  rare: string[];
  titleWords: string[];
  handWords: string[];
  outlets: string[];
  langs: string[];
  /** YYYY-MM-DD of every article date. */
  dates: string[];
  /** Entity texts as written. */
  entities: string[];
  keywords: string[];
}

function vocabularyOf(articles: readonly EnrichedArticle[], handCount: number): Vocabulary {
  const freq = new Map<string, number>();
  const titleWords = new Set<string>();
  for (const a of articles) {
    for (const t of tokenize(a.text)) freq.set(t, (freq.get(t) ?? 0) + 1);
    for (const t of tokenize(a.title)) titleWords.add(t);
  }
  const byFreq = [...freq.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  const hand = articles.slice(articles.length - handCount);
  return {
    frequent: byFreq.slice(0, 300).map(([w]) => w),
    rare: byFreq.filter(([, n]) => n <= 2).map(([w]) => w),
    titleWords: [...titleWords].sort(),
    handWords: [...new Set(hand.flatMap((a) => [...tokenize(a.title), ...tokenize(a.text)]))].sort(),
    outlets: [...new Set(articles.map((a) => a.outletId))].sort(),
    langs: [...new Set(articles.map((a) => a.language))].sort(),
    dates: [...new Set(articles.map((a) => (a.publishedAt ?? a.firstSeenAt).slice(0, 10)))].sort(),
    entities: [...new Set(articles.flatMap((a) => a.entities.map((e) => e.text)))].sort(),
    keywords: [...new Set(articles.flatMap((a) => a.keywords))].sort(),
  };
}

/** A random date bound as written in queries: a day, a month, a year or a date-time, from the corpus dates. */
function dateValue(vocab: Vocabulary, rand: () => number): string {
  const d = vocab.dates[Math.floor(rand() * vocab.dates.length)] ?? '2020-03-15';
  const r = rand();
  if (r < 0.6) return d;
  if (r < 0.85) return d.slice(0, 7);
  if (r < 0.9) return d.slice(0, 4);
  return `${d}T${rand() < 0.5 ? '12:00Z' : '11:59:59.999+00:00'}`;
}

function rangeText(vocab: Vocabulary, rand: () => number): string {
  const a = rand() < 0.15 ? '*' : dateValue(vocab, rand);
  const b = rand() < 0.15 ? '*' : dateValue(vocab, rand);
  const [lo, hi] = a !== '*' && b !== '*' && a > b ? [b, a] : [a, b];
  return `published:${rand() < 0.7 ? '[' : '{'}${lo} TO ${hi}${rand() < 0.7 ? ']' : '}'}`;
}

/** `collection:x` or `country:xx` naming a group that some corpus outlet belongs to. */
function outletGroupText(vocab: Vocabulary, rand: () => number): string {
  const entries = vocab.outlets.map(outletEntry);
  const field = rand() < 0.5 ? 'collection' : 'country';
  const values = [...new Set(entries.flatMap((e) => (field === 'collection' ? (e.tags ?? []) : [e.country ?? ''])))].filter(Boolean).sort();
  const v = values[Math.floor(rand() * values.length)] ?? 'wire';
  return `${field}:${rand() < 0.5 ? v.toLowerCase() : v}`;
}

/** Parses a range, or null when the random bounds make it empty (the parser rejects empty ranges). */
function rangeNode(vocab: Vocabulary, rand: () => number): QueryNode | null {
  try {
    return parseQuery(rangeText(vocab, rand));
  } catch {
    return null;
  }
}

/** Random query ASTs: terms, title terms, phrases from real texts, tags, and/or/not nested up to depth 3. */
function astGenerator(articles: readonly EnrichedArticle[], vocab: Vocabulary, resolve: TagResolver, rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const word = (): string => {
    const r = rand();
    if (r < 0.3) return pick(vocab.frequent);
    if (r < 0.55) return pick(vocab.rare);
    if (r < 0.75) return pick(vocab.handWords);
    if (r < 0.97) return pick(tokenize(pick(articles).text).concat(vocab.frequent));
    return 'zzqxnotaword';
  };
  const phraseWords = (field: 'title' | 'text'): string[] => {
    const source = rand() < 0.3 ? articles.slice(-MULTILINGUAL.length) : articles;
    const a = pick(source);
    const tokens = tokenize(field === 'title' ? a.title : a.text);
    const len = 2 + Math.floor(rand() * 2);
    if (tokens.length < len) return [word(), word()];
    const at = Math.floor(rand() * (tokens.length - len + 1));
    return tokens.slice(at, at + len);
  };
  const tag = (): QueryNode => {
    const field = pick<TagField>(['outlet', 'lang', 'actor', 'theme', 'entity', 'keyword']);
    if (field === 'entity') return { kind: 'tag', field, value: foldTag(rand() < 0.9 ? pick(vocab.entities) : 'no such entity') };
    if (field === 'keyword') return { kind: 'tag', field, value: rand() < 0.9 ? pick(vocab.keywords) : 'zzqx' };
    const values =
      field === 'outlet' ? [...vocab.outlets, 'no-such-outlet'] : field === 'lang' ? vocab.langs : field === 'actor' ? ACTORS : THEMES;
    return { kind: 'tag', field, value: pick(values) };
  };
  /** 2-3 distinct words from one window of a real text, shuffled, with a distance around what separates them. */
  const proximity = (field: 'title' | 'text'): QueryNode => {
    const a = pick(rand() < 0.3 ? articles.slice(-MULTILINGUAL.length) : articles);
    const tokens = tokenize(field === 'title' ? a.title : a.text);
    const span = tokens.slice(Math.floor(rand() * Math.max(1, tokens.length - 8))).slice(0, 2 + Math.floor(rand() * 8));
    const words = [...new Set(Array.from({ length: 2 + Math.floor(rand() * 2) }, () => pick(span.length > 0 ? span : [word()])))];
    if (words.length < 2) words.push(word());
    const shuffled = [...new Set(words)].sort(() => rand() - 0.5);
    return { kind: 'proximity', field, words: shuffled, distance: Math.floor(rand() * 7) };
  };
  const prefix = (field: 'title' | 'text'): QueryNode => {
    const source = field === 'title' ? vocab.titleWords : [...vocab.frequent, ...vocab.rare.slice(0, 500), ...vocab.handWords];
    const candidates = source.filter((w) => [...w].length >= 3);
    const w = [...pick(candidates)];
    return { kind: 'prefix', field, value: w.slice(0, 3 + Math.floor(rand() * Math.max(1, w.length - 3))).join('') };
  };
  const leaf = (): QueryNode => {
    const r = rand();
    if (r < 0.25) return { kind: 'term', field: 'text', value: word() };
    if (r < 0.31) return { kind: 'term', field: 'title', value: rand() < 0.7 ? pick(vocab.titleWords) : word() };
    if (r < 0.43) return { kind: 'phrase', field: 'text', words: phraseWords('text') };
    if (r < 0.46) return { kind: 'phrase', field: 'title', words: phraseWords('title') };
    if (r < 0.56) return proximity(rand() < 0.8 ? 'text' : 'title');
    if (r < 0.64) return prefix(rand() < 0.8 ? 'text' : 'title');
    if (r < 0.72) return rangeNode(vocab, rand) ?? { kind: 'date', gte: '2020-03-01T00:00:00.000Z' };
    if (r < 0.77) return parseQuery(outletGroupText(vocab, rand), resolve);
    return tag();
  };
  const node = (depth: number): QueryNode => {
    if (depth >= 3 || rand() < 0.35) return leaf();
    const r = rand();
    if (r < 0.2) return { kind: 'not', child: node(depth + 1) };
    const children = Array.from({ length: 2 + Math.floor(rand() * 2) }, () =>
      // -term inside a group: the shape `a -b` parses to.
      rand() < 0.2 ? ({ kind: 'not', child: node(depth + 1) } as QueryNode) : node(depth + 1),
    );
    return { kind: r < 0.6 ? 'and' : 'or', children };
  };
  return node;
}

/**
 * Random query *text*, so the parser is in the loop: raw words and phrases cut from the articles as written
 * (capitals, accents, tashkeel, ё, emoji-glued), fields, AND/OR/NOT, -x, parentheses.
 */
function textGenerator(articles: readonly EnrichedArticle[], vocab: Vocabulary, rand: () => number) {
  const quoted = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const hand = articles.slice(-MULTILINGUAL.length);
  const rawSpan = (words: number, field: 'title' | 'text'): string => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const a = pick(rand() < 0.4 ? hand : articles);
      const text = field === 'title' ? a.title : a.text;
      const tokens = tokenizeWithOffsets(text);
      if (tokens.length < words) continue;
      const at = Math.floor(rand() * (tokens.length - words + 1));
      const raw = text.slice(tokens[at]?.start ?? 0, tokens[at + words - 1]?.end ?? 0);
      // Operators and quoting characters would change the query's structure, not its words.
      if (/["\\()]/.test(raw) || /\b(AND|OR|NOT)\b/.test(raw) || (words === 1 && /\s/.test(raw))) continue;
      return raw;
    }
    return pick(vocab.frequent);
  };
  const clause = (): string => {
    const r = rand();
    if (r < 0.35) return rawSpan(1, 'text');
    if (r < 0.55) return `"${rawSpan(2 + Math.floor(rand() * 2), 'text').replace(/\s+/g, ' ')}"`;
    if (r < 0.62) return `title:${rawSpan(1, 'title')}`;
    if (r < 0.67) return `title:"${rawSpan(2, 'title').replace(/\s+/g, ' ')}"`;
    if (r < 0.7) return `outlet:${pick(vocab.outlets)}`;
    if (r < 0.73) return `lang:${pick(vocab.langs)}`;
    if (r < 0.76) return `actor:${pick(ACTORS)}`;
    if (r < 0.78) return `theme:${pick(THEMES)}`;
    if (r < 0.84) return `"${rawSpan(2 + Math.floor(rand() * 4), 'text').replace(/\s+/g, ' ')}"~${Math.floor(rand() * 5)}`;
    if (r < 0.89) {
      const w = tokenize(rawSpan(1, rand() < 0.8 ? 'text' : 'title'))[0] ?? 'covid';
      return [...w].length >= 3 ? `${[...w].slice(0, 3 + Math.floor(rand() * 3)).join('')}*` : w;
    }
    if (r < 0.93) return rangeText(vocab, rand);
    if (r < 0.95) return `entity:${quoted(pick(vocab.entities))}`;
    if (r < 0.97) return `keyword:${quoted(pick(vocab.keywords))}`;
    return outletGroupText(vocab, rand);
  };
  const expr = (depth: number): string => {
    if (depth >= 3 || rand() < 0.4) {
      const r = rand();
      if (r < 0.12) return `-${clause()}`;
      if (r < 0.2) return `NOT ${clause()}`;
      return clause();
    }
    const n = 2 + Math.floor(rand() * 2);
    const parts = Array.from({ length: n }, () => expr(depth + 1));
    const op = pick([' AND ', ' OR ', ' ']);
    return `(${parts.join(op)})`;
  };
  return () => expr(0);
}

const foldTag = (text: string): string => tokenize(text).join(' ');

const TAG_OR_MARK = /<\/?mark>/g;
const unescapeHtml = (s: string): string =>
  s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');

describe.skipIf(!corpusAvailable)('SQLite store vs in-memory matcher (differential)', () => {
  let dir: string;
  let stores: SqliteStores;
  let store: ArticleStore;
  let articles: EnrichedArticle[];
  let prepared: Map<string, PreparedArticle>;
  let vocab: Vocabulary;
  let resolve: TagResolver;
  let plainSqlStore: ArticleStore;

  beforeAll(async () => {
    articles = loadArticles();
    prepared = new Map(articles.map((a) => [a.id, prepareArticle(a)]));
    vocab = vocabularyOf(articles, MULTILINGUAL.length);
    resolve = createCatalogResolver({
      actors: ACTORS.map((id) => ({ id, name: id })),
      themes: THEMES.map((id) => ({ id, name: id })),
      outlets: vocab.outlets.map(outletEntry),
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'nm-differential-'));
    stores = openSqliteStores(path.join(dir, 'differential.db'));
    store = stores.articles;
    plainSqlStore = createSqliteArticleStore(stores.db, { inMemoryFacts: false, release: () => {} });
    const now = new Date('2024-04-02T10:00:00.000Z');
    for (let i = 0; i < articles.length; i += 100) {
      const r = await store.insertArticles(articles.slice(i, i + 100).map((article) => ({ article, alertIds: [] })), now);
      expect(r.duplicates).toEqual([]);
    }
    // entity: looks up `entity_key` rows (folded entity text). Until the store's insert path writes them, add them
    // here from the same articles, and say so: the store/matcher agreement on entity: then covers the compiler only.
    const keyRows = stores.db.prepare('SELECT count(*) FROM article_tags WHERE field = ?').pluck().get(ENTITY_KEY_TAG) as number;
    if (keyRows === 0) {
      console.warn(`\n!!! differential.test.ts: the SQLite insert path writes no "${ENTITY_KEY_TAG}" tag rows; backfilling them in the test.\n`);
      const seqOf = stores.db.prepare('SELECT seq FROM articles WHERE id = ?').pluck();
      const ins = stores.db.prepare('INSERT OR IGNORE INTO article_tags (field, value, article_seq) VALUES (?, ?, ?)');
      stores.db.transaction(() => {
        for (const a of articles) for (const k of entityKeyTags(a.entities)) ins.run(ENTITY_KEY_TAG, k, seqOf.get(a.id));
      })();
    }
  });
  afterAll(async () => {
    await stores?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Every hit of the query through the cursor, with snippet checks on the way. */
  async function storeIds(query: QueryNode): Promise<{ ids: string[]; total: number; snippetProblems: string[] }> {
    const ids: string[] = [];
    const snippetProblems: string[] = [];
    const leaves = positiveTextLeaves(query);
    const leafMatchers = leaves.map((l) => compilePreparedMatcher(l));
    const leafWords = new Set(leaves.flatMap((l) => (l.kind === 'term' ? [l.value] : l.kind === 'prefix' ? [] : l.words)));
    const prefixes = leaves.flatMap((l) => (l.kind === 'prefix' ? [l.value] : []));
    let cursor: string | undefined;
    let total = -1;
    for (let page = 0; page < 100; page++) {
      const r = await store.search(query, { limit: 100, ...(cursor ? { cursor } : {}) });
      total = r.total;
      for (const hit of r.hits) {
        ids.push(hit.id);
        const s = hit.snippet;
        if (/[<>]/.test(s.replace(TAG_OR_MARK, ''))) snippetProblems.push(`${hit.id}: markup other than <mark>: ${s}`);
        const marks = [...s.matchAll(/<mark>(.*?)<\/mark>/g)].map((m) => unescapeHtml(m[1] ?? ''));
        // The snippet marks exactly what the matcher counts: a mark iff a positive text leaf occurs.
        const p = prepared.get(hit.id);
        const leafOccurs = p !== undefined && leafMatchers.some((m) => m(p));
        if (leafOccurs !== marks.length > 0) snippetProblems.push(`${hit.id}: leaf occurs=${leafOccurs} but marks=${marks.length}: ${s}`);
        // Not "only query words": one raw character can hold several tokens (NFKC turns ½ into 1⁄2).
        for (const m of marks) {
          if (!tokenize(m).some((t) => leafWords.has(t) || prefixes.some((p) => t.startsWith(p)))) snippetProblems.push(`${hit.id}: marked "${m}" has no query word`);
        }
      }
      if (r.nextCursor === null) break;
      cursor = r.nextCursor;
    }
    return { ids: ids.sort(), total, snippetProblems };
  }

  function matcherIds(query: QueryNode): string[] {
    const match = compilePreparedMatcher(query);
    return articles.filter((a) => match(prepared.get(a.id) as PreparedArticle)).map((a) => a.id).sort();
  }

  const titleOf = (id: string): string => articles.find((a) => a.id === id)?.title.slice(0, 60) ?? '?';

  async function compare(label: string, queries: readonly { source: string; ast: QueryNode }[]) {
    let firstFailure: string | undefined;
    let failures = 0;
    let nonEmpty = 0;
    let partial = 0;
    for (const [i, q] of queries.entries()) {
      const expected = matcherIds(q.ast);
      const got = await storeIds(q.ast);
      // The same first page through plain SQL (no in-memory facts): both execution paths of the store agree.
      const viaSql = await plainSqlStore.search(q.ast, { limit: 100 });
      const viaFacts = await store.search(q.ast, { limit: 100 });
      if (viaSql.total !== viaFacts.total || viaSql.hits.map((h) => h.id).join() !== viaFacts.hits.map((h) => h.id).join()) {
        got.snippetProblems.push(`plain SQL page differs: total ${viaSql.total} vs ${viaFacts.total}`);
      }
      if (expected.length > 0) nonEmpty++;
      if (expected.length > 0 && expected.length < articles.length) partial++;
      const ok = got.total === expected.length && got.ids.join() === expected.join() && got.snippetProblems.length === 0;
      if (ok) continue;
      failures++;
      if (firstFailure !== undefined) continue;
      const want = new Set(expected);
      const have = new Set(got.ids);
      firstFailure = [
        `${label} query #${i} disagrees: ${q.source}`,
        `AST: ${JSON.stringify(q.ast)}`,
        `store total ${got.total}, store ids ${got.ids.length}, matcher ids ${expected.length}`,
        ...got.ids.filter((id) => !want.has(id)).slice(0, 10).map((id) => `  only in store:   ${id} ${titleOf(id)}`),
        ...expected.filter((id) => !have.has(id)).slice(0, 10).map((id) => `  only in matcher: ${id} ${titleOf(id)}`),
        ...got.snippetProblems.slice(0, 5).map((p) => `  snippet: ${p}`),
      ].join('\n');
    }
    if (firstFailure) console.error(`${failures}/${queries.length} ${label} queries disagree. First:\n${firstFailure}`);
    expect(firstFailure, firstFailure).toBeUndefined();
    // The generator must produce discriminating queries, not only "nothing" or "everything".
    expect(nonEmpty).toBeGreaterThan(queries.length * 0.5);
    expect(partial).toBeGreaterThan(queries.length * 0.4);
  }

  it('stored the corpus and the multilingual articles', async () => {
    expect(articles.length).toBe(CORPUS_ARTICLES + MULTILINGUAL.length);
    expect(await store.count()).toBe(articles.length);
  });

  it('indexes exactly the tokens of tokenize(), token for token, via the fast normalizer', () => {
    const seqOf = new Map(
      (stores.db.prepare('SELECT id, seq FROM articles').all() as { id: string; seq: number }[]).map((r) => [r.seq, r.id]),
    );
    stores.db.exec('CREATE VIRTUAL TABLE temp.fts_instances USING fts5vocab(main, articles_fts, instance)');
    const indexed = new Map<string, { title: string[]; text: string[] }>();
    const rows = stores.db
      .prepare('SELECT doc, col, term FROM temp.fts_instances ORDER BY doc, col, offset')
      .all() as { doc: number; col: 'title' | 'text'; term: string }[];
    for (const r of rows) {
      const id = seqOf.get(r.doc) ?? '?';
      const entry = indexed.get(id) ?? { title: [], text: [] };
      entry[r.col].push(r.term);
      indexed.set(id, entry);
    }
    let mismatches = 0;
    for (const a of articles) {
      expect(normalizeForIndex(a.text)).toBe(normalizeText(a.text));
      const got = indexed.get(a.id) ?? { title: [], text: [] };
      if (got.title.join(' ') !== tokenize(a.title).join(' ') || got.text.join(' ') !== tokenize(a.text).join(' ')) {
        mismatches++;
      }
    }
    expect(mismatches).toBe(0);
    expect(rows.length).toBeGreaterThan(100_000);
  });

  it('agrees on the normalization edge cases that raw FTS5 gets wrong', async () => {
    const cases = ['ёж', 'еж', 'ЁЖИКИ', 'الخوذ البيضاء', 'الْخُوذُ', 'putin', 'hello', 'world', 'ukraine', 'financial', 'nato', '1',
      'cafe', 'deja vu', 'Élysée', 'strasse', 'straße', 'οδυσσευσ', 'κοσμοσ', 'istanbul', 'igdir', '新冠病毒在武汉爆发', 'wuhan',
      'שלום', 'viet nam', 'al-Nusra', "don't", 'title:еж', 'title:"الخوذ البيضاء"', '10:30',
      '"البيضاء الخوذ"~0', 'ёжик*', 'елк*', 'caf*', 'οδυσ*', '"nam viet"~0', '"putin hello world"~1',
      'published:[2024-03-04 TO 2024-03-04]', 'published:{2024-03-04 TO *]', 'published:2020-03 -covid',
      'entity:"ёж"', 'keyword:ежики'];
    await compare('edge-case', cases.map((source) => ({ source, ast: parseQuery(source) })));
    // And they find what they should: the tashkeel and ё forms meet their plain spellings.
    expect((await storeIds(parseQuery('ёж'))).ids.length).toBe(2);
    expect((await storeIds(parseQuery('"الخوذ البيضاء"'))).ids.length).toBe(2);
    expect((await storeIds(parseQuery('putin title:meets'))).ids.length).toBe(1);
  });

  it(`returns the same ids for ${AST_QUERIES} random query ASTs`, async () => {
    const rand = prng(SEED + 1);
    const gen = astGenerator(articles, vocab, resolve, rand);
    const queries = Array.from({ length: AST_QUERIES }, () => {
      const ast = gen(0);
      return { source: JSON.stringify(ast), ast };
    });
    // Every construct of the language is exercised, not just generated in name.
    const kinds = new Map<string, number>();
    const walk = (n: QueryNode): void => {
      const k = n.kind === 'tag' ? `tag:${n.field}` : n.kind === 'or' && n.children.every((c) => c.kind === 'tag' && c.field === 'outlet') ? 'outlet-group' : n.kind;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
      if (n.kind === 'and' || n.kind === 'or') n.children.forEach(walk);
      if (n.kind === 'not') walk(n.child);
    };
    queries.forEach((q) => walk(q.ast));
    for (const k of ['proximity', 'prefix', 'date', 'tag:entity', 'tag:keyword', 'outlet-group', 'phrase', 'term']) {
      expect(kinds.get(k) ?? 0, k).toBeGreaterThan(20);
    }
    await compare('AST', queries);
  });

  it(`returns the same ids for ${PARSED_QUERIES} random query texts through parseQuery`, async () => {
    const rand = prng(SEED + 2);
    const gen = textGenerator(articles, vocab, rand);
    let rejected = 0;
    const queries = Array.from({ length: PARSED_QUERIES }, () => {
      for (;;) {
        const source = gen();
        try {
          return { source, ast: parseQuery(source, resolve) };
        } catch (err) {
          // Only a random range whose bounds cross (e.g. {2020-03-15 TO 2020-03-15}) may be refused.
          expect(String(err), source).toMatch(/empty date range/);
          rejected++;
        }
      }
    });
    expect(rejected).toBeLessThan(PARSED_QUERIES * 0.1);
    await compare('parsed', queries);
  });
});
