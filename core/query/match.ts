/**
 * In-memory query matcher: decides whether one article matches a QueryNode, giving the same answers as the
 * SQLite FTS5 store (same tokens via tokenize.ts). Used where a query runs per new article: themes and alerts.
 */
import type { QueryNode } from './ast.ts';
import type { MatchableArticle } from '../types.ts';
import { tokenize } from './tokenize.ts';

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
}

/**
 * Tokenizes an article's title and text (separately, so a phrase never spans title -> body, as in FTS5 where
 * they are different columns). Do this once per article and pass the result to every compiled matcher.
 */
export function prepareArticle(article: MatchableArticle): PreparedArticle {
  const titleTokens = tokenize(article.title);
  const bodyTokens = tokenize(article.text);
  return {
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
