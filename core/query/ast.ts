/**
 * The query language's abstract syntax tree: the single source of truth that every backend compiles from
 * (SQLite FTS5 + SQL, the in-memory matcher, later Elasticsearch). Parsed once by parse.ts.
 */

/** Fields that search free text. "text" = title + body. */
export type TextField = 'text' | 'title';

/** Fields that filter on an exact tag of the article. */
export type TagField = 'outlet' | 'lang' | 'actor' | 'theme';

export type QueryNode =
  /** A single word; `value` is already normalized (lowercase, diacritics folded). */
  | { kind: 'term'; field: TextField; value: string }
  /** Consecutive words; each already normalized. */
  | { kind: 'phrase'; field: TextField; words: string[] }
  /** outlet:rt, lang:ru, actor:white-helmets, theme:staged-chemical-attack (value = id after resolution). */
  | { kind: 'tag'; field: TagField; value: string }
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
