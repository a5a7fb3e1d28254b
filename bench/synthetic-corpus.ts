/**
 * Deterministic synthetic news articles for the search benchmark, seeded with real text: the word bigrams, document
 * and title lengths of the ReCOVery corpus (../shared/corpus, read at run time, never copied), ~60 outlets, dates
 * over one year, actor/theme/keyword/entity tags at skewed frequencies and planted phrases at known rates.
 */
import { articleId, slugify } from '../core/ids.ts';
import { seededRandom } from '../core/seeded-random.ts';
import type { Actor, EnrichedArticle, Entity, Outlet, Theme } from '../core/types.ts';
import type { ArticleToStore } from '../store/article-store.ts';
import type { CorpusArticle } from './corpus-feeds.ts';

/**
 * Bump whenever generated articles change: the bench caches built databases under this version, so a stale cache
 * can never be measured as if it were the new corpus.
 */
export const SYNTHETIC_GENERATOR_VERSION = 1;

/** Planted phrases: nonce words so that each phrase occurs exactly in the articles it was planted in. */
export interface PlantedPhrase {
  phrase: string;
  /** Fraction of articles that carry it. */
  rate: number;
}

export const PLANTED_PHRASES: readonly PlantedPhrase[] = [
  { phrase: 'quillon meridian accord', rate: 0.001 },
  { phrase: 'tessaline harbor pact', rate: 0.01 },
  { phrase: 'corvane relief plan', rate: 0.1 },
];

/** Articles are dated inside [YEAR_START, YEAR_END): one year. */
export const YEAR_START = '2024-01-01';
export const YEAR_END = '2025-01-01';
const YEAR_START_MS = Date.parse(`${YEAR_START}T00:00:00Z`);
const YEAR_MS = Date.parse(`${YEAR_END}T00:00:00Z`) - YEAR_START_MS;
/** Share of items without a usable feed date (placed by first-seen time, like the store does). */
const NO_DATE_RATE = 0.01;
const OUTLET_COUNT = 60;
const ACTOR_COUNT = 40;
const THEME_COUNT = 15;
/** Chance to restart the bigram chain at a random corpus word: breaks verbatim runs through rare words. */
const RESTART_RATE = 0.15;
/** Roughly one paragraph break per this many words (ReCOVery bodies are paragraphed with blank lines). */
const PARAGRAPH_WORDS = 70;
const KEYWORDS_PER_ARTICLE = 6;
const ENTITY_POOL_SIZE = 2000;
const KEYWORD_POOL_SIZE = 5000;
/** Languages and their shares: the texts are English whatever the tag, which only the `lang:` filter sees. */
const LANGUAGES: readonly [string, number][] = [
  ['en', 0.82],
  ['ru', 0.06],
  ['fr', 0.04],
  ['de', 0.03],
  ['es', 0.03],
  ['ar', 0.02],
];
const COUNTRIES = ['US', 'GB', 'RU', 'IR', 'CY', 'CA', 'FR', 'DE', 'QA', 'TR'];

/** What the generator learns from the real corpus. Nothing of it is written anywhere. */
export interface CorpusModel {
  /** Every whitespace-separated token of every body, in order; a sentinel -1 ends each document. */
  stream: Int32Array;
  words: string[];
  /** For word w, positions of its occurrences in `stream` are occPos[occStart[w] .. occStart[w + 1]). */
  occStart: Int32Array;
  occPos: Int32Array;
  /** Body lengths in words and title lengths, one per corpus article (the empirical distributions). */
  bodyLengths: Int32Array;
  titleLengths: Int32Array;
  outletNames: string[];
  /** Frequent lower-case content words (keyword tags) and capitalized words (entity tags), most frequent first. */
  keywordPool: string[];
  entityPool: string[];
}

