/**
 * Names inside names: the person an organization or place is named after ("Andy Warhol" in "Andy Warhol
 * Foundation"), the place that locates an institution or facility ("Texas" in "University of Texas", "Irving" in
 * "Irving Police Department", "Volgograd" in "Volgograd Arena"), and a well-known organization inside an event or
 * product name ("Google" in "Google Science Fair").
 *
 * Why the product keeps them: each inner name refers to a different real-world entity that the article does
 * mention, which is what `entity:` search and the top-entities facet are for (an article about the Andy Warhol
 * Foundation is found by `entity:"Andy Warhol"`). Facets count articles per entity text, so an inner mention adds
 * the article once to the inner name's count and never twice to the outer's. Nested annotation is also how
 * OntoNotes-derived and GUM corpora mark these names. Left out on purpose: names inside person names ("Paris
 * Hilton" is no mention of Paris) and the place in a newspaper title ("New York" in "New York Times"), whose place
 * word is part of a brand and would flood the place facet with every citation of the paper.
 */
import type { Entity, EntityType } from '../../core/types.ts';

/** One word of an outer name, as the extractor sees it. */
export interface NameWord {
  value: string;
  /** Lowercase, trailing dots removed. */
  lower: string;
  pos: string;
  start: number;
  end: number;
}

/** What the caller knows about names: the built-in lists and the document's own typed mentions. */
export interface NestedLexicon {
  /**
   * The type of a name key known as a place or organization (gazetteers, or typed so elsewhere in the text), or
   * 'PER' for a person named elsewhere in the text (full name or surname); null when unknown.
   */
  knownType(key: string): EntityType | null;
  /** Words that head names rather than name anything ("Foundation", "Island", "Station"). */
  isHeadWord(lower: string): boolean;
  /** The lookup key of a surface string (see nameKey). */
  key(surface: string): string;
}

/** Last words of newspaper and magazine titles: their place words are part of a brand. */
const MEDIA_TAILS = new Set(
  `times post tribune journal herald gazette star mail globe sun observer chronicle telegraph guardian magazine daily
  weekly review independent express mirror standard examiner inquirer news`.split(/\s+/).filter(Boolean),
);

/** "Southern Indiana", "Northern Ontario": a compass word before a known place still names a place. */
const COMPASS = new Set(
  'north south east west northern southern eastern western central upper lower northeast northwest southeast southwest'.split(' '),
);

const LONGEST_INNER = 4;

/**
 * "Mexico City", "Kuwait City": settlement words that head a new place name after a place. Not place cue words
 * elsewhere, since "Manchester City" is a club.
 */
const SETTLEMENT_HEADS = new Set(['city', 'town']);

/** Heads whose "of" object is a place ("City of Sydney", "Province of Quebec", "Mayor of London"). */
const ADMIN_HEADS = new Set(
  `municipality city town village county province region district state republic kingdom commonwealth prefecture
  governorate oblast borough mayor governor`.split(/\s+/).filter(Boolean),
);

function isWordish(w: NameWord): boolean {
  return /^[\p{Lu}\d]/u.test(w.value);
}

/** Words that join two names inside one ("University of Texas", "Mary & Leigh Block"). */
const JOINERS = new Set(['of', 'at', 'for', 'de', 'del', 'du', 'di', 'da', '&', 'and', 'in', 'on']);

/**
 * The inner mentions of one outer mention, left to right, longest first at each position, never overlapping one
 * another and never the whole outer span. An inner name must:
 * - be known: a place or organization from the gazetteers or typed so elsewhere in the text, or a person named
 *   elsewhere in the text (a given name alone proves nothing: "Victoria Station", "Irving Police");
 * - end in a name word, not a head word ("Andy Warhol Foundation" is no inner name of "Andy Warhol Foundation for
 *   the Visual Arts": it is the same organization);
 * - not be part of a longer known name around it ("York" in "New York State Assembly");
 * - not be the head of the outer name: a place that ends it names the organization itself ("Environment Canada",
 *   "Air France") unless an adposition introduces it ("Municipality of Livorno").
 */
