/**
 * The query language's abstract syntax tree: the single source of truth that every backend compiles from
 * (SQLite FTS5 + SQL, the in-memory matcher, Elasticsearch). Parsed once by parse.ts.
 */

/** Fields that search free text. "text" = title + body. */
export type TextField = 'text' | 'title';

/**
 * Fields that filter on an exact tag of the article. `entity` and `keyword` values are folded text
 * (`foldTagText`: the tokens joined by single spaces), the others ids or lowercase codes.
 */
export type TagField = 'outlet' | 'lang' | 'actor' | 'theme' | 'entity' | 'keyword';

export type QueryNode =
  /** A single word; `value` is already normalized (lowercase, diacritics folded). */
  | { kind: 'term'; field: TextField; value: string }
  /** Consecutive words; each already normalized. */
  | { kind: 'phrase'; field: TextField; words: string[] }
  /**
   * `"a b c"~N`: every word occurs, in any order, inside one window of the same field with at most `distance`
   * other tokens in it: (last position - first position + 1) - words.length <= distance. Words are distinct.
   */
  | { kind: 'proximity'; field: TextField; words: string[]; distance: number }
  /** `idl*`: some token of the field starts with `value` (one normalized token, at least 3 characters). */
  | { kind: 'prefix'; field: TextField; value: string }
  /** outlet:rt, lang:ru, actor:white-helmets, theme:staged-chemical-attack (value = id after resolution). */
  | { kind: 'tag'; field: TagField; value: string }
  /**
   * `published:[a TO b]` on the article date (publishedAt ?? firstSeenAt): `gte <= date < lt`, ISO UTC instants
   * (`toISOString()` form); an absent bound is open.
   */
  | { kind: 'date'; gte?: string; lt?: string }
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] }
  | { kind: 'not'; child: QueryNode }
  /** The empty query: matches every article. */
  | { kind: 'all' };

/** Character span in the original query text, for error messages. */
export interface Span {
  start: number;
  end: number;
}
