/**
 * Search-hit snippets built in TypeScript from the raw stored text (FTS5 indexes normalized text, so its
 * snippet() would show lowercased, accent-stripped words), plus the fast exact normalization the index uses.
 */
import type { QueryNode } from '../../core/query/ast.ts';
import { normalizeText, tokenizeWithOffsets, type TokenWithOffsets } from '../../core/query/tokenize.ts';
import { positiveTextLeaves, type TextLeaf } from './query-to-sql.ts';

/** Words (tokens) shown in a snippet window. */
export const SNIPPET_WORDS = 30;
/** Words of context kept before the first match, so the snippet does not start on the highlighted word. */
const LEAD_WORDS = 5;
/**
 * Texts are handled in pieces of about this many characters (~40 words). Pieces without any query word (checked
 * on their normalized form, ~20x cheaper than tokenizing) are skipped, and tokenizing stops once the window is
 * known: tokenizing whole texts (median 3.9k chars in the ReCOVery corpus, up to 92k) for 100 hits cost more than
 * the rest of the search page. On corpus pages of 72-100 hits 256 beat 512 by 1.3-1.5x; 128 was no better.
 */
const CHUNK_CHARS = 256;
/** Cap for a text that has no word at all (only punctuation or symbols). */
const MAX_WORDLESS_CHARS = 200;

/** Builds the HTML snippet of one hit from its raw title and text; see {@link createSnippetBuilder}. */
export type SnippetBuilder = (title: string, text: string) => string;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const ASCII_RUN = /[\u0000-\u007f]+/g;
const MARK_AT = /\p{M}/uy;

/**
 * Exactly `normalizeText(text)` (core/query/tokenize.ts), ~20x faster on mostly-ASCII news text: only the
 * non-ASCII stretches go through normalizeText, ASCII runs are lowercased natively. normalizeText works segment
 * by segment (a starter plus its combining marks) and maps an ASCII character that no mark follows to its
 * lowercase, so cutting at segment boundaries and concatenating changes nothing. On the ReCOVery corpus plain
 * normalizeText ran at ~900 texts/s and halved the store's insert rate; this runs at ~17,000.
 */
export function normalizeForIndex(text: string): string {
  const parts: string[] = [];
  let pending = 0;
  ASCII_RUN.lastIndex = 0;
  for (let m = ASCII_RUN.exec(text); m !== null; m = ASCII_RUN.exec(text)) {
    let end = m.index + m[0].length;
    // An ASCII character followed by a combining mark is one segment with it (= + U+0338 composes to ≠).
    MARK_AT.lastIndex = end;
    if (end < text.length && MARK_AT.test(text)) end -= 1;
    if (m.index > pending) parts.push(normalizeText(text.slice(pending, m.index)));
    if (end > m.index) parts.push(text.slice(m.index, end).toLowerCase());
    pending = end;
  }
  if (pending < text.length) parts.push(normalizeText(text.slice(pending)));
  return parts.join('');
}

// After ASCII whitespace, unless a combining mark follows (it would belong to the space's segment): no
// normalization segment and no token crosses such a point, so each piece tokenizes and normalizes as it would
// inside the whole text.
const SAFE_CUT = /[ \t\n\r](?!\p{M})/gu;

/** End of the piece that starts at `pos`. */
function pieceEnd(text: string, pos: number, chunkChars: number): number {
  if (text.length - pos <= chunkChars) return text.length;
  SAFE_CUT.lastIndex = pos + chunkChars;
  const m = SAFE_CUT.exec(text);
  return m ? m.index + 1 : text.length;
}

/**
 * The tokens of {@link tokenizeWithOffsets} from piece start `from` on, identical and with offsets into the whole
 * text, produced lazily piece by piece so a caller that stops early does not pay for the rest of a long text.
 *
 * @param from where to start; must be 0 or a piece boundary @defaultValue 0
 * @param chunkChars approximate piece length @defaultValue 1024
 */
export function* tokenizeLazily(text: string, from = 0, chunkChars = CHUNK_CHARS): Generator<TokenWithOffsets> {
  let pos = from;
  while (pos < text.length) {
    const cut = pieceEnd(text, pos, chunkChars);
    for (const t of tokenizeWithOffsets(text.slice(pos, cut))) {
      yield { token: t.token, start: t.start + pos, end: t.end + pos };
    }
    pos = cut;
  }
}

/** The positive text leaves applying to one field, as exact token sequences (values are already normalized). */
interface LeafSet {
  terms: Set<string>;
  /** Phrases of two words or more; a one-word phrase is a term. */
  phrases: string[][];
  /** Wildcard prefixes: any token starting with one is marked. */
  prefixes: string[];
  /** Proximities: distinct words, all within a window of words.length + distance tokens. */
  proximities: { words: string[]; set: Set<string>; distance: number }[];
  /** Longest token run a match can cover (phrase length, proximity window). */
  maxLength: number;
  /** Every word and prefix of every leaf, for the piece pre-check. */
  words: string[];
}

