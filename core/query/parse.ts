/**
 * Query language v1 front end: Lucene-style text -> QueryNode (core/query/ast.ts), with exact error positions.
 * Hand-written recursive descent rather than liqe: we need our own tokenization of terms (FTS5-compatible),
 * precise 0-based positions for every error kind, limits, and tag resolution; liqe would be a dependency whose
 * AST we would still have to walk, re-position and validate.
 */
import type { QueryNode, TagField, TextField } from './ast.ts';
import { QuerySyntaxError } from '../errors.ts';
import { tokenize } from './tokenize.ts';

/** Maps a user-written tag value (an outlet, actor or theme name/alias/id) to its id, or null when unknown. */
export type TagResolver = (field: TagField, value: string) => string | null;

/** Longest accepted query, in UTF-16 code units (same as Theme.query / Alert.query). */
export const MAX_QUERY_LENGTH = 4000;
/** Most terms, phrases and tags one query may contain. */
export const MAX_QUERY_CLAUSES = 100;
/** Deepest nesting of parentheses and NOTs. */
export const MAX_QUERY_DEPTH = 20;

const TAG_FIELDS: ReadonlySet<string> = new Set<TagField>(['outlet', 'lang', 'actor', 'theme']);

type Lexeme =
  | { type: 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'minus' | 'plus'; pos: number }
  | { type: 'word'; pos: number; text: string }
  | { type: 'phrase'; pos: number; text: string }
  /** `name:` — the value is whatever lexeme follows (the lexer splits `actor:rt` into field + word). */
  | { type: 'field'; pos: number; name: string };

const SPECIAL = new Set(['(', ')', '"']);

function isSpace(ch: string): boolean {
  return /\s/u.test(ch);
}

/** Splits the query into lexemes; reports unterminated quotes and unknown fields. */
function lex(text: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i] ?? '';
    if (isSpace(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      out.push({ type: ch === '(' ? 'lparen' : 'rparen', pos: i });
      i++;
    } else if (ch === '"') {
      const { value, end } = readQuoted(text, i);
      out.push({ type: 'phrase', pos: i, text: value });
      i = end;
    } else if ((ch === '-' || ch === '+') && i + 1 < n && !isSpace(text[i + 1] ?? '') && text[i + 1] !== ')') {
      // Prefix operator only when glued to what it applies to: "a - b" keeps "-" as (dropped) punctuation.
      out.push({ type: ch === '-' ? 'minus' : 'plus', pos: i });
      i++;
    } else {
      let j = i;
      while (j < n && !isSpace(text[j] ?? '') && !SPECIAL.has(text[j] ?? '')) j++;
      const word = text.slice(i, j);
      const colon = word.indexOf(':');
      const name = colon > 0 ? word.slice(0, colon) : '';
      // "http://..." and "10:30" are text, not fields.
      if (/^[a-z_]+$/i.test(name) && !word.startsWith('//', colon + 1)) {
        const field = name.toLowerCase();
        if (field !== 'title' && !TAG_FIELDS.has(field)) {
          throw new QuerySyntaxError(
            `query: unknown field "${name}" (use title:, outlet:, lang:, actor: or theme:, or quote the text)`,
            i,
          );
        }
        out.push({ type: 'field', pos: i, name: field });
        if (colon + 1 < word.length) out.push({ type: 'word', pos: i + colon + 1, text: word.slice(colon + 1) });
      } else if (word === 'AND' || word === '&&') {
        out.push({ type: 'and', pos: i });
      } else if (word === 'OR' || word === '||') {
        out.push({ type: 'or', pos: i });
      } else if (word === 'NOT') {
        out.push({ type: 'not', pos: i });
      } else {
        out.push({ type: 'word', pos: i, text: word });
      }
      i = j;
    }
  }
  return out;
}

/** Reads a "quoted string" starting at `start` (the opening quote); `\"` and `\\` are escapes. */
function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
      value += text[i + 1];
      i += 2;
    } else if (ch === '"') {
      return { value, end: i + 1 };
    } else {
      value += ch;
      i++;
    }
  }
  throw new QuerySyntaxError('query: unterminated quote', start);
}

function tooComplex(message: string, pos: number): QuerySyntaxError {
  return new QuerySyntaxError(`query: ${message}`, pos, 'query_too_complex');
}

/** Builds an and/or node, flattening nested nodes of the same kind and unwrapping single children. */
function combine(kind: 'and' | 'or', children: QueryNode[]): QueryNode | null {
  const flat: QueryNode[] = [];
  for (const c of children) {
    if (c.kind === kind) flat.push(...c.children);
    else flat.push(c);
  }
  if (flat.length === 0) return null;
  if (flat.length === 1) return flat[0] ?? null;
  return { kind, children: flat };
}