/** Builds the model from the corpus rows. */
export function buildCorpusModel(corpus: readonly CorpusArticle[]): CorpusModel {
  const ids = new Map<string, number>();
  const words: string[] = [];
  const counts: number[] = [];
  const stream: number[] = [];
  for (const a of corpus) {
    for (const token of a.text.split(/\s+/)) {
      if (token === '') continue;
      let id = ids.get(token);
      if (id === undefined) {
        id = words.length;
        ids.set(token, id);
        words.push(token);
        counts.push(0);
      }
      counts[id] = (counts[id] ?? 0) + 1;
      stream.push(id);
    }
    stream.push(-1);
  }
  const occStart = new Int32Array(words.length + 1);
  for (const id of stream) if (id >= 0) occStart[id + 1]! += 1;
  for (let i = 0; i < words.length; i++) occStart[i + 1]! += occStart[i]!;
  const fill = occStart.slice(0, words.length);
  const occPos = new Int32Array(occStart[words.length]!);
  stream.forEach((id, pos) => {
    if (id >= 0) occPos[fill[id]!++] = pos;
  });

  const bare = new Map<string, number>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
    if (!/^\p{L}{3,}$/u.test(w)) continue;
    bare.set(w, (bare.get(w) ?? 0) + (counts[i] ?? 0));
  }
  const byCount = [...bare].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const keywordPool = byCount
    .filter(([w]) => w.length >= 5 && w === w.toLowerCase())
    .slice(0, KEYWORD_POOL_SIZE)
    .map(([w]) => w);
  const lower = new Set(byCount.filter(([w]) => w === w.toLowerCase()).map(([w]) => w));
  const entityPool = byCount
    .filter(([w]) => /^\p{Lu}\p{Ll}+$/u.test(w) && !lower.has(w.toLowerCase()))
    .slice(0, ENTITY_POOL_SIZE)
    .map(([w]) => w);

  return {
    stream: Int32Array.from(stream),
    words,
    occStart,
    occPos,
    bodyLengths: Int32Array.from(corpus.map((a) => a.text.split(/\s+/).filter(Boolean).length)),
    titleLengths: Int32Array.from(corpus.map((a) => Math.max(3, (a.title ?? '').split(/\s+/).filter(Boolean).length))),
    outletNames: [...new Set(corpus.map((a) => a.outlet))].sort(),
    keywordPool,
    entityPool,
  };
}

/** The catalog entries the generated articles refer to (outlets, actors, themes). */
export interface SyntheticCatalog {
  outlets: Outlet[];
  actors: Actor[];
  themes: Theme[];
}

/** Cumulative weights for sampling by binary search. */
function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => {
    sum += w;
    out[i] = sum;
  });
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

function pick(cdf: Float64Array, r: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Zipf-like weights 1/k^s for k = 1..n. */
function zipf(n: number, s: number): number[] {
  return Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s);
}

/** Per-article tag probabilities: tag k is on an article with probability top / k^s (common head, rare tail). */
function tagRates(n: number, top: number, s: number): number[] {
  return Array.from({ length: n }, (_, k) => top / (k + 1) ** s);
}

/** The generator over a model: `article(i)` is a pure function of (seed, i). */
export interface SyntheticGenerator {
  readonly catalog: SyntheticCatalog;
  /** Probability that an article carries actor k / theme k (same order as the catalog). */
  readonly actorRates: readonly number[];
  readonly themeRates: readonly number[];
  article(index: number): ArticleToStore;
  /** Which phrases were planted in article `index` (cheap: no text generated). */
  plantedIn(index: number): boolean[];
  /**
   * Which planted phrases article `index` really contains intact. In generator version 1 a phrase planted later can
   * land inside one planted earlier and split it (2 of 1,064 rare phrases at 1M), so counts must come from this.
   * Generates the text only when two or more phrases were planted.
   */
  plantedIntact(index: number): boolean[];
}

/** Which planted phrases a generated text contains. */
export function phrasesIn(text: string): boolean[] {
  return PLANTED_PHRASES.map((p) => text.includes(p.phrase));
}

