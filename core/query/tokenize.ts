/**
 * Text normalization and word tokenization that agree token for token with SQLite FTS5
 * `tokenize = "unicode61 remove_diacritics 2"`, so the in-memory matcher and the SQLite store give the same answers.
 */

/*
 * Contract with the stores: index `normalizeText(x)` (not the raw text) in FTS5 with
 * `unicode61 remove_diacritics 2`. Then FTS5's tokens equal `tokenize(x)` exactly. Indexing raw text would
 * disagree on purpose in a few places where FTS5 alone is poor: it splits Arabic words at every haraka
 * (tashkeel are separators to unicode61), keeps ё apart from е, and keeps Greek final sigma apart from σ.
 *
 * Why a table instead of \p{L}\p{N}\p{Co}: unicode61's character classes are frozen at an old Unicode version
 * (SQLite cannot update them without breaking existing indexes). Code points assigned since then — emoji,
 * newer punctuation — are *token* characters to FTS5, so "Putin🙂" is one token there. The table below is
 * FTS5's exact token-character set (all 0x110000 code points, measured with fts5vocab against SQLite 3.53.2;
 * tests/core/query/tokenize.test.ts re-checks it). normalizeText turns the characters that FTS5 would glue into
 * words but that are not letters/numbers today into spaces, so both sides split there.
 */

/** FTS5 unicode61 token-character ranges: base-36 pairs (gap from previous range end, range length). */
const TOKEN_RANGES_ENCODED =
  '1c,a,7,q,6,q,1b,1,7,2,1,1,3,2,1,3,1,n,1,v,1,cq,4,c,e,5,7,1,1,1,h,5,1,7,2,1,1,1,9,1,7,6,4,2,1,2,1q,5,' +
  '1,8,1,5,2,1,1,32,1,3v,8,5s,6,15,2,4,1,1,1j,17,2,b,5,1,m,2,2,17,l,a,4,2,1,2r,1,1,f,2,7,f,2,1,e,1,1,1,' +
  '1,u,r,2j,b,1m,9,2,4,s,4,1,9,1,3,1,5,2,f,q,3,2,1,3p,r,1,4,1i,3,1,i,1,7,a,4,a,1,g,3,1k,1,1,7,2,2,2,3,9' +
  ',1,a,2,e,2,6,2,5,3,1k,1,1,5,4,2,2,3,3,1,u,2,3,1,b,3,1k,1,1,8,1,3,1,3,k,2,c,2,f,3,1k,1,1,7,2,2,2,3,8,' +
  '2,a,2,c,1,h,1,1n,5,3,3,1,4,9,1,r,8,6,3,1m,7,1,3,1,4,7,2,b,2,r,1,2,2,1k,1,1,7,1,3,1,4,7,2,b,2,u,2,1m,' +
  '7,1,3,1,4,9,1,a,2,l,1,8,2,1y,1,4,6,1,1,1,8,i,3,1o,1,2,7,4,1,7,9,a,2,2d,1,2,6,1,2,b,6,1f,v,k,c,1d,n,5' +
  ',b,1,10,1,f,1,d,28,k,b,6,6,4,4,3,1,3,2,7,3,4,d,c,1,1,a,6,2j,1,gx,c,13,a,2u,1,h8,2,h,1,q,2,26,3,10,3,' +
  't,5,r,2,u,2,1s,z,1,4,1,1,y,f,4a,1,3a,c,4,c,4,1,3,2,2y,h,7,2,k,y,n,5,2,2,1h,a,1,t,2,1,w,7,1,6,2a,5,1b' +
  ',h,l,z,3,3,u,d,1k,e,8,4,10,k,3,5,1q,2,1s,8,8,p,4,1,4,3,5n,13,l,4,cd,1,1,3,b,3,d,3,d,3,d,2,1,2t,5,6,a' +
  ',5,b,5,h,q,m,x,f,2,1,4,1,2,a,1,1,3,5,6,1,1,1,1,1,1,4,1,b,2,4,5,5,4,1,1,1s,h0,c,13,p,b,29,26,m,e8,1,3' +
  '9,u,qh,3,a,az,6,4,3,7,4,1,2,34,1,e,1,2o,27,1,c,1w,q,1,2h,c,5y,q,c,4,5,3,p,9,7,5,2,5,3,2h,4,3,1,2i,1,' +
  '44,2,4,a,w,10,s,v,b,u,8,1,f,w,a,13,f,1r,1,74,534,1s,h3k,1j,1j,2,7h,3,2n,g,w,1,28,8,8,n,9,2,2v,2,3b,1' +
  ',3,1,4,1,n,9,a,4,1m,4,8,2,1e,h,9,2,g,i,6,3,17,a,n,d,b,1,w,4,1b,r,g,2,21,e,c,1,8,2,e,4,n,3,1,1,1g,1,1' +
  ',3,2,2,5,2,1,1,s,2,b,7,3,2,6k,b,8pe,1kw,5cu,1,a,1,3s,g,ak,2,58,2,2,q,6,7,9,z,1,j,1,4,43,1,1,f,a,7,q,' +
  '6,q,b,3e,7,1,7,a,7,74,3,1g,9,1l,h,6,c,1g,1a,bl,1,1c,1,w6,1,5j,1,v,1,5d,3,1,2,5,4,14,3,4,1,g,9,12,1,5' +
  '5,7,xs,3,1h,m,1e,3,19,i,1q,3,10,e,b,4,1o,3,1c,e,4,4,yq,d,2pk,4,esd,1a,g,4,j1p,6u,a,13,2,51,y,1y,56,2' +
  'f,oa,1,p,1,v,1,p,1,v,1,p,1,v,1,p,1,v,1,p,1,4ks,2,7i,18,4,2s,c,f,2,e,2,f,1,f,1c,v,1,1o,4,17,23,t,d,17' +
  ',5,9,7,2,4u,x,f,6,1,1y,3,k,c,11,1,5,l,h,f,1r,1,1,1,52,1,4,3,1q,2,4,c,o,43,1y,4,b,1c,1y,1m,38,gwi5,1,' +
  'u,2o,3k,6o,47bk';