/**
 * Gives purely negative clauses a positive anchor: `-foo` means "everything except foo", and(all, not foo).
 * Backends (FTS5 in particular) cannot evaluate a NOT with nothing to subtract from.
 */
function anchor(node: QueryNode): QueryNode {
  if (node.kind === 'not') return { kind: 'and', children: [{ kind: 'all' }, node] };
  if (node.kind === 'and' && node.children.every((c) => c.kind === 'not')) {
    return { kind: 'and', children: [{ kind: 'all' }, ...node.children] };
  }
  return node;
}

class Parser {
  private i = 0;
  private clauses = 0;
  private depth = 0;

  constructor(
    private readonly lexemes: Lexeme[],
    private readonly resolve: TagResolver | undefined,
  ) {}

  private peek(): Lexeme | undefined {
    return this.lexemes[this.i];
  }

  parseQuery(): QueryNode | null {
    const node = this.parseOr('text');
    const extra = this.peek();
    if (extra) {
      // parseOr stops only at a ")" it cannot consume.
      throw new QuerySyntaxError('query: unbalanced parenthesis: ")" without "("', extra.pos);
    }
    return node;
  }

  /** or := and ("OR" and)* */
  private parseOr(field: TextField): QueryNode | null {
    const first = this.peek();
    if (first?.type === 'or' || first?.type === 'and') {
      throw new QuerySyntaxError(`query: ${first.type.toUpperCase()} needs a clause before it`, first.pos);
    }
    const parts: (QueryNode | null)[] = [this.parseAnd(field)];
    for (let op = this.peek(); op?.type === 'or'; op = this.peek()) {
      this.i++;
      if (!this.startsClause(this.peek())) {
        throw new QuerySyntaxError('query: OR needs a clause after it', op.pos);
      }
      parts.push(this.parseAnd(field));
    }
    // A side that was only punctuation ("a OR ,") is dropped; what is left still stands.
    const kept = parts.filter((p): p is QueryNode => p !== null);
    // A single part stays unanchored: the enclosing clause decides whether it needs an `all` to subtract from.
    if (kept.length <= 1) return kept[0] ?? null;
    return combine('or', kept.map(anchor));
  }

  /** and := unary (("AND")? unary)*  — adjacency is an implicit AND. */
  private parseAnd(field: TextField): QueryNode | null {
    const parts: (QueryNode | null)[] = [this.parseUnary(field)];
    for (;;) {
      const next = this.peek();
      if (next?.type === 'and') {
        this.i++;
        if (!this.startsClause(this.peek())) {
          throw new QuerySyntaxError('query: AND needs a clause after it', next.pos);
        }
        parts.push(this.parseUnary(field));
      } else if (this.startsClause(next)) {
        parts.push(this.parseUnary(field));
      } else {
        break;
      }
    }
    return combine(
      'and',
      parts.filter((p): p is QueryNode => p !== null),
    );
  }

  private startsClause(l: Lexeme | undefined): boolean {
    return l !== undefined && l.type !== 'rparen' && l.type !== 'and' && l.type !== 'or';
  }

  /** unary := ("NOT" | "-") unary | "+" unary | primary */
  private parseUnary(field: TextField): QueryNode | null {
    const l = this.peek();
    if (!l) throw new QuerySyntaxError('query: expected a term', this.endPos());
    if (l.type === 'not' || l.type === 'minus' || l.type === 'plus') {
      this.i++;
      const label = l.type === 'not' ? 'NOT' : l.type === 'minus' ? '"-"' : '"+"';
      if (!this.startsClause(this.peek())) {
        throw new QuerySyntaxError(`query: ${label} needs a clause after it`, l.pos);
      }
      this.enter(l.pos);
      const inner = this.parseUnary(field);
      this.depth--;
      if (l.type === 'plus' || inner === null) return inner;
      // Double negation cancels: -(-a) is a.
      if (inner.kind === 'not') return inner.child;
      return { kind: 'not', child: anchor(inner) };
    }
    return this.parsePrimary(field);
  }

  private enter(pos: number): void {
    this.depth++;
    if (this.depth > MAX_QUERY_DEPTH) throw tooComplex(`nested deeper than ${MAX_QUERY_DEPTH} levels`, pos);
  }

  private endPos(): number {
    const last = this.lexemes[this.lexemes.length - 1];
    return last ? last.pos : 0;
  }

  private countClause(pos: number): void {
    this.clauses++;
    if (this.clauses > MAX_QUERY_CLAUSES) throw tooComplex(`more than ${MAX_QUERY_CLAUSES} clauses`, pos);
  }

