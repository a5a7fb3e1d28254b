/**
 * Keyword extraction from one article: TF-IDF against corpus document frequencies, blended with a plain TF
 * heuristic (title boost, generic-word damping) while the corpus is small, plus multi-word proper names
 * ("White Helmets", "Security Council") kept together as one keyword.
 */
import type { TokenWithOffsets } from '../../core/query/tokenize.ts';
import type { DocumentFrequencies } from '../../store/term-stats.ts';
import { analyzeText, type AnalyzedText } from './analyzed-text.ts';
import { genericWordsFor, stopwordsFor } from './stopwords.ts';

/*
 * IDF weight = (1 - a) + a * idf / ln(N + 1), with a = N / (N + COLD_START_DOCS): with no corpus it is plain TF
 * (where the generic-word list and stopwords do the work), and it approaches full TF-IDF as the corpus grows.
 * 200 documents: below that, df of a distinctive word is 0 or 1 and too noisy to rank on alone.
 */
const COLD_START_DOCS = 200;

/** A title word counts as much as this many body occurrences: headlines name what the story is about. */
const TITLE_BOOST = 3;
/** Proper-name phrases are rarer than single words, so one mention says more. */
const PHRASE_WEIGHT = 1.5;
/** Generic news words ("reported", "residents") need about three mentions to match one topical word. */
const GENERIC_WEIGHT = 0.34;
/** Sequences longer than this are almost always a headline-style run of capitals, not a name. */
const MAX_PHRASE_WORDS = 6;

/** Lowercase words allowed inside a proper name between two capitalized words ("Ministry of Defense"). */
const CONNECTORS = new Set(['of', 'for', 'de', 'del', 'della', 'der', 'du', 'des', 'di', 'la', 'van', 'von']);
/** Arabic-name particles written lowercase before a hyphen ("Jabhat al-Nusra"). */
const NAME_PARTICLES = new Set(['al', 'el', 'ad', 'ah', 'an', 'ar', 'as', 'ash', 'at', 'az', 'bin', 'ibn', 'abu', 'bint']);
/** Capitalized by the calendar, not because they name anything the reader would search for. */
const CALENDAR_WORDS = new Set([
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november',
  'december', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
]);

const UPPER_START = /^\p{Lu}/u;
const HAS_LETTER = /\p{L}/u;
const INLINE_SPACE = /^[ \t\u00a0]+$/u;
/** Scripts written without spaces: tokenize returns whole runs, so a 2-character token is already a word. */
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

interface Phrase {
  words: string[];
  bodyCount: number;
  titleCount: number;
  firstPos: number;
}

function isWordCandidate(token: string, isStop: (t: string) => boolean): boolean {
  if (!HAS_LETTER.test(token) || isStop(token)) return false;
  const minLength = UNSPACED_SCRIPT.test(token) ? 2 : 3;
  return [...token].length >= minLength;
}

/** Capitalized word runs in `text`, as token lists (lowercase, normalized). */
function properNameRuns(text: string, toks: readonly TokenWithOffsets[], isStop: (t: string) => boolean): string[][] {
  const runs: string[][] = [];
  let run: TokenWithOffsets[] = [];

  const flush = (): void => {
    // A run's trailing connectors are not part of the name ("Council of").
    while (run.length > 0 && !isCapitalized(run[run.length - 1])) run.pop();
    // Sentence-initial "The", "But", "According" are capitalized by position only.
    while (run.length > 0 && (isStop(run[0]?.token ?? '') || CALENDAR_WORDS.has(run[0]?.token ?? ''))) run.shift();
    while (run.length > 0 && CALENDAR_WORDS.has(run[run.length - 1]?.token ?? '')) run.pop();
    const words = run.map((t) => t.token);
    if (words.length >= 2 && words.length <= MAX_PHRASE_WORDS && words.some((w) => HAS_LETTER.test(w))) {
      runs.push(words);
    }
    run = [];
  };
  const isCapitalized = (t: TokenWithOffsets | undefined): boolean =>
    t !== undefined && UPPER_START.test(text.slice(t.start, t.end));

  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i];
    if (!tok) continue;
    const next = toks[i + 1];
    const gapAfter = next ? text.slice(tok.end, next.start) : '';
    const particle = NAME_PARTICLES.has(tok.token) && gapAfter === '-' && isCapitalized(next);
    const connector = run.length > 0 && CONNECTORS.has(tok.token) && !isCapitalized(tok) && isCapitalized(next);
    if (isCapitalized(tok) || particle || connector) {
      const prev = run[run.length - 1];
      const gapBefore = prev ? text.slice(prev.end, tok.start) : '';
      if (prev && !(INLINE_SPACE.test(gapBefore) || gapBefore === '-')) flush();
      run.push(tok);
    } else if (run.length > 0) {
      flush();
    }
  }
  flush();
  return runs;
}

