/**
 * In-memory query matcher: decides whether one article matches a QueryNode, giving the same answers as the
 * SQLite FTS5 store (same tokens via tokenize.ts). Used where a query runs per new article: themes and alerts.
 */
import type { QueryNode } from './ast.ts';
import type { MatchableArticle } from '../types.ts';
import { foldTagText, tokenize } from './tokenize.ts';

/**
 * An article tokenized once, ready to be tested against any number of queries.
 * Build it with {@link prepareArticle}; treat it as opaque.
 */
export interface PreparedArticle {
  readonly prepared: true;
  readonly titleTokens: readonly string[];
  readonly bodyTokens: readonly string[];
  readonly titleSet: ReadonlySet<string>;
  readonly bodySet: ReadonlySet<string>;
  readonly outletId: string;
  readonly language: string;
  readonly actors: ReadonlySet<string>;
  readonly themes: ReadonlySet<string>;
  /** Epoch ms of the article date (publishedAt ?? firstSeenAt); absent: `published:` ranges never match. */
  readonly dateMs?: number;
  /** Keyword tags as stored; absent: `keyword:` never matches. */
  readonly keywords?: ReadonlySet<string>;
  /** Folded entity texts ({@link foldTagText}); absent: `entity:` never matches. */
  readonly entityKeys?: ReadonlySet<string>;
}

/** The fields beyond text and tags that `published:`, `keyword:` and `entity:` need, for {@link withArticleFields}. */
export type ArticleFields = Pick<MatchableArticle, 'date' | 'publishedAt' | 'firstSeenAt' | 'keywords' | 'entities'>;

/**
 * The article date in epoch ms exactly as the stores compute it: `date` when given, else a valid publishedAt,
 * else firstSeenAt; undefined when none parses.
 */
export function articleDateMs(a: ArticleFields): number | undefined {
  const given = a.date !== undefined ? Date.parse(a.date) : Number.NaN;
  if (Number.isFinite(given)) return given;
  const published = a.publishedAt != null ? Date.parse(a.publishedAt) : Number.NaN;
  if (Number.isFinite(published)) return published;
  const seen = a.firstSeenAt !== undefined ? Date.parse(a.firstSeenAt) : Number.NaN;
  return Number.isFinite(seen) ? seen : undefined;
}

/**
 * Adds the date, keywords and entities to an already prepared article (e.g. one built during enrichment before
 * keywords and entities existed), so `published:`, `keyword:` and `entity:` can match it.
 */
export function withArticleFields(prepared: PreparedArticle, fields: ArticleFields): PreparedArticle {
  const dateMs = articleDateMs(fields);
  return {
    ...prepared,
    ...(dateMs !== undefined ? { dateMs } : {}),
    ...(fields.keywords !== undefined ? { keywords: new Set(fields.keywords) } : {}),
    ...(fields.entities !== undefined ? { entityKeys: entityKeySet(fields.entities) } : {}),
  };
}

function entityKeySet(entities: readonly { text: string }[]): Set<string> {
  const out = new Set<string>();
  for (const e of entities) {
    const k = foldTagText(e.text);
    if (k !== '') out.add(k);
  }
  return out;
}

/**
 * Tokenizes an article's title and text (separately, so a phrase never spans title -> body, as in FTS5 where
 * they are different columns). Do this once per article and pass the result to every compiled matcher.
 */
export function prepareArticle(article: MatchableArticle): PreparedArticle {
  const titleTokens = tokenize(article.title);
  const bodyTokens = tokenize(article.text);
  const base: PreparedArticle = {
    prepared: true,
    titleTokens,
    bodyTokens,
    titleSet: new Set(titleTokens),
    bodySet: new Set(bodyTokens),
    outletId: article.outletId,
    language: article.language.toLowerCase(),
    actors: new Set(article.actors),
    themes: new Set(article.themes),
  };
  return withArticleFields(base, article);
}

function isPrepared(a: MatchableArticle | PreparedArticle): a is PreparedArticle {
  return (a as Partial<PreparedArticle>).prepared === true;
}

type Predicate = (p: PreparedArticle) => boolean;

function containsPhrase(tokens: readonly string[], words: readonly string[]): boolean {
  const first = words[0];
  const last = tokens.length - words.length;
  outer: for (let i = 0; i <= last; i++) {
    if (tokens[i] !== first) continue;
    for (let k = 1; k < words.length; k++) {
      if (tokens[i + k] !== words[k]) continue outer;
    }
    return true;
  }
  return false;
}

/**
 * Whether all `words` (distinct) occur in one window of `tokens` holding at most `distance` other tokens, in any
 * order — the same rule FTS5's NEAR applies (see store/sqlite/query-to-sql.ts for the N it is given).
 * Sliding window over the occurrences: for each right end, the shortest window ending there that covers every word.
 */