/** Flattened [start0, end0, start1, end1, ...] (inclusive), sorted. */
const TOKEN_RANGES: Uint32Array = decodeRanges(TOKEN_RANGES_ENCODED);

function decodeRanges(encoded: string): Uint32Array {
  const parts = encoded.split(',').map((p) => parseInt(p, 36));
  const out = new Uint32Array(parts.length);
  let prevEnd = 0;
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const start = prevEnd + (parts[i] ?? 0);
    const end = start + (parts[i + 1] ?? 1) - 1;
    out[i] = start;
    out[i + 1] = end;
    prevEnd = end + 1;
  }
  return out;
}

/** Whether FTS5 unicode61 treats this code point as part of a word (before folding). */
export function isTokenCodePoint(cp: number): boolean {
  if (cp < 0x80) {
    return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a);
  }
  let lo = 0;
  let hi = TOKEN_RANGES.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = TOKEN_RANGES[mid * 2] ?? 0;
    const end = TOKEN_RANGES[mid * 2 + 1] ?? 0;
    if (cp < start) hi = mid - 1;
    else if (cp > end) lo = mid + 1;
    else return true;
  }
  return false;
}

const WORD_CHAR = /[\p{L}\p{N}\p{Co}]/u;
const LATIN_BASE_WITH_MARKS = /([a-z])\p{M}+/gu;
const ANY_MARK = /\p{M}/gu;
/*
 * A "segment" is a starter plus its combining marks (Hangul conjoining jamo runs count as one starter, since NFC
 * composes them). Normalization never crosses a segment boundary, which is what lets tokenizeWithOffsets map
 * every normalized character back to the original text while staying identical to normalizeText.
 */
const SEGMENT = /[\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\uac00-\ud7a3]+\p{M}*|[^\p{M}]\p{M}*|\p{M}+/uy;

/* Segments repeat constantly (every "é", every Cyrillic letter), so normalizing each distinct one once pays. */
const SEGMENT_CACHE = new Map<string, string>();
const SEGMENT_CACHE_MAX = 20_000;

function normalizeSegment(seg: string): string {
  const cached = SEGMENT_CACHE.get(seg);
  if (cached !== undefined) return cached;
  // Latin letters lose every diacritic (as remove_diacritics 2 does); NFC then re-forms the letters that other
  // scripts treat as distinct (й, ї, ў, Greek tonos) before the remaining loose marks (harakat, niqqud) go.
  let s = seg.normalize('NFKC').toLowerCase().normalize('NFD').replace(LATIN_BASE_WITH_MARKS, '$1');
  s = s.normalize('NFC').replace(/ё/g, 'е').replace(/ς/g, 'σ').replace(ANY_MARK, '');
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    out += isTokenCodePoint(cp) && !WORD_CHAR.test(ch) ? ' ' : ch;
  }
  if (SEGMENT_CACHE.size >= SEGMENT_CACHE_MAX) SEGMENT_CACHE.clear();
  SEGMENT_CACHE.set(seg, out);
  return out;
}