/** A run of matched tokens, by token index: [start, end). */
interface Span {
  start: number;
  end: number;
}

function compileLeaves(leaves: readonly TextLeaf[]): LeafSet | null {
  const terms = new Set<string>();
  const phrases = new Map<string, string[]>();
  const prefixes = new Set<string>();
  const proximities = new Map<string, LeafSet['proximities'][number]>();
  for (const leaf of leaves) {
    if (leaf.kind === 'prefix') {
      if (leaf.value !== '') prefixes.add(leaf.value);
      continue;
    }
    const words = leaf.kind === 'term' ? [leaf.value] : leaf.words;
    // An empty phrase matches nothing (as in the matcher and FTS5), so it highlights nothing; neither does an
    // empty word, which no token equals.
    if (words.length === 0 || words.some((w) => w === '')) continue;
    if (leaf.kind === 'proximity' && words.length >= 2) {
      proximities.set(`${leaf.distance}\u0000${words.join('\u0000')}`, { words, set: new Set(words), distance: leaf.distance });
    } else if (words.length === 1) terms.add(words[0] ?? '');
    else phrases.set(words.join('\u0000'), words);
  }
  if (terms.size === 0 && phrases.size === 0 && prefixes.size === 0 && proximities.size === 0) return null;
  const list = [...phrases.values()];
  const near = [...proximities.values()];
  return {
    terms,
    phrases: list,
    prefixes: [...prefixes],
    proximities: near,
    maxLength: Math.max(1, ...list.map((p) => p.length), ...near.map((p) => p.words.length + p.distance)),
    words: [...new Set([...terms, ...list.flat(), ...prefixes, ...near.flatMap((p) => p.words)])],
  };
}

/**
 * Spans of `leaves` that end at token `i` (phrases are recognized at their last word, proximities at the last
 * word of their window, while streaming). A proximity marks each of its words inside the shortest window that
 * ends at `i` and holds them all, when that window is short enough — exactly when the matcher says it occurs.
 */
function spansEndingAt(tokens: readonly TokenWithOffsets[], i: number, leaves: LeafSet, out: Span[]): void {
  const token = tokens[i]?.token ?? '';
  if (leaves.terms.has(token) || leaves.prefixes.some((p) => token.startsWith(p))) out.push({ start: i, end: i + 1 });
  outer: for (const words of leaves.phrases) {
    const first = i - words.length + 1;
    if (first < 0 || words[words.length - 1] !== token) continue;
    for (let k = 0; k < words.length - 1; k++) {
      if (tokens[first + k]?.token !== words[k]) continue outer;
    }
    out.push({ start: first, end: i + 1 });
  }
  for (const p of leaves.proximities) {
    if (!p.set.has(token)) continue;
    const seen = new Set<string>();
    const limit = Math.max(0, i - (p.words.length + p.distance) + 1);
    let start = -1;
    for (let j = i; j >= limit; j--) {
      const t = tokens[j]?.token ?? '';
      if (p.set.has(t)) seen.add(t);
      if (seen.size === p.set.size) {
        start = j;
        break;
      }
    }
    if (start < 0) continue;
    for (let j = start; j <= i; j++) if (p.set.has(tokens[j]?.token ?? '')) out.push({ start: j, end: j + 1 });
  }
}

/**
 * Where to start tokenizing for the window: the start of the piece before the first piece in which a match
 * starts (that piece gives the words of context), or null when nothing matches. Pieces whose normalized text
 * lacks every query word are skipped without tokenizing (a token is a run of token characters of the normalized
 * text, so it is a substring of it); a piece that has a word but no match (a common word of a phrase) costs one
 * tokenization of that piece and its follower.
 */
function firstMatchRegion(text: string, leaves: LeafSet): number | null {
  let previous = 0;
  let pos = 0;
  while (pos < text.length) {
    const cut = pieceEnd(text, pos, CHUNK_CHARS);
    const normalized = normalizeForIndex(text.slice(pos, cut));
    if (leaves.words.some((w) => normalized.includes(w))) {
      const tokens: TokenWithOffsets[] = [];
      const spans: Span[] = [];
      let past = 0;
      // A match starting in this piece ends at most maxLength - 1 tokens after it.
      for (const token of tokenizeLazily(text, pos)) {
        if (token.start >= cut && ++past >= leaves.maxLength) break;
        spansEndingAt(tokens, tokens.push(token) - 1, leaves, spans);
        if (spans.some((s) => (tokens[s.start]?.start ?? cut) < cut)) return previous;
      }
    }
    previous = pos;
    pos = cut;
  }
  return null;
}