function withinDistance(tokens: readonly string[], words: readonly string[], distance: number): boolean {
  const index = new Map(words.map((w, i) => [w, i]));
  const k = words.length;
  const positions: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const label = index.get(tokens[i] ?? '');
    if (label !== undefined) {
      positions.push(i);
      labels.push(label);
    }
  }
  if (positions.length < k) return false;
  const counts = new Array<number>(k).fill(0);
  let covered = 0;
  let left = 0;
  for (let right = 0; right < positions.length; right++) {
    const r = labels[right] ?? 0;
    if ((counts[r] ?? 0) === 0) covered++;
    counts[r] = (counts[r] ?? 0) + 1;
    // Drop occurrences on the left that another occurrence of the same word, further right, replaces.
    for (;;) {
      const l = labels[left] ?? 0;
      if (left < right && (counts[l] ?? 0) > 1) {
        counts[l] = (counts[l] ?? 0) - 1;
        left++;
      } else break;
    }
    if (covered === k && (positions[right] ?? 0) - (positions[left] ?? 0) + 1 - k <= distance) return true;
  }
  return false;
}

function hasPrefix(tokens: ReadonlySet<string>, prefix: string): boolean {
  for (const t of tokens) if (t.startsWith(prefix)) return true;
  return false;
}

function compileNode(node: QueryNode): Predicate {
  switch (node.kind) {
    case 'all':
      return () => true;
    case 'term': {
      const v = node.value;
      return node.field === 'title' ? (p) => p.titleSet.has(v) : (p) => p.titleSet.has(v) || p.bodySet.has(v);
    }
    case 'phrase': {
      const words = node.words;
      if (words.length === 0) return () => false;
      // The set check rejects most articles without scanning the token arrays.
      const inTitle = (p: PreparedArticle): boolean =>
        words.every((w) => p.titleSet.has(w)) && containsPhrase(p.titleTokens, words);
      if (node.field === 'title') return inTitle;
      return (p) => inTitle(p) || (words.every((w) => p.bodySet.has(w)) && containsPhrase(p.bodyTokens, words));
    }
    case 'proximity': {
      const { words, distance } = node;
      if (words.length === 0) return () => false;
      const near = (set: ReadonlySet<string>, tokens: readonly string[]): boolean =>
        words.every((w) => set.has(w)) && withinDistance(tokens, words, distance);
      const inTitle = (p: PreparedArticle): boolean => near(p.titleSet, p.titleTokens);
      if (node.field === 'title') return inTitle;
      return (p) => inTitle(p) || near(p.bodySet, p.bodyTokens);
    }
    case 'prefix': {
      const v = node.value;
      if (v === '') return () => false;
      return node.field === 'title'
        ? (p) => hasPrefix(p.titleSet, v)
        : (p) => hasPrefix(p.titleSet, v) || hasPrefix(p.bodySet, v);
    }
    case 'date': {
      const gte = node.gte !== undefined ? Date.parse(node.gte) : Number.NEGATIVE_INFINITY;
      const lt = node.lt !== undefined ? Date.parse(node.lt) : Number.POSITIVE_INFINITY;
      // Every stored article has a date, so an unbounded range is "all" in the stores too.
      if (node.gte === undefined && node.lt === undefined) return () => true;
      return (p) => p.dateMs !== undefined && p.dateMs >= gte && p.dateMs < lt;
    }
    case 'tag': {
      const v = node.value;
      switch (node.field) {
        case 'outlet':
          return (p) => p.outletId === v;
        case 'lang':
          return (p) => p.language === v;
        case 'actor':
          return (p) => p.actors.has(v);
        case 'theme':
          return (p) => p.themes.has(v);
        case 'keyword':
          return (p) => p.keywords?.has(v) === true;
        case 'entity':
          return (p) => p.entityKeys?.has(v) === true;
      }
      // Exhaustive above; a new TagField must be handled here, not silently matched.
      return () => false;
    }
    case 'and': {
      const cs = node.children.map(compileNode);
      return (p) => cs.every((c) => c(p));
    }
    case 'or': {
      const cs = node.children.map(compileNode);
      return (p) => cs.some((c) => c(p));
    }
    case 'not': {
      const c = compileNode(node.child);
      return (p) => !c(p);
    }
  }
}

/**
 * Compiles a query into a predicate over prepared articles. Prefer this when several queries (all themes, all
 * alerts) run against the same article: prepare the article once, then call each matcher.
 */
export function compilePreparedMatcher(query: QueryNode): (article: PreparedArticle) => boolean {
  return compileNode(query);
}

/**
 * Compiles a query into a predicate. The predicate accepts a raw MatchableArticle (tokenized on each call: fine
 * for one query) or a {@link PreparedArticle} from {@link prepareArticle} (no tokenization: use it for many).
 */
export function compileMatcher(query: QueryNode): (article: MatchableArticle | PreparedArticle) => boolean {
  const pred = compileNode(query);
  return (article) => pred(isPrepared(article) ? article : prepareArticle(article));
}