/**
 * Walks `text` segment by segment, calling `emit` with each normalized piece.
 * ASCII characters not followed by a combining mark (all marks are >= U+0300) take a fast path.
 */
function forEachSegment(text: string, emit: (normalized: string) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 0x80 && (i + 1 >= n || text.charCodeAt(i + 1) < 0x300)) {
      emit(c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 32) : text[i] ?? '');
      i += 1;
      continue;
    }
    SEGMENT.lastIndex = i;
    const m = SEGMENT.exec(text);
    // Only a lone surrogate can fail to match; it is a separator to FTS5 too (invalid UTF-16 -> U+FFFD).
    const len = m ? m[0].length : 1;
    emit(m ? normalizeSegment(m[0]) : ' ');
    i += len;
  }
}

/**
 * Normalizes text for indexing and matching: NFKC, lowercase, Latin diacritics removed (café -> cafe, as FTS5
 * `remove_diacritics 2`), ё -> е, ς -> σ, all other combining marks removed (Arabic tashkeel, Hebrew niqqud),
 * and characters that FTS5 would wrongly glue into words (emoji, post-2012 symbols) replaced by spaces.
 * Punctuation and spacing are otherwise kept, so the result is still readable (e.g. in FTS5 snippets).
 * Stores must index this, not the raw text, for FTS5 to agree with {@link tokenize}.
 */
export function normalizeText(text: string): string {
  let out = '';
  forEachSegment(text, (s) => {
    out += s;
  });
  return out;
}

/** A word of the text with its span in the original (un-normalized) string, in UTF-16 code units. */
export interface TokenWithOffsets {
  token: string;
  /** Inclusive start offset into the original text. */
  start: number;
  /** Exclusive end offset into the original text. */
  end: number;
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a);
}

/**
 * The tokenizer proper: normalizes segment by segment (as normalizeText) and splits with FTS5's token-character
 * set. Runs of ASCII letters/digits are sliced whole — most news text is mostly ASCII, and per-character work
 * there made the matcher several times slower.
 */
function scanTokens(text: string, emit: (token: string, start: number, end: number) => void): void {
  const n = text.length;
  let cur = '';
  let curStart = 0;
  let curEnd = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 0x80 && (i + 1 >= n || text.charCodeAt(i + 1) < 0x300)) {
      if (!isAsciiAlnum(c)) {
        if (cur !== '') emit(cur, curStart, curEnd);
        cur = '';
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n && isAsciiAlnum(text.charCodeAt(j))) j++;
      // A combining mark after the run belongs to its last letter: leave that letter to the segment path.
      if (j < n && text.charCodeAt(j) >= 0x300) j--;
      if (cur === '') curStart = i;
      cur += text.slice(i, j).toLowerCase();
      curEnd = j;
      i = j;
      continue;
    }
    SEGMENT.lastIndex = i;
    const m = SEGMENT.exec(text);
    // Only a lone surrogate can fail to match; it is a separator to FTS5 too (invalid UTF-16 -> U+FFFD).
    const len = m ? m[0].length : 1;
    const normalized = m ? normalizeSegment(m[0]) : ' ';
    for (const ch of normalized) {
      if (isTokenCodePoint(ch.codePointAt(0) ?? 0)) {
        if (cur === '') curStart = i;
        cur += ch;
        curEnd = i + len;
      } else if (cur !== '') {
        emit(cur, curStart, curEnd);
        cur = '';
      }
    }
    i += len;
  }
  if (cur !== '') emit(cur, curStart, curEnd);
}

/**
 * Splits text into word tokens with their spans in the original text, for highlighting.
 * The tokens are exactly {@link tokenize}'s.
 */
export function tokenizeWithOffsets(text: string): TokenWithOffsets[] {
  const out: TokenWithOffsets[] = [];
  scanTokens(text, (token, start, end) => out.push({ token, start, end }));
  return out;
}

/**
 * Splits text into normalized word tokens exactly as FTS5 `unicode61 remove_diacritics 2` splits
 * `normalizeText(text)`: runs of letters (L*), numbers (N*) and private-use characters; everything else separates.
 * So `don't` -> ["don", "t"], `al-Nusra` -> ["al", "nusra"], `1,200` -> ["1", "200"], and a run of Han characters
 * (Chinese has no spaces) stays one token, as in FTS5.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  scanTokens(text, (token) => out.push(token));
  return out;
}

/**
 * The folded form of a tag text (an entity's text, a keyword): its tokens joined by single spaces, so
 * `entity:"White Helmets"`, `entity:white-helmets` and the stored "White Helmets" all meet at "white helmets".
 */
export function foldTagText(text: string): string {
  return tokenize(text).join(' ');
}
