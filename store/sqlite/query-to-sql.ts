/**
 * Compiles the query AST into a SQL WHERE fragment over `articles`, with FTS5 MATCH for text leaves.
 * User text only ever travels as bound parameters, and inside MATCH only as double-quoted FTS5 strings.
 */
import type { Database } from 'better-sqlite3';
import { positiveTextLeaves, type TextLeaf } from '../../core/query/text-leaves.ts';
import type { QueryNode, TagField, TextField } from '../../core/query/ast.ts';
import { foldTagText } from '../../core/query/tokenize.ts';

/** A piece of SQL plus the values bound to its `?` placeholders, in order. */
export interface SqlFragment {
  sql: string;
  params: (string | number)[];
}

/**
 * The article_tags field holding `foldTagText(entity.text)` per entity, which `entity:` queries look up. The
 * `entity` rows keep the text as written (for display in top entities); folding cannot be done in SQL.
 */
export const ENTITY_KEY_TAG = 'entity_key';

/** `field` values of the article_tags table. */
export type TagRowField = TagField | typeof ENTITY_KEY_TAG;

/** The `entity_key` tag values of an article's entities: folded, non-empty, distinct. For the insert path. */
export function entityKeyTags(entities: readonly { text: string }[]): string[] {
  return [...new Set(entities.map((e) => foldTagText(e.text)).filter((k) => k !== ''))];
}

/** The article_tags field a tag leaf is looked up in. */
export function tagRowField(field: TagField): TagRowField {
  return field === 'entity' ? ENTITY_KEY_TAG : field;
}

/**
 * An FTS5 string literal: the value in double quotes with inner quotes doubled. Inside a string FTS5
 * gives no character a special meaning (`*`, `:`, `NEAR(`, `AND` are just text for the tokenizer), so any
 * user word becomes a plain term, or a phrase when the tokenizer splits it ("al-nusra" -> al + nusra).
 */
export function quoteFtsString(value: string): string {
  // FTS5 reads the expression as a C string: a NUL would end it inside the quotes (a syntax error).
  return `"${value.replaceAll('\0', ' ').replaceAll('"', '""')}"`;
}


function withField(field: TextField, expression: string): string {
  // Field "text" means title + body: no column filter at all.
  return field === 'title' ? `{title} : ${expression}` : expression;
}

/**
 * The FTS5 MATCH expression of one text leaf. A phrase is quoted words joined by `+`. A wildcard is FTS5's prefix
 * query `"idl" *`. A proximity is `NEAR("a" "b" "c", M)`: FTS5 matches when at most M tokens lie between the first
 * and the last of the words, the others among them counted (measured on SQLite 3.53: NEAR(a b c, 2) matches
 * "a b c" and NEAR(a b c, 0) does not). Our distance N counts only the *other* tokens, so M = N + words - 2;
 * like our phrases, NEAR never spans two columns (measured).
 */
export function textLeafToMatch(node: TextLeaf): string {
  switch (node.kind) {
    case 'term':
      return withField(node.field, quoteFtsString(node.value));
    case 'phrase': {
      const words = node.words.length > 0 ? node.words.map(quoteFtsString).join(' + ') : '""';
      return withField(node.field, words);
    }
    case 'prefix':
      return withField(node.field, `${quoteFtsString(node.value)} *`);
    case 'proximity': {
      const near = node.distance + node.words.length - 2;
      return withField(node.field, `NEAR(${node.words.map(quoteFtsString).join(' ')}, ${Math.max(0, near)})`);
    }
  }
}

/** Whether a text leaf can match at all; FTS5 rejects some that cannot (an empty NEAR group, an empty prefix). */
function canMatch(node: TextLeaf): boolean {
  if (node.kind === 'proximity') return node.words.length >= 2 && node.words.every((w) => w !== '');
  if (node.kind === 'prefix') return node.value !== '';
  return true;
}