/** Creates the generator. */
export function createSyntheticGenerator(model: CorpusModel, seed = 20240101): SyntheticGenerator {
  // ~60 outlets: the corpus's own names, padded with wire-style names; popularity is Zipf-skewed (s = 0.9 gives the
  // top outlet ~10 % of the articles and the last ~0.3 %).
  const names = [...model.outletNames];
  for (let i = 1; names.length < OUTLET_COUNT; i++) names.push(`Synthetic Wire ${i}`);
  const outlets: Outlet[] = names.slice(0, OUTLET_COUNT).map((name, i) => ({
    id: slugify(name),
    name,
    country: COUNTRIES[i % COUNTRIES.length]!,
    language: 'en',
    tags: i % 6 === 0 ? ['state-affiliated'] : i % 5 === 0 ? ['wire'] : [],
  }));
  const outletCdf = cumulative(zipf(outlets.length, 0.9));
  const actorNames = model.entityPool.slice(0, ACTOR_COUNT);
  const actors: Actor[] = actorNames.map((name, i) => ({ id: `actor-${i + 1}-${slugify(name)}`, name, type: 'other', aliases: [] }));
  // actor 1 on 20 % of articles, actor 40 on ~0.03 %.
  const actorRates = tagRates(actors.length, 0.2, 1.75);
  const themes: Theme[] = Array.from({ length: THEME_COUNT }, (_, i) => ({
    id: `theme-${i + 1}`,
    name: `Theme ${i + 1}`,
    query: `"${model.keywordPool[i] ?? 'news'}"`,
  }));
  // theme 1 on 15 %, theme 15 on ~0.3 %.
  const themeRates = tagRates(themes.length, 0.15, 1.45);
  const keywordCdf = cumulative(zipf(model.keywordPool.length, 1.0));
  const entityCdf = cumulative(zipf(model.entityPool.length, 1.0));
  const langCdf = cumulative(LANGUAGES.map(([, w]) => w));
  const streamLen = model.stream.length;

  const articleRng = (index: number): (() => number) => seededRandom(Math.imul(index + 1, 0x9e3779b1) ^ seed);
  // Planting decisions use their own stream per phrase so `plantedIn` need not generate the text.
  const plantedIn = (index: number): boolean[] =>
    PLANTED_PHRASES.map((p, k) => seededRandom(Math.imul(index + 1, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35) ^ seed)() < p.rate);

  /** `n` words from the bigram chain: next word = the word after a random occurrence of the current one. */
  const chain = (r: () => number, n: number, paragraphs: boolean): string => {
    const out: string[] = [];
    let pos = Math.floor(r() * streamLen);
    for (let i = 0; i < n; i++) {
      let id = model.stream[pos] ?? -1;
      if (id < 0 || r() < RESTART_RATE) {
        do {
          pos = Math.floor(r() * streamLen);
          id = model.stream[pos] ?? -1;
        } while (id < 0);
      }
      out.push(model.words[id]!);
      if (paragraphs && i > 0 && r() < 1 / PARAGRAPH_WORDS) out.push('\n\n');
      const from = model.occStart[id]!;
      const count = model.occStart[id + 1]! - from;
      pos = model.occPos[from + Math.floor(r() * count)]! + 1;
    }
    return out.join(' ').replace(/ \n\n /g, '\n\n');
  };

  const article = (index: number): ArticleToStore => {
    const r = articleRng(index);
    const outlet = outlets[pick(outletCdf, r())]!;
    const bodyWords = model.bodyLengths[Math.floor(r() * model.bodyLengths.length)]!;
    const titleWords = model.titleLengths[Math.floor(r() * model.titleLengths.length)]!;
    let text = chain(r, bodyWords, true);
    const planted = plantedIn(index);
    PLANTED_PHRASES.forEach((p, k) => {
      if (!planted[k]) return;
      // After a space, so the phrase is always its own words.
      const at = text.indexOf(' ', Math.floor(r() * text.length));
      text = at < 0 ? `${text} ${p.phrase}` : `${text.slice(0, at)} ${p.phrase}${text.slice(at)}`;
    });
    const title = chain(r, titleWords, false);
    const dateMs = YEAR_START_MS + Math.floor(r() * YEAR_MS);
    const iso = new Date(dateMs).toISOString();
    const firstSeen = new Date(dateMs + Math.floor(r() * 3_600_000)).toISOString();
    const url = `https://${outlet.id}.example/${iso.slice(0, 10)}/story-${index}`;
    const keywords = new Set<string>();
    while (keywords.size < KEYWORDS_PER_ARTICLE) keywords.add(model.keywordPool[pick(keywordCdf, r())]!);
    const entityCount = Math.floor(r() * 4);
    const entities: Entity[] = [];
    const seen = new Set<string>();
    for (let e = 0; e < entityCount; e++) {
      const name = model.entityPool[pick(entityCdf, r())]!;
      if (seen.has(name)) continue;
      seen.add(name);
      entities.push({ text: name, type: (['PER', 'ORG', 'LOC'] as const)[e % 3]!, start: 0, end: name.length });
    }
    const enriched: EnrichedArticle = {
      id: articleId(url),
      url,
      canonicalUrl: url,
      feedId: `feed-${outlet.id}`,
      outletId: outlet.id,
      guid: url,
      title,
      text,
      publishedAt: r() < NO_DATE_RATE ? null : iso,
      firstSeenAt: firstSeen,
      author: null,
      language: LANGUAGES[pick(langCdf, r())]![0],
      languageConfidence: 0.9,
      keywords: [...keywords],
      entities,
      actors: actors.filter((_, k) => r() < actorRates[k]!).map((a) => a.id),
      themes: themes.filter((_, k) => r() < themeRates[k]!).map((t) => t.id),
    };
    return { article: enriched, alertIds: [] };
  };

  const plantedIntact = (index: number): boolean[] => {
    const planted = plantedIn(index);
    return planted.filter(Boolean).length < 2 ? planted : phrasesIn(article(index).article.text);
  };

  return { catalog: { outlets, actors, themes }, actorRates, themeRates, article, plantedIn, plantedIntact };
}
