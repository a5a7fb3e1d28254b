/**
 * Compiles the query AST into Elasticsearch query DSL: bool must/should/must_not; term, match_phrase, span_near and
 * prefix on the pre-tokenized `titleNorm`/`textNorm` fields; term/terms on keyword tag fields; range on `date`.
 * User text only ever travels as a term value, a prefix or a match_phrase text: never query_string or
 * simple_query_string, so no character is syntax.
 */
import { positiveTextLeaves, type TextLeaf } from '../../core/query/text-leaves.ts';
import type { QueryNode, TagField, TextField } from '../../core/query/ast.ts';
import type { DateRange } from '../article-store.ts';

/** A JSON query DSL object (kept loose: goldens pin its exact shape). */
export type EsQuery = Record<string, unknown>;

/**
 * The keyword field each tag filters on. `entityKeys` holds `foldTagText(entity.text)` of every entity (the
 * `entities.text` subfield keeps the text as written, which `entity:` values, being folded, would not equal).
 */
export const TAG_FIELDS: Record<TagField, string> = {
  outlet: 'outletId',
  lang: 'language',
  actor: 'actors',
  theme: 'themes',
  keyword: 'keywords',
  entity: 'entityKeys',
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

/** A word no token can equal (empty, or with whitespace the field's tokenizer would split on). */
function impossibleWord(w: string): boolean {
  return w === '' || /\s/.test(w);
}

/**
 * `"a b"~N`: span_near, unordered, slop N. Lucene's unordered spans match when (last end - first start) - the
 * spans' total length <= slop; for distinct one-token spans that is exactly our rule (window - words <= N).
 */
function spanNear(field: string, words: readonly string[], distance: number): EsQuery {
  return {
    span_near: { clauses: words.map((w) => ({ span_term: { [field]: w } })), slop: distance, in_order: false },
  };
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
    case 'proximity':
      if (node.words.length < 2 || node.words.some(impossibleWord)) return MATCH_NONE;
      return anyOf(normFields(node.field).map((f) => spanNear(f, node.words, node.distance)));
    case 'prefix':
      // A prefix query is exact on the whitespace-tokenized field and, rewritten as a constant-score filter
      // (the default), has no clause-count limit; the parser's static wildcard limits still apply.
      if (impossibleWord(node.value)) return MATCH_NONE;
      return anyOf(normFields(node.field).map((f) => ({ prefix: { [f]: { value: node.value } } })));
    case 'date': {
      const bounds: Record<string, string> = {};
      if (node.gte !== undefined) bounds.gte = node.gte;
      if (node.lt !== undefined) bounds.lt = node.lt;
      return Object.keys(bounds).length === 0 ? MATCH_ALL : { range: { date: bounds } };
    }
    case 'tag':
      return { term: { [TAG_FIELDS[node.field]]: node.value } };
    case 'and':
      return node.children.length === 0 ? MATCH_ALL : { bool: { must: node.children.map(compileQuery) } };
    case 'or': {
      if (node.children.length === 0) return MATCH_NONE;
      // Several outlets (what collection: and country: resolve to) are one terms query.
      const outlets = node.children.filter((c) => c.kind === 'tag' && c.field === 'outlet');
      if (outlets.length < 2) return { bool: { should: node.children.map(compileQuery), minimum_should_match: 1 } };
      const terms: EsQuery = {
        terms: { [TAG_FIELDS.outlet]: outlets.map((o) => (o.kind === 'tag' ? o.value : '')) },
      };
      const rest = node.children.filter((c) => !(c.kind === 'tag' && c.field === 'outlet')).map(compileQuery);
      return rest.length === 0 ? terms : { bool: { should: [terms, ...rest], minimum_should_match: 1 } };
    }
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


/**
 * The highlight query of one raw field (`title` or `text`, analyzed with the `nm_folded` analyzer, so the
 * fragments show the stored spelling): a match_phrase (span_near for a proximity, prefix for a wildcard) per
 * positive leaf that applies to that field. The body is
 * highlighted for `text:` leaves only; the title for every leaf (as the SQLite snippets do). No leaf: match_none,
 * so the fragment is the start of the field (no_match_size) with nothing marked.
 */
export function highlightQuery(node: QueryNode, field: 'title' | 'text'): EsQuery {
  const queries: EsQuery[] = [];
  const seen = new Set<string>();
  for (const leaf of positiveTextLeaves(node)) {
    if (field === 'text' && leaf.field !== 'text') continue;
    if (leaf.kind === 'prefix') {
      if (leaf.value === '' || seen.has(`prefix:${leaf.value}`)) continue;
      seen.add(`prefix:${leaf.value}`);
      queries.push({ prefix: { [field]: { value: leaf.value } } });
      continue;
    }
    const words = leaf.kind === 'term' ? [leaf.value] : leaf.words;
    if (words.length === 0 || words.some((w) => w === '')) continue;
    if (leaf.kind === 'proximity' && words.length >= 2) {
      const key = `near:${leaf.distance}:${words.join(' ')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      queries.push(spanNear(field, words, leaf.distance));
      continue;
    }
    const text = words.join(' ');
    if (seen.has(text)) continue;
    seen.add(text);
    queries.push({ match_phrase: { [field]: { query: text } } });
  }
  if (queries.length === 0) return MATCH_NONE;
  return anyOf(queries);
}

export { positiveTextLeaves, type TextLeaf };