/** Sorted, with overlapping spans merged (a phrase and one of its own words mark once). */
function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** Raw text as it appears in a snippet: whitespace runs (newlines, paragraph breaks) become one space. */
function plain(raw: string): string {
  return escapeHtml(raw.replace(/\s+/g, ' '));
}

function wordlessSnippet(text: string): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  const head = escapeHtml(chars.slice(0, MAX_WORDLESS_CHARS).join(''));
  return chars.length > MAX_WORDLESS_CHARS ? `${head} …` : head;
}

/**
 * The snippet of one field: a window of `words` tokens starting a few words before the first match, with every
 * match inside it marked. With `leaves` null, the start of the text. Returns null when `leaves` match nothing.
 */
function renderField(text: string, leaves: LeafSet | null, words: number): string | null {
  // Tokens are indexed from `from`, which is before the first match.
  const from = leaves === null ? 0 : firstMatchRegion(text, leaves);
  if (from === null) return null;
  const tokens: TokenWithOffsets[] = [];
  const spans: Span[] = [];
  // Index of the last token needed; with a match, known once the first one is seen.
  let stopAt = leaves === null ? words : Number.POSITIVE_INFINITY;
  let exhausted = true;
  for (const token of tokenizeLazily(text, from)) {
    const i = tokens.push(token) - 1;
    if (leaves !== null) {
      spansEndingAt(tokens, i, leaves, spans);
      if (stopAt === Number.POSITIVE_INFINITY && spans.length > 0) {
        // One token past the window (plus a phrase's length) says whether the text goes on and catches a
        // phrase that starts inside the window and ends past it.
        stopAt = Math.min(...spans.map((s) => s.start)) + words + leaves.maxLength;
      }
    }
    if (i >= stopAt) {
      exhausted = false;
      break;
    }
  }
  if (leaves !== null && spans.length === 0) return null;
  if (tokens.length === 0) return wordlessSnippet(text);

  const n = tokens.length;
  const firstMatch = spans.length > 0 ? Math.min(...spans.map((s) => s.start)) : 0;
  let start = Math.max(0, firstMatch - LEAD_WORDS);
  // Near the end of a text, show a full window rather than a short tail.
  if (exhausted) start = Math.max(0, Math.min(start, n - words));
  let end = Math.min(n, start + words);
  for (const s of spans) if (s.start < end && s.end > end) end = s.end;
  const cutBefore = start > 0 || from > 0;
  const cutAfter = end < n || !exhausted;

  const sliceStart = cutBefore ? (tokens[start]?.start ?? 0) : 0;
  const sliceEnd = cutAfter ? (tokens[end - 1]?.end ?? text.length) : text.length;
  let html = '';
  let pos = sliceStart;
  for (const s of mergeSpans(spans.filter((x) => x.start >= start && x.end <= end))) {
    const markStart = tokens[s.start]?.start ?? pos;
    const markEnd = tokens[s.end - 1]?.end ?? markStart;
    html += `${plain(text.slice(pos, markStart))}<mark>${plain(text.slice(markStart, markEnd))}</mark>`;
    pos = markEnd;
  }
  html = `${html}${plain(text.slice(pos, sliceEnd))}`.trim();
  return `${cutBefore ? '… ' : ''}${html}${cutAfter ? ' …' : ''}`;
}

/**
 * Compiles a query into a snippet builder for its hits. The snippet is HTML: the raw text escaped, whitespace
 * collapsed, `…` where the window cuts the text, and the only markup `<mark>…</mark>` around each occurrence of
 * a positive query term, a whole phrase, a word starting with a wildcard's prefix, or the words of a proximity
 * inside a window close enough, matched exactly as the in-memory matcher matches (same tokens).
 *
 * Order: a window of the text around its first match; else (the match was in the title, or only `title:` leaves
 * exist) the title; else (tag-only or negated-only query, or a hit matched through a tag) the start of the text,
 * or of the title when the text is blank.
 *
 * @param words window size in words @defaultValue {@link SNIPPET_WORDS}
 */
export function createSnippetBuilder(query: QueryNode, words: number = SNIPPET_WORDS): SnippetBuilder {
  const leaves = positiveTextLeaves(query);
  const textLeaves = compileLeaves(leaves.filter((l) => l.field === 'text'));
  const titleLeaves = compileLeaves(leaves);
  return (title, text) => {
    const inText = textLeaves === null ? null : renderField(text, textLeaves, words);
    if (inText !== null) return inText;
    const inTitle = titleLeaves === null ? null : renderField(title, titleLeaves, words);
    if (inTitle !== null) return inTitle;
    return renderField(text.trim() ? text : title, null, words) ?? '';
  };
}