/** Counts an OR's outlet tags: two or more are one `outlet_id IN (...)` (collection:, country: resolve to these). */
function isOutletTag(node: QueryNode): node is Extract<QueryNode, { kind: 'tag' }> {
  return node.kind === 'tag' && node.field === 'outlet';
}

/**
 * SQL condition (over `articles`) for a query AST.
 * Each text leaf becomes its own `rowid IN (FTS5 subquery)`, so AND/OR/NOT are plain SQL boolean logic
 * and stay correct for any nesting and any mix of text and tag conditions (FTS5's own NOT is binary and
 * cannot express a top-level or tag-mixed negation). Tag leaves use the (field, value, article) index.
 */
export function compileQuery(node: QueryNode): SqlFragment {
  const params: (string | number)[] = [];
  const sql = compileNode(node, params);
  return { sql, params };
}

function compileNode(node: QueryNode, params: (string | number)[]): string {
  switch (node.kind) {
    case 'all':
      return '1';
    case 'term':
    case 'phrase':
    case 'proximity':
    case 'prefix':
      if (!canMatch(node)) return '0';
      params.push(textLeafToMatch(node));
      return 'articles.seq IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)';
    case 'tag':
      params.push(tagRowField(node.field), node.value);
      return 'articles.seq IN (SELECT tg.article_seq FROM article_tags AS tg WHERE tg.field = ? AND tg.value = ?)';
    case 'date': {
      // date_ms is the article date (publishedAt ?? firstSeenAt) as a number: the (date_ms, id) index serves it.
      const parts: string[] = [];
      if (node.gte !== undefined) {
        parts.push('articles.date_ms >= ?');
        params.push(Date.parse(node.gte));
      }
      if (node.lt !== undefined) {
        parts.push('articles.date_ms < ?');
        params.push(Date.parse(node.lt));
      }
      return parts.length === 0 ? '1' : `(${parts.join(' AND ')})`;
    }
    case 'and':
      if (node.children.length === 0) return '1';
      return `(${node.children.map((c) => compileNode(c, params)).join(' AND ')})`;
    case 'or': {
      if (node.children.length === 0) return '0';
      const outlets = node.children.filter(isOutletTag);
      const parts: string[] = [];
      if (outlets.length >= 2) {
        // articles.outlet_id always equals the article's one `outlet` tag row (both written from outletId).
        parts.push(`articles.outlet_id IN (${outlets.map(() => '?').join(', ')})`);
        params.push(...outlets.map((o) => o.value));
      }
      for (const c of node.children) if (outlets.length < 2 || !isOutletTag(c)) parts.push(compileNode(c, params));
      return `(${parts.join(' OR ')})`;
    }
    case 'not':
      return `(NOT ${compileNode(node.child, params)})`;
  }
}

/**
 * Counts the distinct words of the FTS5 index that start with `prefix`, stopping at `limit` + 1: the expansion
 * check `parseQuery` takes as `countPrefixExpansions`. Reads a temp fts5vocab table over articles_fts (created on
 * first use, per connection; no schema change), walking only the term range [prefix, next prefix).
 */
export function countPrefixExpansions(db: Database, prefix: string, limit: number): number {
  if (prefix === '') return 0;
  db.exec('CREATE VIRTUAL TABLE IF NOT EXISTS temp.nm_fts_vocab USING fts5vocab(main, articles_fts, row)');
  const cps = [...prefix];
  const last = cps.pop()?.codePointAt(0) ?? 0;
  // The smallest string above every word that starts with prefix: UTF-8 byte order is code point order.
  const upper = `${cps.join('')}${String.fromCodePoint(Math.min(last + 1, 0x10ffff))}`;
  return (
    db
      .prepare<[string, string, number], number>(
        'SELECT count(*) FROM (SELECT term FROM temp.nm_fts_vocab WHERE term >= ? AND term < ? LIMIT ?)',
      )
      .pluck()
      .get(prefix, upper, limit + 1) ?? 0
  );
}

export { positiveTextLeaves, type TextLeaf };
