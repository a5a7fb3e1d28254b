/**
 * Watchlist actor matching: every name and alias of every actor compiled into one word-level trie, so the
 * cost per article grows with its length, not with the number of aliases, and word boundaries hold in any script.
 */
import type { Actor } from '../../core/types.ts';
import { tokenizeWithOffsets, type TokenWithOffsets } from '../../core/query/tokenize.ts';
import { analyzeText, type AnalyzedText } from './analyzed-text.ts';

/*
 * Keys. Text and aliases go through the same tokenizer (core/query/tokenize.ts: lowercase, diacritics and
 * tashkeel removed), then each token gets a matching key:
 * - Latin: an alias word in the plural is also indexed singular ("White Helmet trainings" names the White
 *   Helmets), but a text word is never shortened, so "Frances" does not name France.
 * - Cyrillic, 5+ letters: Russian case endings are stripped, and an alias stem ending in two consonants is also
 *   indexed with the fleeting vowel that genitive plurals insert (каск- / касок, девушк- / девушек).
 * - Arabic: alef/ya/ta-marbuta (and Persian yeh/keheh) variants unified; an alias is indexed without its article "ال", and a text
 *   token is also looked up without a leading "و" (and), "ال" or "لل".
 * - Greek: accents folded on both sides ("Ελλάδα" = "ελλαδα").
 * - Acronyms of up to 3 letters written in capitals in the alias ("UN", "US", "RT", "ООН") only match words
 *   written in capitals, so "us", "un" (French) and "it" never count as mentions.
 */

/** Longest first, so "-ами" is tried before "-и". */
const RUSSIAN_ENDINGS = [
  'ыми', 'ими', 'ого', 'его', 'ому', 'ему', 'ами', 'ями', 'иях', 'ией',
  'ов', 'ев', 'ей', 'ой', 'ый', 'ий', 'ая', 'яя', 'ое', 'ее', 'ые', 'ие', 'ых', 'их', 'ым', 'им',
  'ом', 'ем', 'ам', 'ям', 'ах', 'ях', 'ую', 'юю', 'ию', 'ия', 'ии',
  'а', 'я', 'ы', 'и', 'у', 'ю', 'е', 'о', 'ь', 'й',
];
/** Stems shorter than this are too ambiguous to match on. */
const MIN_STEM = 3;
const CYRILLIC_WORD = /^[\u0400-\u04ff]+$/u;
const CYRILLIC_VOWELS = new Set([...'аеёиоуыэюяіїє']);
const ARABIC = /[\u0600-\u06ff]/u;
const LATIN_WORD = /^[a-z]+$/;

function russianStem(token: string): string {
  for (const ending of RUSSIAN_ENDINGS) {
    if (token.endsWith(ending) && token.length - ending.length >= MIN_STEM) return token.slice(0, -ending.length);
  }
  return token;
}

/** "каск" -> ["каск", "касок", "касек"]: the genitive plural inserts о/е between two final consonants. */
function fleetingVowelVariants(stem: string): string[] {
  const chars = [...stem];
  const last = chars[chars.length - 1];
  const beforeLast = chars[chars.length - 2];
  if (!last || !beforeLast || CYRILLIC_VOWELS.has(last) || CYRILLIC_VOWELS.has(beforeLast) || last === 'ь') {
    return [stem];
  }
  const head = chars.slice(0, -1).join('');
  return [stem, `${head}о${last}`, `${head}е${last}`];
}

function normalizeArabic(token: string): string {
  return token
    .replace(/[\u0640]/g, '') // tatweel
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/[ىی]/g, 'ي')
    .replace(/ک/g, 'ك')
    .replace(/ة/g, 'ه');
}

function stripArabicArticle(token: string): string {
  // Three letters must remain, so a short word that merely starts with "ال" keeps its root.
  if ((token.startsWith('ال') || token.startsWith('لل')) && [...token].length >= 5) return token.slice(2);
  return token;
}

function isLongCyrillic(token: string): boolean {
  return CYRILLIC_WORD.test(token) && [...token].length >= 5;
}

/** An alias word ending in a plural "s" is also indexed singular; text words are never altered. */
function latinAliasKeys(token: string): string[] {
  return LATIN_WORD.test(token) && token.length >= 4 && token.endsWith('s') && !token.endsWith('ss')
    ? [token, token.slice(0, -1)]
    : [token];
}

/** Prefix of keys that only words written in capitals carry. */
const CAPS = '\u0001';
const MAX_ACRONYM = 3;

/** The original spelling is all capitals (and has letters that have case). */
function isCapitalized(original: string): boolean {
  return original !== original.toLowerCase() && original === original.toUpperCase();
}

