/**
 * Compiles the query AST into Elasticsearch query DSL: bool must/should/must_not, term and match_phrase on the
 * pre-tokenized `titleNorm`/`textNorm` fields, term on keyword tag fields. User text only ever travels as a
 * term value or a match_phrase text: never query_string or simple_query_string, so no character is syntax.
 */
import type { QueryNode, TagField, TextField } from '../../core/query/ast.ts';
import type { DateRange } from '../article-store.ts';

/** A JSON query DSL object (kept loose: goldens pin its exact shape). */
export type EsQuery = Record<string, unknown>;

/** The keyword field each tag filters on. */
export const TAG_FIELDS: Record<TagField, string> = {
  outlet: 'outletId',
  lang: 'language',
  actor: 'actors',
  theme: 'themes',
};

/**
 * Fields holding `tokenize(title)` / `tokenize(text)` joined by single spaces, indexed with a whitespace
 * tokenizer: their terms are our tokens exactly, so a term query here agrees with the in-memory matcher and
 * with the SQLite FTS5 index token for token.
 */
export const NORM_FIELDS = { title: 'titleNorm', text: 'textNorm' } as const;

const MATCH_ALL: EsQuery = { match_all: {} };
const MATCH_NONE: EsQuery = { match_none: {} };

function normFields(field: TextField): string[] {
  // "text" means title + body, as in FTS5 (two columns) and the matcher (two token lists): a phrase never
  // spans from the title into the body because they are separate fields.
  return field === 'title' ? [NORM_FIELDS.title] : [NORM_FIELDS.title, NORM_FIELDS.text];
}

function anyOf(queries: EsQuery[]): EsQuery {
  if (queries.length === 1) return queries[0] ?? MATCH_NONE;
  return { bool: { should: queries, minimum_should_match: 1 } };
}

/** Compiles one AST node. Pure; the result is a plain JSON object. */
export function compileQuery(node: QueryNode): EsQuery {
  switch (node.kind) {
    case 'all':
      return MATCH_ALL;
    case 'term':
      // term, not match: the value is already one of our tokens and must not be re-analyzed.
      return anyOf(normFields(node.field).map((f) => ({ term: { [f]: node.value } })));
    case 'phrase': {
      // An empty phrase, or a word no token can equal (empty, or with whitespace the field's tokenizer would
      // split on), matches nothing in the matcher; match_phrase would instead drop or split such words.
      if (node.words.length === 0 || node.words.some((w) => w === '' || /\s/.test(w))) return MATCH_NONE;
      const text = node.words.join(' ');
      return anyOf(normFields(node.field).map((f) => ({ match_phrase: { [f]: { query: text } } })));
    }
    case 'tag':
      return { term: { [TAG_FIELDS[node.field]]: node.value } };
    case 'and':
      return node.children.length === 0 ? MATCH_ALL : { bool: { must: node.children.map(compileQuery) } };
    case 'or':
      return node.children.length === 0
        ? MATCH_NONE
        : { bool: { should: node.children.map(compileQuery), minimum_should_match: 1 } };
    case 'not':
      // A bool with only must_not matches every document except those: NOT at any depth, as in SQL.
      return { bool: { must_not: [compileQuery(node.child)] } };
  }
}

/** Parses an ISO bound like the SQLite store does (same accepted inputs), as an ISO UTC instant. */
export function isoBound(value: string, name: string, invalid: (message: string) => Error): string {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw invalid(`article-store: ${name} is not an ISO date: ${value}`);
  return new Date(ms).toISOString();
}

/**
 * The query plus date range (from inclusive, to exclusive, on `date` = publishedAt ?? firstSeenAt) and the
 * outlet restriction (an empty list means no restriction, as in the SQLite store).
 */
export function filteredQuery(
  node: QueryNode,
  range: DateRange,
  outlets: readonly string[] | undefined,
  invalid: (message: string) => Error,
): EsQuery {
  const filter: EsQuery[] = [];
  const bounds: Record<string, string> = {};
  if (range.from !== undefined) bounds.gte = isoBound(range.from, 'from', invalid);
  if (range.to !== undefined) bounds.lt = isoBound(range.to, 'to', invalid);
  if (Object.keys(bounds).length > 0) filter.push({ range: { date: bounds } });
  if (outlets !== undefined && outlets.length > 0) filter.push({ terms: { outletId: [...outlets] } });
  const bool: Record<string, unknown> = { must: [compileQuery(node)] };
  if (filter.length > 0) bool.filter = filter;
  return { bool };
}

/** A free-text leaf of the query: a term or a phrase. */
export type TextLeaf = Extract<QueryNode, { kind: 'term' | 'phrase' }>;

/**
 * The text leaves that can explain a match: those under an even number of NOTs (same rule as the SQLite
 * snippets). Leaves under a NOT are absent from a matching article by definition.
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

/**
 * The highlight query of one raw field (`title` or `text`, analyzed with the `nm_folded` analyzer, so the
 * fragments show the stored spelling): a match_phrase per positive leaf that applies to that field. The body is
 * highlighted for `text:` leaves only; the title for every leaf (as the SQLite snippets do). No leaf: match_none,
 * so the fragment is the start of the field (no_match_size) with nothing marked.
 */
export function highlightQuery(node: QueryNode, field: 'title' | 'text'): EsQuery {
  const queries: EsQuery[] = [];
  const seen = new Set<string>();
  for (const leaf of positiveTextLeaves(node)) {
    if (field === 'text' && leaf.field !== 'text') continue;
    const words = leaf.kind === 'term' ? [leaf.value] : leaf.words;
    if (words.length === 0 || words.some((w) => w === '')) continue;
    const text = words.join(' ');
    if (seen.has(text)) continue;
    seen.add(text);
    queries.push({ match_phrase: { [field]: { query: text } } });
  }
  if (queries.length === 0) return MATCH_NONE;
  return anyOf(queries);
}