  private parsePrimary(field: TextField): QueryNode | null {
    const l = this.peek();
    if (!l) throw new QuerySyntaxError('query: expected a term', this.endPos());
    switch (l.type) {
      case 'lparen':
        return this.parseGroup(field);
      case 'word':
      case 'phrase':
        this.i++;
        this.countClause(l.pos);
        return textNode(field, l.text);
      case 'field':
        this.i++;
        return this.parseField(l);
      case 'rparen':
        throw new QuerySyntaxError('query: unbalanced parenthesis: ")" without "("', l.pos);
      default:
        // and/or/not/-/+ are consumed by parseOr/parseAnd/parseUnary before we get here.
        throw new QuerySyntaxError('query: expected a term', l.pos);
    }
  }

  private parseGroup(field: TextField): QueryNode | null {
    const open = this.peek();
    if (open?.type !== 'lparen') throw new QuerySyntaxError('query: expected "("', open?.pos ?? this.endPos());
    this.i++;
    this.enter(open.pos);
    if (this.peek()?.type === 'rparen') throw new QuerySyntaxError('query: empty group "()"', open.pos);
    if (!this.peek()) throw new QuerySyntaxError('query: unbalanced parenthesis: "(" is never closed', open.pos);
    const inner = this.parseOr(field);
    const close = this.peek();
    if (close?.type !== 'rparen') {
      throw new QuerySyntaxError('query: unbalanced parenthesis: "(" is never closed', open.pos);
    }
    this.i++;
    this.depth--;
    return inner;
  }

  private parseField(f: Extract<Lexeme, { type: 'field' }>): QueryNode | null {
    const v = this.peek();
    // The value must follow the colon directly: "actor: rt" is an empty field value, not actor:rt.
    const glued = v !== undefined && v.pos === f.pos + f.name.length + 1;
    const isGroup = glued && v.type === 'lparen';
    const value = glued && (v.type === 'word' || v.type === 'phrase') ? v.text : null;
    if (!isGroup && value === null) {
      throw new QuerySyntaxError(`query: ${f.name}: needs a value right after the colon`, f.pos);
    }
    if (f.name === 'title') {
      if (value === null) return this.parseGroup('title');
      this.i++;
      this.countClause(f.pos);
      return textNode('title', value);
    }
    const valuePos = v?.pos ?? f.pos;
    if (value === null) {
      throw new QuerySyntaxError(`query: ${f.name}: takes one word or a "quoted name", not a group`, valuePos);
    }
    this.i++;
    this.countClause(f.pos);
    const tag = f.name as TagField;
    const raw = value.trim();
    if (raw === '') throw new QuerySyntaxError(`query: ${f.name}: needs a value right after the colon`, f.pos);
    if (tag === 'lang' || !this.resolve) return { kind: 'tag', field: tag, value: raw.toLowerCase() };
    const id = this.resolve(tag, raw);
    if (id === null) throw new QuerySyntaxError(`unknown ${tag} "${raw}"`, valuePos, `unknown_${tag}`);
    return { kind: 'tag', field: tag, value: id };
  }
}

/** A bare word or quoted text -> term (one token), phrase (several) or nothing (only punctuation). */
function textNode(field: TextField, text: string): QueryNode | null {
  const words = tokenize(text);
  if (words.length === 0) return null;
  if (words.length === 1) return { kind: 'term', field, value: words[0] ?? '' };
  return { kind: 'phrase', field, words };
}

/**
 * Parses a query in the v1 language into an AST.
 *
 * Syntax: bare terms, "quoted phrases", AND / OR / NOT (uppercase only; `&&` and `||` also work), `-x` and `NOT x`
 * for negation, `+x` (same as x), parentheses, implicit AND between adjacent clauses; precedence NOT > AND > OR.
 * Fields: `title:` (term, phrase or group), `outlet:`, `lang:`, `actor:`, `theme:` (a word or a "quoted name").
 * Text is normalized like the index ({@link tokenize}): `al-Nusra` becomes the phrase "al nusra", pure
 * punctuation is dropped. An empty query is `{kind:'all'}`; a purely negative one is and(all, not ...).
 *
 * @param resolve maps outlet/actor/theme values to ids; without it the value is lowercased as-is.
 * @throws QuerySyntaxError with the 0-based position of the problem; code `query_syntax`, `query_too_complex`
 *   or `unknown_outlet` / `unknown_actor` / `unknown_theme`.
 */
export function parseQuery(text: string, resolve?: TagResolver): QueryNode {
  if (text.length > MAX_QUERY_LENGTH) {
    throw tooComplex(`longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH);
  }
  const lexemes = lex(text);
  if (lexemes.length === 0) return { kind: 'all' };
  const node = new Parser(lexemes, resolve).parseQuery();
  return node === null ? { kind: 'all' } : anchor(node);
}