interface Word {
  token: string;
  caps: boolean;
}

function words(text: string): Word[] {
  return toWords(text, tokenizeWithOffsets(text));
}

function toWords(text: string, tokens: readonly TokenWithOffsets[]): Word[] {
  return tokens.map((t) => ({ token: t.token, caps: isCapitalized(text.slice(t.start, t.end)) }));
}

const GREEK = /[\u0370-\u03ff\u1f00-\u1fff]/u;

/** Greek accents (tonos, dialytika) are kept by the FTS5-compatible tokenizer but often dropped in writing. */
function foldGreek(token: string): string {
  return GREEK.test(token) ? token.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC') : token;
}

/** Keys an alias token is indexed under. */
function aliasKeys({ token: raw, caps }: Word): string[] {
  const token = foldGreek(raw);
  if (caps && [...token].length <= MAX_ACRONYM) return [CAPS + token];
  if (ARABIC.test(token)) return [stripArabicArticle(normalizeArabic(token))];
  if (isLongCyrillic(token)) return fleetingVowelVariants(russianStem(token));
  return latinAliasKeys(token);
}

/** Keys a text token is looked up under (any may hit). */
function textKeys({ token: raw, caps }: Word): string[] {
  const token = foldGreek(raw);
  const keys = lookupKeys(token);
  if (caps && [...token].length <= MAX_ACRONYM) keys.push(CAPS + token);
  return keys;
}

function lookupKeys(token: string): string[] {
  if (ARABIC.test(token)) {
    const base = normalizeArabic(token);
    const keys = new Set([base, stripArabicArticle(base)]);
    if (base.startsWith('و') && [...base].length >= 4) {
      const rest = base.slice(1);
      keys.add(rest);
      keys.add(stripArabicArticle(rest));
    }
    return [...keys];
  }
  if (isLongCyrillic(token)) return [russianStem(token)];
  return [token];
}

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Actor ids whose alias ends here. */
  ids: string[];
}

function newNode(): TrieNode {
  return { children: new Map(), ids: [] };
}

/** Inserts the alias's token keys; a token with several keys fans out to shared child nodes. */
function insert(root: TrieNode, tokens: readonly Word[], id: string): void {
  let frontier: TrieNode[] = [root];
  for (const token of tokens) {
    const next: TrieNode[] = [];
    for (const node of frontier) {
      for (const key of aliasKeys(token)) {
        let child = node.children.get(key);
        if (!child) {
          child = newNode();
          node.children.set(key, child);
        }
        if (!next.includes(child)) next.push(child);
      }
    }
    frontier = next;
  }
  for (const node of frontier) if (!node.ids.includes(id)) node.ids.push(id);
}

function matchTokens(root: TrieNode, keys: readonly string[][], found: Set<string>): void {
  for (let start = 0; start < keys.length; start++) {
    let frontier: TrieNode[] = [root];
    for (let j = start; j < keys.length && frontier.length > 0; j++) {
      const next: TrieNode[] = [];
      for (const node of frontier) {
        for (const key of keys[j] ?? []) {
          const child = node.children.get(key);
          if (child && !next.includes(child)) next.push(child);
        }
      }
      for (const node of next) for (const id of node.ids) found.add(id);
      frontier = next;
    }
  }
}

/** Ids of the watchlist actors an article mentions, each in watchlist order, at most once. */
export type ActorMatcher = (article: AnalyzedText) => string[];

/**
 * Compiles the actors' names and aliases into one matcher over analyzed (already tokenized) articles.
 * An alias never spans title and text.
 */
export function compileActorMatcher(actors: readonly Actor[]): ActorMatcher {
  const root = newNode();
  for (const actor of actors) {
    for (const name of new Set([actor.name, ...actor.aliases])) {
      const tokens = words(name);
      if (tokens.length > 0) insert(root, tokens, actor.id);
    }
  }
  const order = new Map(actors.map((a, i) => [a.id, i]));
  return (a) => {
    if (root.children.size === 0) return [];
    const found = new Set<string>();
    matchTokens(root, toWords(a.title, a.titleTokens).map(textKeys), found);
    matchTokens(root, toWords(a.text, a.bodyTokens).map(textKeys), found);
    return [...found].sort((x, y) => (order.get(x) ?? 0) - (order.get(y) ?? 0));
  };
}

/**
 * As {@link compileActorMatcher}, for a raw title and text: the returned function gives the ids of the actors
 * mentioned in the title or text (each in watchlist order, at most once).
 */
export function buildActorMatcher(actors: readonly Actor[]): (title: string, text: string) => string[] {
  const match = compileActorMatcher(actors);
  return (title, text) => match(analyzeText(title, text));
}
