/**
 * Theme tagging: every theme's saved query parsed and compiled once per watchlist, then run against each
 * article (tokenized once for all themes).
 */
import { compilePreparedMatcher, prepareArticle, type PreparedArticle } from '../../core/query/match.ts';
import { parseQuery, type TagResolver } from '../../core/query/parse.ts';
import { createCatalogResolver, type NamedEntry, type OutletEntry } from '../../core/query/resolver.ts';
import type { MatchableArticle, Theme } from '../../core/types.ts';

/**
 * Resolver for `parseQuery` over an in-memory watchlist: the same rules as the API's resolver
 * (core/query/resolver.ts), including `collection:` and `country:` through the outlets' tags and countries.
 */
export function createWatchlistResolver(watchlist: {
  actors: readonly NamedEntry[];
  themes: readonly NamedEntry[];
  outlets?: readonly OutletEntry[];
}): TagResolver {
  return createCatalogResolver(watchlist);
}

/** A theme whose query could not be compiled, with the parser's error. */
export interface InvalidQuery {
  id: string;
  error: Error;
}

/** Theme matcher over articles already tokenized with `prepareArticle`. */
export type PreparedThemeMatcher = (article: PreparedArticle) => string[];

/**
 * Compiles every theme query once. Themes whose query does not parse (the API validates queries, so this means
 * the watchlist changed underneath) are skipped and reported through `onInvalid`.
 * `theme:` inside a theme query sees no themes: themes are evaluated in one pass, not to a fixpoint.
 */
export function buildPreparedThemeMatcher(
  themes: readonly Theme[],
  resolve: TagResolver,
  onInvalid?: (invalid: InvalidQuery) => void,
): PreparedThemeMatcher {
  const compiled: Array<{ id: string; match: (a: PreparedArticle) => boolean }> = [];
  for (const theme of themes) {
    try {
      compiled.push({ id: theme.id, match: compilePreparedMatcher(parseQuery(theme.query, resolve)) });
    } catch (err) {
      onInvalid?.({ id: theme.id, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }
  return (article) => compiled.filter((t) => t.match(article)).map((t) => t.id);
}

/**
 * Compiles every theme query once and returns a function giving the ids of the themes an article matches.
 * The article's `actors` must already be set, so that `actor:` works inside theme queries.
 */
export function buildThemeMatcher(
  themes: readonly Theme[],
  resolve: TagResolver,
  onInvalid?: (invalid: InvalidQuery) => void,
): (article: MatchableArticle) => string[] {
  const match = buildPreparedThemeMatcher(themes, resolve, onInvalid);
  return (article) => match(prepareArticle(article));
}