export function nestedMentions(text: string, outerType: EntityType, words: readonly NameWord[], lex: NestedLexicon): Entity[] {
  const n = words.length;
  if (n < 2 || outerType === 'PER') return [];
  const media = outerType === 'ORG' && MEDIA_TAILS.has(words[n - 1]!.lower);
  const keyOf = (from: number, to: number): string => lex.key(text.slice(words[from]!.start, words[to]!.end));
  const typeAt = (from: number, to: number): EntityType | null => {
    const k = keyOf(from, to);
    return k === '' ? null : lex.knownType(k);
  };
  const out: Entity[] = [];
  let i = 0;
  while (i < n) {
    let found: { type: EntityType; len: number } | null = null;
    for (let len = Math.min(LONGEST_INNER, n - i - (i === 0 ? 1 : 0)); len >= 1 && !found; len--) {
      const to = i + len - 1;
      const span = words.slice(i, to + 1);
      if (!span.some((w) => w.pos === 'PROPN' || /^\p{Lu}{2,}/u.test(w.value)) || lex.isHeadWord(words[to]!.lower)) continue;
      if (!isWordish(words[i]!) || !isWordish(words[to]!)) continue;
      // "Municipality of Bogliasco": what an administrative unit is "of" is a place, known or not, when it runs to
      // the end of the outer name.
      const placeSlot = to === n - 1 && i >= 2 && words[i - 1]!.lower === 'of' && ADMIN_HEADS.has(words[i - 2]!.lower);
      const type = innerType(span, keyOf(i, to), text, lex, i === 0, placeSlot);
      if (!type || (type === 'LOC' && media)) continue;
      // "BBC News", "Red Cross Society": an organization followed only by head words is the same organization.
      if (type === 'ORG' && outerType === 'ORG' && i === 0 && words.slice(to + 1).every((w) => lex.isHeadWord(w.lower))) continue;
      // "York" in "New York", "South Wales" in "New South Wales": a longer name of the same kind around it. A head
      // word after it ("Mexico City", "Hong Kong Island") makes a new name, not a longer spelling of the same one.
      let partOfLonger = false;
      for (let k = Math.max(0, i - 2); k < i && !partOfLonger; k++) if (typeAt(k, to) === type) partOfLonger = true;
      for (let k = to + 1; k <= Math.min(n - 1, to + 2) && !partOfLonger; k++) {
        if (typeAt(i, k) === type && !words.slice(to + 1, k + 1).every((w) => lex.isHeadWord(w.lower) || SETTLEMENT_HEADS.has(w.lower))) {
          partOfLonger = true;
        }
      }
      if (partOfLonger) continue;
      if (to === n - 1 && !JOINERS.has(words[i - 1]?.lower ?? '')) continue;
      found = { type, len };
    }
    if (found) {
      let len = found.len;
      // "Taipei City" inside "Taipei City Lantern Festival": the settlement word belongs to the place.
      if (found.type === 'LOC' && i + len < n - 1 && SETTLEMENT_HEADS.has(words[i + len]!.lower)) len++;
      const first = words[i]!;
      const last = words[i + len - 1]!;
      out.push({ text: text.slice(first.start, last.end), type: found.type, start: first.start, end: last.end });
      // Names nest more than one level ("Texas" in "University of Texas" in "University of Texas Student Union").
      if (len >= 2) out.push(...nestedMentions(text, found.type, words.slice(i, i + len), lex));
      i += len;
    } else i++;
  }
  return out;
}

function innerType(
  span: readonly NameWord[],
  key: string,
  text: string,
  lex: NestedLexicon,
  leading: boolean,
  placeSlot: boolean,
): EntityType | null {
  if (!key) return null;
  const known = lex.knownType(key);
  if (known === 'LOC' || known === 'ORG') return known;
  if (known === 'PER') return leading ? 'PER' : null;
  const first = span[0]!;
  if (span.length >= 2 && COMPASS.has(first.lower)) {
    const rest = lex.key(text.slice(span[1]!.start, span[span.length - 1]!.end));
    if (rest && lex.knownType(rest) === 'LOC') return 'LOC';
  }
  return placeSlot ? 'LOC' : null;
}
