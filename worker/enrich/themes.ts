/**
 * Theme tagging: every theme's saved query parsed and compiled once per watchlist, then run against each
 * article (tokenized once for all themes).
 */
import type { TagField } from '../../core/query/ast.ts';
import { compilePreparedMatcher, prepareArticle, type PreparedArticle } from '../../core/query/match.ts';
import { parseQuery, type TagResolver } from '../../core/query/parse.ts';
import type { MatchableArticle, Theme } from '../../core/types.ts';

interface Named {
  id: string;
  name: string;
  aliases?: readonly string[];
}

function key(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function index(entries: readonly Named[]): Map<string, string> {
  const map = new Map<string, string>();
  // Priority: ids, then names, then aliases, so an alias can never shadow another entry's id or name.
  for (const e of entries) if (!map.has(key(e.id))) map.set(key(e.id), e.id);
  for (const e of entries) if (!map.has(key(e.name))) map.set(key(e.name), e.id);
  for (const e of entries) for (const a of e.aliases ?? []) if (!map.has(key(a))) map.set(key(a), e.id);
  return map;
}

/**
 * Resolver for `parseQuery` over an in-memory watchlist: ids, names and aliases (case-insensitive) of actors,
 * themes and outlets map to ids; `lang:` values pass through lowercased. Same rules as the API's resolver.
 */
export function createWatchlistResolver(watchlist: {
  actors: readonly Named[];
  themes: readonly Named[];
  outlets?: readonly Named[];
}): TagResolver {
  const maps: Record<Exclude<TagField, 'lang'>, Map<string, string>> = {
    actor: index(watchlist.actors),
    theme: index(watchlist.themes),
    outlet: index(watchlist.outlets ?? []),
  };
  return (field, value) => (field === 'lang' ? key(value) || null : (maps[field].get(key(value)) ?? null));
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
