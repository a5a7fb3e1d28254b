/**
 * Compiles the query AST into a SQL WHERE fragment over `articles`, with FTS5 MATCH for text leaves.
 * User text only ever travels as bound parameters, and inside MATCH only as double-quoted FTS5 strings.
 */
import type { QueryNode, TagField, TextField } from '../../core/query/ast.ts';

/** A piece of SQL plus the values bound to its `?` placeholders, in order. */
export interface SqlFragment {
  sql: string;
  params: string[];
}

/** `field` values of the article_tags table. */
export type TagRowField = TagField | 'keyword' | 'entity';

/**
 * An FTS5 string literal: the value in double quotes with inner quotes doubled. Inside a string FTS5
 * gives no character a special meaning (`*`, `:`, `NEAR(`, `AND` are just text for the tokenizer), so any
 * user word becomes a plain term, or a phrase when the tokenizer splits it ("al-nusra" -> al + nusra).
 */
export function quoteFtsString(value: string): string {
  // FTS5 reads the expression as a C string: a NUL would end it inside the quotes (a syntax error).
  return `"${value.replaceAll('\0', ' ').replaceAll('"', '""')}"`;
}

/** A free-text leaf of the query: a term or a phrase. */
export type TextLeaf = Extract<QueryNode, { kind: 'term' | 'phrase' }>;

function withField(field: TextField, expression: string): string {
  // Field "text" means title + body: no column filter at all.
  return field === 'title' ? `{title} : ${expression}` : expression;
}

/** The FTS5 MATCH expression of one term or phrase (a phrase is quoted words joined by `+`). */
export function textLeafToMatch(node: TextLeaf): string {
  if (node.kind === 'term') return withField(node.field, quoteFtsString(node.value));
  const words = node.words.length > 0 ? node.words.map(quoteFtsString).join(' + ') : '""';
  return withField(node.field, words);
}

/**
 * SQL condition (over `articles`) for a query AST.
 * Each text leaf becomes its own `rowid IN (FTS5 subquery)`, so AND/OR/NOT are plain SQL boolean logic
 * and stay correct for any nesting and any mix of text and tag conditions (FTS5's own NOT is binary and
 * cannot express a top-level or tag-mixed negation). Tag leaves use the (field, value, article) index.
 */
export function compileQuery(node: QueryNode): SqlFragment {
  const params: string[] = [];
  const sql = compileNode(node, params);
  return { sql, params };
}

function compileNode(node: QueryNode, params: string[]): string {
  switch (node.kind) {
    case 'all':
      return '1';
    case 'term':
    case 'phrase':
      params.push(textLeafToMatch(node));
      return 'articles.seq IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)';
    case 'tag':
      params.push(node.field, node.value);
      return 'articles.seq IN (SELECT tg.article_seq FROM article_tags AS tg WHERE tg.field = ? AND tg.value = ?)';
    case 'and':
      if (node.children.length === 0) return '1';
      return `(${node.children.map((c) => compileNode(c, params)).join(' AND ')})`;
    case 'or':
      if (node.children.length === 0) return '0';
      return `(${node.children.map((c) => compileNode(c, params)).join(' OR ')})`;
    case 'not':
      return `(NOT ${compileNode(node.child, params)})`;
  }
}

/**
 * The text leaves that can explain why an article matched: those under an even number of NOTs.
 * Used to highlight (snippet.ts); leaves under a NOT are absent from a matching article by definition.
 */
export function positiveTextLeaves(node: QueryNode): TextLeaf[] {
  const out: TextLeaf[] = [];
  const walk = (n: QueryNode, negated: boolean): void => {
    switch (n.kind) {
      case 'term':
      case 'phrase':
        if (!negated) out.push(n);
        return;
      case 'and':
      case 'or':
        for (const c of n.children) walk(c, negated);
        return;
      case 'not':
        walk(n.child, !negated);
        return;
      case 'tag':
      case 'all':
        return;
    }
  };
  walk(node, false);
  return out;
}