/** Positions of each token, so counting a phrase only visits the places its first word occurs. */
function positionIndex(tokens: readonly string[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  tokens.forEach((t, i) => {
    const list = index.get(t);
    if (list) list.push(i);
    else index.set(t, [i]);
  });
  return index;
}

function countSequence(haystack: readonly string[], index: Map<string, number[]>, needle: readonly string[]): number {
  let n = 0;
  outer: for (const i of index.get(needle[0] ?? '') ?? []) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    n++;
  }
  return n;
}

/** True when most longer words of a headline are capitalized ("Russia Warns Of Staged Attack"). */
function isTitleCase(title: string): boolean {
  const words = title.split(/\s+/).filter((w) => [...w].length >= 4 && HAS_LETTER.test(w));
  if (words.length < 3) return false;
  return words.filter((w) => UPPER_START.test(w)).length / words.length > 0.6;
}

/** Keywords of one article plus every candidate term, for updating document frequencies. */
export interface KeywordResult {
  /** Best first, at most `limit`. */
  keywords: string[];
  /** Distinct candidate terms (words and name phrases) of the article: what document frequencies count. */
  terms: string[];
}

/**
 * Keywords of an analyzed article, best first. Single words are normalized tokens (see core/query/tokenize.ts)
 * without stopwords or numbers; proper names are their tokens joined by one space ("white helmets",
 * "jabhat al nusra"), so every keyword is also a valid phrase query. With `df`, scores are TF-IDF blended with
 * plain TF while the corpus is small (see COLD_START_DOCS).
 */
export function extractKeywordsFrom(
  a: AnalyzedText,
  language: string,
  limit: number,
  df?: DocumentFrequencies,
): KeywordResult {
  const isStop = stopwordsFor(language);
  const isGeneric = genericWordsFor(language);
  const titleTokens = a.titleWords;
  const bodyTokens = a.bodyWords;

  const scores = new Map<string, number>();
  const firstPos = new Map<string, number>();
  const add = (token: string, weight: number, pos: number): void => {
    scores.set(token, (scores.get(token) ?? 0) + weight * (isGeneric(token) ? GENERIC_WEIGHT : 1));
    if (!firstPos.has(token)) firstPos.set(token, pos);
  };
  titleTokens.forEach((t, i) => {
    if (isWordCandidate(t, isStop)) add(t, TITLE_BOOST, i);
  });
  bodyTokens.forEach((t, i) => {
    if (isWordCandidate(t, isStop)) add(t, 1, titleTokens.length + i);
  });

  // Body capitals are reliable; a Title Case headline is not, so it only confirms names seen elsewhere.
  const fromBody = a.text.trim() !== '';
  const runs = fromBody
    ? properNameRuns(a.text, a.bodyTokens, isStop)
    : isTitleCase(a.title)
      ? []
      : properNameRuns(a.title, a.titleTokens, isStop);
  const bodyIndex = positionIndex(bodyTokens);
  const titleIndex = positionIndex(titleTokens);
  const phrases = new Map<string, Phrase>();
  for (const words of runs) {
    const key = words.join(' ');
    if (phrases.has(key)) continue;
    phrases.set(key, {
      words,
      bodyCount: countSequence(bodyTokens, bodyIndex, words),
      titleCount: countSequence(titleTokens, titleIndex, words),
      firstPos: Math.min(...words.map((w) => firstPos.get(w) ?? Number.MAX_SAFE_INTEGER)),
    });
  }
  for (const [key, p] of phrases) {
    const mentions = p.bodyCount + TITLE_BOOST * p.titleCount;
    if (mentions === 0) continue;
    // Words inside the name are credited to the name, so "white" and "helmets" do not crowd the list.
    for (const w of p.words) if (scores.has(w)) scores.set(w, (scores.get(w) ?? 0) - mentions);
    scores.set(key, mentions * PHRASE_WEIGHT);
    firstPos.set(key, p.firstPos);
  }

  const terms = [...scores.keys()];
  if (df) {
    const n = df.documentCount();
    if (n > 0) {
      const blend = n / (n + COLD_START_DOCS);
      const idfMax = Math.log(n + 1);
      const known = df.frequencies(terms);
      for (const [term, score] of scores) {
        const idf = Math.log((n + 1) / ((known.get(term) ?? 0) + 1));
        scores.set(term, score * (1 - blend + (blend * idf) / idfMax));
      }
    }
  }

  const keywords = [...scores.entries()]
    .filter(([, score]) => score > 0)
    .sort(
      ([a1, sa], [b1, sb]) =>
        sb - sa ||
        // Among equal scores prefer the longer word: by Zipf's law of abbreviation it is the rarer one.
        [...b1].length - [...a1].length ||
        (firstPos.get(a1) ?? 0) - (firstPos.get(b1) ?? 0),
    )
    .slice(0, Math.max(0, limit))
    .map(([k]) => k);
  return { keywords, terms };
}

/**
 * Extracts up to `limit` keywords from a title and text, best first (see {@link extractKeywordsFrom}).
 *
 * @param limit - @defaultValue 10
 */
export function extractKeywords(
  title: string,
  text: string,
  language: string,
  limit = 10,
  df?: DocumentFrequencies,
): string[] {
  return extractKeywordsFrom(analyzeText(title, text), language, limit, df).keywords;
}
