/**
 * Query language front end: Lucene-style text -> QueryNode (core/query/ast.ts), with exact error positions.
 * Hand-written recursive descent rather than liqe: we need our own tokenization of terms (FTS5-compatible),
 * precise 0-based positions for every error kind, limits, and tag resolution; liqe would be a dependency whose
 * AST we would still have to walk, re-position and validate.
 */
import type { QueryNode, TagField, TextField } from './ast.ts';
import { QuerySyntaxError } from '../errors.ts';
import { foldTagText, tokenize } from './tokenize.ts';
import { parseDateValue, type DateInterval } from './dates.ts';

/** Tag fields whose values the catalog resolves (entity/keyword values are folded text, never resolved). */
export type ResolvedTagField = 'outlet' | 'lang' | 'actor' | 'theme';

/** Fields that stand for a group of outlets, resolved to an OR of `outlet:` tags at parse time. */
export type OutletGroupField = 'collection' | 'country';

/**
 * Maps a user-written tag value (an outlet, actor or theme name/alias/id) to its id, or null when unknown.
 * `outletGroup`, when present, resolves `collection:` (an outlet tag) and `country:` (an outlet's country) to the
 * ids of their outlets; without it those fields are rejected as unknown. Build one with createCatalogResolver
 * (core/query/resolver.ts).
 */
export interface TagResolver {
  (field: ResolvedTagField, value: string): string | null;
  outletGroup?: (field: OutletGroupField, value: string) => readonly string[] | null;
}

/** Options of {@link parseQuery}. */
export interface ParseOptions {
  /**
   * Counts the distinct index words starting with a wildcard's prefix, stopping at `limit` + 1 (a backend's
   * expansion check, e.g. countPrefixExpansions in store/sqlite/query-to-sql.ts). Without it only the static
   * wildcard limits apply.
   */
  countPrefixExpansions?: (prefix: string, limit: number) => number;
}

/** Longest accepted query, in UTF-16 code units (same as Theme.query / Alert.query). */
export const MAX_QUERY_LENGTH = 4000;
/** Most terms, phrases, wildcards, ranges and tags one query may contain. */
export const MAX_QUERY_CLAUSES = 100;
/** Deepest nesting of parentheses and NOTs. */
export const MAX_QUERY_DEPTH = 20;
/** Most wildcards (`idl*`) in one query: each one is a scan of the index's word list. */
export const MAX_QUERY_WILDCARDS = 10;
/** Most distinct words one wildcard may stand for (checked when a backend can count them). */
export const MAX_WILDCARD_EXPANSIONS = 1000;
/** Fewest characters (normalized, in code points) before a wildcard's `*`. */
export const MIN_WILDCARD_PREFIX = 3;
/** Largest N in `"a b"~N`. */
export const MAX_PROXIMITY_DISTANCE = 100;

const TAG_FIELDS: ReadonlySet<string> = new Set<string>([
  'outlet',
  'lang',
  'actor',
  'theme',
  'entity',
  'keyword',
  'collection',
  'country',
]);
const KNOWN_FIELDS_HINT = 'title:, outlet:, collection:, lang:, country:, actor:, theme:, entity:, keyword: or published:';

type Lexeme =
  | { type: 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'minus' | 'plus'; pos: number }
  | { type: 'word'; pos: number; text: string }
  /** `slop` is the N of `"..."~N`, at `slopPos` (the `~`). */
  | { type: 'phrase'; pos: number; text: string; slop?: number; slopPos?: number }
  /** `[a TO b]` / `{a TO b}` after `published:`, raw, with the positions of both bounds. */
  | { type: 'range'; pos: number; open: '[' | '{'; close: ']' | '}'; from: string; fromPos: number; to: string; toPos: number }
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
      if (text[end] === '~') {
        const { slop, end: after } = readSlop(text, end);
        out.push({ type: 'phrase', pos: i, text: value, slop, slopPos: end });
        i = after;
      } else {
        out.push({ type: 'phrase', pos: i, text: value });
        i = end;
      }
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
        if (field !== 'title' && field !== 'published' && !TAG_FIELDS.has(field)) {
          throw new QuerySyntaxError(`query: unknown field "${name}" (use ${KNOWN_FIELDS_HINT}, or quote the text)`, i);
        }
        out.push({ type: 'field', pos: i, name: field });
        const valueAt = i + colon + 1;
        const opener = text[valueAt];
        if (field === 'published' && (opener === '[' || opener === '{')) {
          const range = readRange(text, valueAt);
          out.push(range.lexeme);
          i = range.end;
          continue;
        }
        if (colon + 1 < word.length) out.push({ type: 'word', pos: valueAt, text: word.slice(colon + 1) });
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

/** Reads the `~N` after a quoted string; `start` is at the `~`. */
function readSlop(text: string, start: number): { slop: number; end: number } {
  let j = start + 1;
  while (j < text.length && /[0-9]/.test(text[j] ?? '')) j++;
  const digits = text.slice(start + 1, j);
  if (digits === '') {
    throw new QuerySyntaxError('query: "~" after a quoted phrase needs a number of words, e.g. "white helmets"~5', start);
  }
  const next = text[j];
  if (next !== undefined && !isSpace(next) && next !== ')') {
    throw new QuerySyntaxError('query: unexpected text after "~N": leave a space after the number', j);
  }
  const slop = Number(digits);
  if (slop > MAX_PROXIMITY_DISTANCE) {
    throw tooComplex(`proximity "~${digits}" is above the maximum of ${MAX_PROXIMITY_DISTANCE}`, start);
  }
  return { slop, end: j };
}

/** Reads `[a TO b]` / `{a TO b}` (any closing bracket kind, as Lucene) starting at the opening bracket. */
function readRange(text: string, start: number): { lexeme: Extract<Lexeme, { type: 'range' }>; end: number } {
  const open = text[start] === '{' ? '{' : '[';
  let j = start + 1;
  while (j < text.length && text[j] !== ']' && text[j] !== '}') j++;
  const close = text[j];
  if (close !== ']' && close !== '}') {
    throw new QuerySyntaxError(`query: unterminated date range: "${open}" is never closed with "]" or "}"`, start);
  }
  const inner = text.slice(start + 1, j);
  const m = /^(\s*)(\S+)(\s+)(TO)(\s+)(\S+)\s*$/i.exec(inner);
  if (!m || m[4] !== 'TO') {
    throw new QuerySyntaxError(`query: a date range reads ${open}FROM TO TO${close} (TO in capitals), e.g. [2018-02-01 TO 2018-03-01]`, start);
  }
  const lead = (m[1] ?? '').length;
  const from = m[2] ?? '';
  const fromPos = start + 1 + lead;
  const toPos = fromPos + from.length + (m[3] ?? '').length + 2 + (m[5] ?? '').length;
  return {
    lexeme: { type: 'range', pos: start, open, close, from, fromPos, to: m[6] ?? '', toPos },
    end: j + 1,
  };
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
  private wildcards = 0;
  private depth = 0;

  constructor(
    private readonly lexemes: Lexeme[],
    private readonly resolve: TagResolver | undefined,
    private readonly options: ParseOptions,
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
        this.i++;
        this.countClause(l.pos);
        return this.wordNode(field, l.text, l.pos);
      case 'phrase':
        this.i++;
        this.countClause(l.pos);
        return quotedNode(field, l);
      case 'field':
        this.i++;
        return this.parseField(l);
      case 'rparen':
        throw new QuerySyntaxError('query: unbalanced parenthesis: ")" without "("', l.pos);
      default:
        // and/or/not/-/+ are consumed by parseOr/parseAnd/parseUnary before we get here; a range only follows
        // `published:`.
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

  /** A bare word: a term, a phrase (the tokenizer split it), a `prefix*` wildcard, or nothing (punctuation). */
  private wordNode(field: TextField, text: string, pos: number): QueryNode | null {
    if (!text.includes('*')) return textNode(field, text);
    const stem = text.replace(/\*+$/, '');
    const inner = stem.indexOf('*');
    if (inner >= 0) {
      throw new QuerySyntaxError(
        'query: a wildcard "*" may only end a word (no leading or inner wildcards), e.g. idl*',
        pos + inner,
      );
    }
    const tokens = tokenize(stem);
    // A lone "*" (or "-*") is no word at all; `describeQuery` writes the match-all query as "*".
    if (tokens.length === 0) return null;
    if (tokens.length > 1) {
      throw new QuerySyntaxError(
        `query: a wildcard applies to one word, but "${stem}" is ${tokens.length} words (${tokens.join(' ')})`,
        pos,
      );
    }
    const prefix = tokens[0] ?? '';
    if ([...prefix].length < MIN_WILDCARD_PREFIX) {
      throw tooComplex(`a wildcard needs at least ${MIN_WILDCARD_PREFIX} characters before "*"`, pos);
    }
    this.wildcards++;
    if (this.wildcards > MAX_QUERY_WILDCARDS) throw tooComplex(`more than ${MAX_QUERY_WILDCARDS} wildcards`, pos);
    const count = this.options.countPrefixExpansions;
    if (count && count(prefix, MAX_WILDCARD_EXPANSIONS) > MAX_WILDCARD_EXPANSIONS) {
      throw tooComplex(`"${prefix}*" matches more than ${MAX_WILDCARD_EXPANSIONS} different words: use a longer prefix`, pos);
    }
    return { kind: 'prefix', field, value: prefix };
  }

  private parseField(f: Extract<Lexeme, { type: 'field' }>): QueryNode | null {
    const v = this.peek();
    // The value must follow the colon directly: "actor: rt" is an empty field value, not actor:rt.
    const glued = v !== undefined && v.pos === f.pos + f.name.length + 1;
    if (f.name === 'published') return this.parsePublished(f, glued ? v : undefined);
    const isGroup = glued && v.type === 'lparen';
    const value = glued && (v.type === 'word' || v.type === 'phrase') ? v.text : null;
    if (!isGroup && value === null) {
      throw new QuerySyntaxError(`query: ${f.name}: needs a value right after the colon`, f.pos);
    }
    if (f.name === 'title') {
      if (value === null || v === undefined) return this.parseGroup('title');
      this.i++;
      this.countClause(f.pos);
      return v.type === 'phrase' ? quotedNode('title', v) : this.wordNode('title', value, v.pos);
    }
    const valuePos = v?.pos ?? f.pos;
    if (value === null || v === undefined) {
      throw new QuerySyntaxError(`query: ${f.name}: takes one word or a "quoted name", not a group`, valuePos);
    }
    if (v.type === 'phrase' && v.slop !== undefined) {
      throw new QuerySyntaxError(`query: ${f.name}: takes a name, not a proximity "..."~N`, v.slopPos ?? valuePos);
    }
    if (v.type === 'word' && value.includes('*')) {
      throw new QuerySyntaxError(`query: wildcards work on text, not on ${f.name}:`, valuePos + value.indexOf('*'));
    }
    this.i++;
    this.countClause(f.pos);
    const raw = value.trim();
    if (raw === '') throw new QuerySyntaxError(`query: ${f.name}: needs a value right after the colon`, f.pos);
    if (f.name === 'entity' || f.name === 'keyword') {
      const folded = foldTagText(raw);
      if (folded === '') throw new QuerySyntaxError(`query: ${f.name}: needs a value with letters or digits`, valuePos);
      return { kind: 'tag', field: f.name, value: folded };
    }
    if (f.name === 'collection' || f.name === 'country') {
      const ids = this.resolve?.outletGroup?.(f.name, raw) ?? null;
      if (ids === null || ids.length === 0) {
        throw new QuerySyntaxError(`unknown ${f.name} "${raw}"`, valuePos, `unknown_${f.name}`);
      }
      const tags: QueryNode[] = [...new Set(ids)].map((id) => ({ kind: 'tag', field: 'outlet', value: id }));
      return tags.length === 1 ? (tags[0] ?? null) : { kind: 'or', children: tags };
    }
    const tag = f.name as ResolvedTagField;
    if (tag === 'lang' || !this.resolve) return { kind: 'tag', field: tag, value: raw.toLowerCase() };
    const id = this.resolve(tag, raw);
    if (id === null) throw new QuerySyntaxError(`unknown ${tag} "${raw}"`, valuePos, `unknown_${tag}`);
    return { kind: 'tag', field: tag, value: id };
  }

  /** `published:[a TO b]`, `published:{a TO b}` (mixed brackets allowed) or `published:2018-02` (that period). */
  private parsePublished(f: Extract<Lexeme, { type: 'field' }>, v: Lexeme | undefined): QueryNode {
    if (v === undefined || (v.type !== 'range' && v.type !== 'word' && v.type !== 'phrase')) {
      throw new QuerySyntaxError('query: published: needs a date or a range right after the colon, e.g. published:[2018-02-01 TO 2018-03-01]', f.pos);
    }
    this.i++;
    this.countClause(f.pos);
    if (v.type !== 'range') {
      const d = dateAt(v.text.trim(), v.pos, false);
      return dateNode(d?.start, d?.end);
    }
    const from = dateAt(v.from, v.fromPos, true);
    const to = dateAt(v.to, v.toPos, true);
    // [a: from the start of a; {a: after a (from its end). b]: through the end of b; b}: before b starts.
    const gte = from === null ? undefined : v.open === '[' ? from.start : from.end;
    const lt = to === null ? undefined : v.close === ']' ? to.end : to.start;
    if (gte !== undefined && lt !== undefined && gte >= lt) {
      throw new QuerySyntaxError('query: empty date range: its start is not before its end', v.pos);
    }
    return dateNode(gte, lt);
  }
}

/** One bound of a date range (`*` = open, null) or a single date, with errors at its position. */
function dateAt(raw: string, pos: number, openAllowed: boolean): DateInterval | null {
  if (raw === '*' && openAllowed) return null;
  const d = parseDateValue(raw);
  if (d === null) {
    throw new QuerySyntaxError(
      `query: "${raw}" is not a date: use YYYY, YYYY-MM, YYYY-MM-DD or an ISO date-time like 2018-02-01T12:00Z${openAllowed ? ', or * for an open end' : ''}`,
      pos,
    );
  }
  return d;
}

function dateNode(gte: number | undefined, lt: number | undefined): QueryNode {
  return {
    kind: 'date',
    ...(gte !== undefined ? { gte: new Date(gte).toISOString() } : {}),
    ...(lt !== undefined ? { lt: new Date(lt).toISOString() } : {}),
  };
}

/** A bare word or quoted text -> term (one token), phrase (several) or nothing (only punctuation). */
function textNode(field: TextField, text: string): QueryNode | null {
  const words = tokenize(text);
  if (words.length === 0) return null;
  if (words.length === 1) return { kind: 'term', field, value: words[0] ?? '' };
  return { kind: 'phrase', field, words };
}

/** A quoted string: a phrase, or with `~N` a proximity over its distinct words (one word: a plain term). */
function quotedNode(field: TextField, l: Extract<Lexeme, { type: 'phrase' }>): QueryNode | null {
  if (l.slop === undefined) return textNode(field, l.text);
  // A repeated word adds nothing: FTS5's NEAR lets one occurrence stand for both (measured), so all three
  // backends agree only on the distinct words.
  const words = [...new Set(tokenize(l.text))];
  if (words.length === 0) return null;
  if (words.length === 1) return { kind: 'term', field, value: words[0] ?? '' };
  return { kind: 'proximity', field, words, distance: l.slop };
}

/**
 * Parses a query into an AST.
 *
 * Syntax: bare terms, "quoted phrases", `"a b"~N` (all words within a window holding at most N other words, any
 * order, one field), `idl*` (words starting with idl; at least 3 characters, only at the end of a word), AND / OR /
 * NOT (uppercase only; `&&` and `||` also work), `-x` and `NOT x` for negation, `+x` (same as x), parentheses,
 * implicit AND between adjacent clauses; precedence NOT > AND > OR.
 * Fields: `title:` (term, phrase, proximity, wildcard or group); `outlet:`, `lang:`, `actor:`, `theme:` (a word or
 * a "quoted name", resolved to ids); `entity:` and `keyword:` (folded text); `collection:` (an outlet tag) and
 * `country:` (an outlet's country), both resolved to an OR of their outlets; `published:[a TO b]` with `[ ]`
 * inclusive and `{ }` exclusive ends, `*` open, on the article date (publishedAt ?? firstSeenAt; date-only values
 * are UTC days), or `published:2018-02` for one period.
 * Text is normalized like the index ({@link tokenize}): `al-Nusra` becomes the phrase "al nusra", pure
 * punctuation is dropped. An empty query is `{kind:'all'}`; a purely negative one is and(all, not ...).
 *
 * @param resolve maps outlet/actor/theme values to ids and collection/country to outlets; without it values are
 *   lowercased as-is and collection:/country: are unknown.
 * @throws QuerySyntaxError with the 0-based position of the problem; code `query_syntax`, `query_too_complex`
 *   or `unknown_outlet` / `unknown_actor` / `unknown_theme` / `unknown_collection` / `unknown_country`.
 */
export function parseQuery(text: string, resolve?: TagResolver, options: ParseOptions = {}): QueryNode {
  if (text.length > MAX_QUERY_LENGTH) {
    throw tooComplex(`longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH);
  }
  const lexemes = lex(text);
  if (lexemes.length === 0) return { kind: 'all' };
  const node = new Parser(lexemes, resolve, options).parseQuery();
  return node === null ? { kind: 'all' } : anchor(node);
}
